import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Coverage,
  THREAT_COVERAGE,
  tableRows,
  V7_COVERAGE,
} from '../../src/guarantees/coverage.ts';

const doc = readFileSync(new URL('../../../docs/security-model.md', import.meta.url), 'utf8');

// Every row of the threats table and of the ASVS V7 table of docs/security-model.md names the
// cells that prove it, or says why none can.
describe.each([
  { table: 'threats', heading: '## Threats and mitigations', map: THREAT_COVERAGE },
  { table: 'ASVS V7', heading: '### V7 Session Management', map: V7_COVERAGE },
])('coverage of the $table table', ({ heading, map }) => {
  it('names every row, and no row the document lacks', () => {
    expect(Object.keys(map).sort()).toEqual(tableRows(doc, heading).sort());
  });
  it.each(Object.entries(map))('%s', (_row, coverage: Coverage) => {
    expect(Boolean(coverage.cells?.length) !== Boolean(coverage.notTestable)).toBe(true);
    for (const cell of coverage.cells ?? []) {
      const file = cell.split(':')[0]!.split(' ')[0]!;
      expect(existsSync(new URL(`./${file}`, import.meta.url)), file).toBe(true);
    }
  });
});
