/**
 * Where each guarantee of docs/security-model.md is proved: a file of test/guarantees (and the
 * family inside it), or why no cell can prove it. `coverage.test.ts` reads the document and fails
 * on a row this map does not name, so a new guarantee cannot land without its cells.
 */
export interface Coverage {
  /** `file.test.ts: family` entries. */
  readonly cells?: readonly string[];
  /** Why no end-to-end cell applies (the requirement is the app's, or not sess's). */
  readonly notTestable?: string;
}

/** The threats table, by the text of its first column. */
export const THREAT_COVERAGE: Readonly<Record<string, Coverage>> = {
  'Guessing a session token': {
    cells: ['threats.test.ts: Guessing a session token', 'timeouts.test.ts: made-up credential'],
  },
  'Session fixation': { cells: ['login.test.ts: login replaces', 'login.test.ts: re-login'] },
  'A leaked database or backup': { cells: ['threats.test.ts: A leaked database or backup'] },
  'A stolen session cookie': {
    cells: [
      'threats.test.ts: A stolen session cookie',
      'timeouts.test.ts: idle, absolute',
      'binding.test.ts',
      'revocation.test.ts',
    ],
  },
  'A stolen refresh token': {
    cells: ['threats.test.ts: A stolen refresh token', 'revocation.test.ts: refresh reuse'],
  },
  'A stolen access token': {
    cells: ['threats.test.ts: A stolen access token', 'revocation.test.ts (replays)'],
  },
  'A session living forever through refreshes': { cells: ['timeouts.test.ts: absolute'] },
  'Logout that does not end the session': { cells: ['revocation.test.ts: logout'] },
  'A compromised or disabled account keeping its sessions': {
    cells: ['revocation.test.ts: revokeAllForUser', 'revocation.test.ts: log out everywhere'],
  },
  'An attacker staying in after the password changes': {
    cells: ['revocation.test.ts: log out other devices'],
  },
  'Mass compromise': { cells: ['revocation.test.ts: revokeEverything'] },
  'A sensitive action from an old or hijacked session': {
    cells: ['threats.test.ts: A sensitive action from an old or hijacked session'],
  },
  'Unbounded sessions per account': { cells: ['session-limit.test.ts'] },
  'Cross-site request forgery': { cells: ['threats.test.ts: Cross-site request forgery'] },
  "Login CSRF (signing the victim into the attacker's account)": {
    cells: ['threats.test.ts: Login CSRF', 'login.test.ts: login replaces'],
  },
  'Cookie tossing from a sibling subdomain': {
    cells: ['threats.test.ts: Cookie tossing from a sibling subdomain'],
  },
  'A cookie silently dropped for size': {
    cells: ['threats.test.ts: A cookie silently dropped for size'],
  },
  'Forged access tokens (`alg: none`, key confusion, `jku`)': {
    cells: ['threats.test.ts: Forged access tokens'],
  },
  'A token used after its lifetime, or before it was issued': {
    cells: ['threats.test.ts: A token used after its lifetime'],
  },
  'A token used for the wrong purpose or service': {
    cells: [
      'threats.test.ts: Forged access tokens',
      'threats.test.ts: A token used for the wrong purpose',
    ],
  },
  'Weak keys and secrets': { cells: ['startup.test.ts'] },
  'Refresh races mistaken for theft, or forking sessions': {
    cells: ['threats.test.ts: Refresh races'],
  },
  'A revocation missed by another instance': {
    cells: ['threats.test.ts: A revocation missed by another instance'],
  },
  'A store outage read as "signed out", or as a pass': {
    cells: ['threats.test.ts: A store outage'],
  },
  'Tokens in logs, URLs or error messages': {
    cells: ['threats.test.ts: Tokens in logs, URLs or error messages'],
  },
};

/** The ASVS 5.0 V7 table, by requirement id. */
export const V7_COVERAGE: Readonly<Record<string, Coverage>> = {
  '7.1.1': {
    notTestable:
      'the app documents its timeouts (sess check --policy md); timeouts.test.ts proves they hold',
  },
  '7.1.2': { cells: ['session-limit.test.ts'] },
  '7.1.3': { notTestable: 'not applicable: sess is not an SSO system' },
  '7.2.1': {
    cells: ['threats.test.ts: Forged access tokens', 'timeouts.test.ts: made-up credential'],
  },
  '7.2.2': { cells: ['login.test.ts: re-login', 'threats.test.ts: Guessing a session token'] },
  '7.2.3': { cells: ['threats.test.ts: Guessing a session token'] },
  '7.2.4': { cells: ['login.test.ts'] },
  '7.3.1': { cells: ['timeouts.test.ts: idle'] },
  '7.3.2': { cells: ['timeouts.test.ts: absolute'] },
  '7.4.1': { cells: ['revocation.test.ts: logout'] },
  '7.4.2': { cells: ['revocation.test.ts: revokeAllForUser (account disabled)'] },
  '7.4.3': { cells: ['revocation.test.ts: log out other devices'] },
  '7.4.4': { cells: ['threats.test.ts: ASVS 7.4.4'] },
  '7.4.5': {
    cells: ['revocation.test.ts: revokeAllForUser, revokeEverything, log out everywhere'],
  },
  '7.5.1': { cells: ['threats.test.ts: A sensitive action from an old or hijacked session'] },
  '7.5.2': { cells: ['revocation.test.ts: revoke one device'] },
  '7.5.3': { cells: ['threats.test.ts: A sensitive action from an old or hijacked session'] },
  '7.6.1': { notTestable: 'not applicable: federation is not sess' },
  '7.6.2': { cells: ['threats.test.ts: ASVS 7.6.2'] },
};

/** The first column of each row of the markdown table under `heading` in `markdown`. */
export function tableRows(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(heading);
  if (start === -1) throw new Error(`no heading ${heading}`);
  const rows: string[] = [];
  let inTable = false;
  for (const line of markdown.slice(start).split('\n').slice(1)) {
    if (line.startsWith('|')) {
      inTable = true;
      const first = line.split('|')[1]?.trim() ?? '';
      if (!/^-+$/.test(first)) rows.push(first);
    } else if (inTable) break;
  }
  return rows.slice(1); // the header row
}
