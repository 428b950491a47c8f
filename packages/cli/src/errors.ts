/**
 * Exit codes, the same for every command, so that scripts can rely on them.
 * - `OK` (0): done; warnings and infos may have been reported.
 * - `FINDINGS` (1): `check` or `probe` found an error, or the session to revoke does not exist.
 * - `USAGE` (2): bad arguments, or a config file that cannot be loaded or is not a config.
 * - `UNREACHABLE` (3): the store (or the probed URL) could not be reached, opened or used.
 * - `NOT_CONFIRMED` (4): a changing command was declined, or needs `--yes` without a terminal.
 * - `UNSUPPORTED` (5): the store lacks the capability the command needs (`stats`).
 * - `INTERNAL` (70): a bug in the CLI (EX_SOFTWARE); the report names the error's class only.
 */
export const EXIT = {
  OK: 0,
  FINDINGS: 1,
  USAGE: 2,
  UNREACHABLE: 3,
  NOT_CONFIRMED: 4,
  UNSUPPORTED: 5,
  INTERNAL: 70,
} as const;

/** One of the exit codes in {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A stable CLI error code. */
export type CliErrorCode =
  | 'ERR_SESS_CLI_USAGE'
  | 'ERR_SESS_CLI_CONFIG'
  | 'ERR_SESS_CLI_STORE'
  | 'ERR_SESS_CLI_UNREACHABLE'
  | 'ERR_SESS_CLI_NOT_CONFIRMED'
  | 'ERR_SESS_CLI_UNSUPPORTED'
  | 'ERR_SESS_CLI_NOT_FOUND'
  | 'ERR_SESS_CLI_INTERNAL';

// The exit code of each error code.
const CODES: Record<CliErrorCode, ExitCode> = {
  ERR_SESS_CLI_USAGE: EXIT.USAGE,
  ERR_SESS_CLI_CONFIG: EXIT.USAGE,
  ERR_SESS_CLI_STORE: EXIT.UNREACHABLE,
  ERR_SESS_CLI_UNREACHABLE: EXIT.UNREACHABLE,
  ERR_SESS_CLI_NOT_CONFIRMED: EXIT.NOT_CONFIRMED,
  ERR_SESS_CLI_UNSUPPORTED: EXIT.UNSUPPORTED,
  ERR_SESS_CLI_NOT_FOUND: EXIT.FINDINGS,
  ERR_SESS_CLI_INTERNAL: EXIT.INTERNAL,
};

/**
 * An error the CLI reports as one line (or one JSON object) and an exit code, never as a stack
 * trace. Messages name options, files and hosts; never a secret, key, token or password.
 */
export class CliError extends Error {
  /** The stable code, also printed in `--json` mode. */
  readonly code: CliErrorCode;
  /** What the process exits with. */
  readonly exitCode: ExitCode;
  /** Extra lines shown under the message (for example every issue of a config error). */
  readonly details: readonly string[];

  constructor(code: CliErrorCode, message: string, details: readonly string[] = []) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = CODES[code];
    this.details = details;
  }
}

/**
 * What may be said about an unexpected error: its `code` (`ECONNREFUSED`, a SQLSTATE, an
 * `ERR_SESS_*` code) or its class name, looking through `cause`s. Never its message, which can
 * quote input (a URL with a password, a secret that failed to parse).
 */
export function errorLabel(error: unknown): string {
  const labels: string[] = [];
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, name, cause } = e as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === 'string' || typeof code === 'number') labels.push(String(code));
    else if (typeof name === 'string' && name !== 'Error') labels.push(name);
    e = cause;
  }
  return labels.length > 0 ? [...new Set(labels)].join(' <- ') : 'unknown error';
}
