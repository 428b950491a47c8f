import {
  createKeyring,
  type DescribedConfig,
  describeConfig,
  isSessError,
  type SessionManagerOptions,
} from '@sess/core';
import { errorLabel } from '../errors.ts';
import { type Finding, finding } from '../findings.ts';
import { ASVS, asvs } from '../refs.ts';

/**
 * What core makes of an environment's options: `describeConfig`, core's own validation and
 * defaults (nothing copied here), then the keys imported, so a key that cannot load is a finding
 * too. Every `ConfigError` issue becomes an error finding.
 */
export async function describe(
  subject: string,
  options: Omit<SessionManagerOptions, 'store'>,
): Promise<{ described: DescribedConfig | null; findings: Finding[] }> {
  let described: DescribedConfig;
  try {
    described = describeConfig({ ...options, logger: undefined });
  } catch (error) {
    return { described: null, findings: configFindings(subject, error, 'config-invalid') };
  }
  try {
    if (options.jwt) await createKeyring(options.jwt.keys).load();
  } catch (error) {
    return { described: null, findings: configFindings(subject, error, 'keys-import') };
  }
  return { described, findings: [] };
}

// Core's issues name options and kids, never key material, so they are shown as they are.
function configFindings(subject: string, error: unknown, id: string): Finding[] {
  if (isSessError(error) && error.code === 'ERR_SESS_CONFIG') {
    const ref = id === 'keys-import' ? asvs(ASVS.tokenKeySources) : undefined;
    return error.issues.map((issue) => finding('error', id, subject, issue, { ref }));
  }
  return [finding('error', id, subject, `core refused the options (${errorLabel(error)})`)];
}
