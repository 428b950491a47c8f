import {
  type Clock,
  createSessionManager,
  isSessError,
  type KeyAlgorithm,
  type SessionManager,
  type SessionManagerOptions,
  type Strategy,
} from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { errorLabel } from '../errors.ts';
import { type Finding, finding } from '../findings.ts';
import { ASVS, asvs } from '../refs.ts';

/** The timeouts of one session class, as core applies them. */
export interface MeasuredClass {
  name: string;
  idleMs: number;
  absoluteMs: number;
  /** Whether its cookie outlives the browser session (`Max-Age`). */
  persistent: boolean;
}

/** What core makes of an environment's options, observed through its public API. */
export interface Measured {
  strategy: Strategy;
  classes: MeasuredClass[];
  /** The access-token lifetime (jwt, hybrid), else null. */
  accessTokenMs: number | null;
  /** The keyring's kids and algorithms, signing key first; null without `jwt`. */
  keys: { kid: string; alg: KeyAlgorithm }[] | null;
}

// A fixed instant: measurements never depend on when the check runs.
const T0 = Date.UTC(2026, 0, 1);

/**
 * Validates `options` with core's own validation (`createSessionManager`, then loading the keys)
 * and measures what core does with them: one session per class, in a memory store on a frozen
 * clock, shows the idle and absolute timeouts and the access-token lifetime exactly as core
 * applies presets and defaults. Every `ConfigError` issue becomes an error finding.
 */
export async function measure(
  subject: string,
  options: Omit<SessionManagerOptions, 'store'>,
): Promise<{ measured: Measured | null; findings: Finding[] }> {
  const clock: Clock = { now: () => T0 };
  const store = memoryStore({ clock });
  let sess: SessionManager;
  try {
    sess = createSessionManager({ ...options, store, clock, logger: undefined });
  } catch (error) {
    await store.close();
    return { measured: null, findings: configFindings(subject, error, 'config-invalid') };
  }
  try {
    if (sess.keyring) await sess.keyring.load();
    const names = [...new Set(['standard', 'rememberMe', ...Object.keys(options.sessions ?? {})])];
    const classes: MeasuredClass[] = [];
    let accessTokenMs: number | null = null;
    for (const [i, name] of names.entries()) {
      // A user per class: a `reject` session limit must not refuse the next one.
      const issued = await sess.create(`sess-check-${i}`, { sessionClass: name });
      const cookie = issued.cookies.find((c) => c.value === issued.credential);
      classes.push({
        name,
        idleMs: issued.session.idleExpiresAt - T0,
        absoluteMs: issued.session.absoluteExpiresAt - T0,
        persistent: cookie?.options.maxAge !== undefined,
      });
      if (issued.expiresIn !== null) {
        accessTokenMs = Math.max(accessTokenMs ?? 0, issued.expiresIn * 1000);
      }
    }
    const keys = sess.keyring ? sess.keyring.keys.map(({ kid, alg }) => ({ kid, alg })) : null;
    return { measured: { strategy: sess.strategy, classes, accessTokenMs, keys }, findings: [] };
  } catch (error) {
    return { measured: null, findings: configFindings(subject, error, 'keys-import') };
  } finally {
    sess.close();
    await store.close();
  }
}

// Core's issues name options and kids, never key material, so they are shown as they are.
function configFindings(subject: string, error: unknown, id: string): Finding[] {
  if (isSessError(error) && error.code === 'ERR_SESS_CONFIG') {
    const ref = id === 'keys-import' ? asvs(ASVS.tokenKeySources) : undefined;
    return error.issues.map((issue) => finding('error', id, subject, issue, { ref }));
  }
  return [finding('error', id, subject, `core refused the options (${errorLabel(error)})`)];
}
