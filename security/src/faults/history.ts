import { createHash } from 'node:crypto';

/** What a virtual user did. `replay` re-presents a credential its owner saw revoked. */
export type Op =
  | 'csrf'
  | 'login'
  | 'me'
  | 'refresh'
  | 'logout'
  | 'logout-all'
  | 'sessions'
  | 'replay-me'
  | 'replay-refresh';

/** A credential as the history keeps it: its session (a public handle) and a hash, never the token. */
export interface CredentialRef {
  /** The session id (the refresh family) the credential belongs to. */
  readonly family: string;
  /** The first 16 hex digits of SHA-256 over the raw credential. */
  readonly fp: string;
}

/** One request and its answer. Times are epoch milliseconds with sub-millisecond precision. */
export interface HistoryEvent {
  readonly seq: number;
  /** `<virtual user>/<tab>`. */
  readonly client: string;
  /** The virtual user: one cookie jar shared by its tabs. */
  readonly user: string;
  /** The demo account the jar was logged in as when the request was sent (`u-alice`), if any. */
  readonly account: string | null;
  readonly op: Op;
  readonly start: number;
  readonly end: number;
  /** The HTTP status; 0 when no answer came (refused, reset, client timeout). */
  readonly status: number;
  /** `error.code` of an error body. */
  readonly code?: string;
  /** A 503 carried `Retry-After`. */
  readonly retryAfter?: boolean;
  /**
   * The credential the answer depends on: the rotating credential for `refresh` (the refresh
   * cookie in the jwt strategies, the session cookie in the database strategy), else the session
   * cookie (the session credential or the access token).
   */
  readonly sent?: CredentialRef;
  /** The rotating credential the answer set (login, refresh, or a renewal on any answer). */
  readonly issued?: CredentialRef;
  /** The account a login answered for. */
  readonly loggedInAs?: string;
}

/** A fault injected during the run. */
export interface FaultWindow {
  readonly name: string;
  /** When the fault began (the kill, the proxy switching to black-hole, ...). */
  readonly start: number;
  /** When the fault was lifted (the restart returned, the proxy back to pass-through). */
  readonly end: number;
  /**
   * The store lost its data (a Redis without persistence restarted): every session issued before
   * `start` is gone for good after `end`, in a strategy that reads the store on every request.
   */
  readonly dataLoss?: boolean;
}

/** The epoch-millisecond clock of histories, sub-millisecond and monotonic within a process. */
export const now = (): number => performance.timeOrigin + performance.now();

/** The history's stand-in for a raw credential. */
export function fingerprint(raw: string): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

/**
 * The session id behind a raw credential: the part before the dot of `<id>.<secret>`, or the
 * `sid` claim of an access JWT (read, not verified: it is only a label for the history).
 */
export function familyOf(raw: string): string | null {
  const parts = raw.split('.');
  if (parts.length === 2) return parts[0] || null;
  if (parts.length === 3) {
    try {
      const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as {
        sid?: unknown;
      };
      return typeof claims.sid === 'string' ? claims.sid : null;
    } catch {
      return null;
    }
  }
  return null;
}

/** A reference for a raw credential, or undefined when it names no session. */
export function credentialRef(raw: string | undefined): CredentialRef | undefined {
  if (raw === undefined || raw === '') return undefined;
  const family = familyOf(raw);
  return family === null ? undefined : { family, fp: fingerprint(raw) };
}

/** An append-only history of one run. */
export class Recorder {
  readonly events: HistoryEvent[] = [];
  readonly faults: FaultWindow[] = [];
  #seq = 0;

  record(event: Omit<HistoryEvent, 'seq'>): HistoryEvent {
    const full = { ...event, seq: this.#seq++ };
    this.events.push(full);
    return full;
  }

  fault(window: FaultWindow): void {
    this.faults.push(window);
  }

  /** Runs `inject` as a fault window: `start` before it, `end` once `lift` has returned. */
  async window(
    name: string,
    inject: () => Promise<void> | void,
    holdMs: number,
    lift: () => Promise<void> | void,
    flags: { dataLoss?: boolean } = {},
  ): Promise<FaultWindow> {
    const start = now();
    await inject();
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    await lift();
    const window: FaultWindow = { name, start, end: now(), ...flags };
    this.fault(window);
    return window;
  }
}
