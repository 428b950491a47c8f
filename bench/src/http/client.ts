// The load generator, a process of its own that runs one `ClientSpec` per message from its parent
// and answers with a `ClientReply`: autocannon's keep-alive connections send `GET /me`, each
// request carrying the next credential of the mix. Every request is built before the run starts,
// so picking one costs an array read; the order is one shared sequence over all connections
// (`rotation`: the users in turn; `random`: a reproducible random draw). Given several targets,
// one autocannon per target starts at the same moment. What a run left is collected before the
// next one starts, not during it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomOrder } from '../random-order.ts';
import type { CredentialSet } from './setup.ts';

/** One server a run drives. */
export interface ClientTarget {
  readonly url: string;
  readonly credentialsFile: string;
  readonly order: 'random' | 'rotation';
  /**
   * How many requests earlier runs against this server sent: the sequence continues there, so
   * a run never replays the start of the previous one (which a cache would still hold).
   */
  readonly start: number;
  /** Send exactly this many requests, then stop (the warm-up), instead of running for `duration`. */
  readonly amount?: number;
}

/** One run, as the parent sends it. */
export interface ClientSpec {
  /** Connections per target. */
  readonly connections: number;
  /** Seconds. */
  readonly duration: number;
  readonly targets: readonly ClientTarget[];
}

/** What one run measured at one target. */
export interface ClientResult {
  readonly total: number;
  /** Seconds. */
  readonly duration: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
  /** Requests written through the credential picker: all of them, or the hook below broke. */
  readonly picked: number;
}

/** The parts of autocannon (8.x, no bundled types) this file uses. */
interface AutocannonClient {
  getRequestBuffer(): Buffer;
}
interface AutocannonResult {
  readonly requests: { readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  setupClient(client: AutocannonClient): void;
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const RANDOM_LENGTH = 1 << 20; // a million draws before the sequence repeats
const SEED = 22;

/** A target's requests: each `next()` carries the next credential of its sequence. */
interface Picker {
  next(): Buffer;
  /** How many `next()` handed out. */
  picked(): number;
}

function picker(target: ClientTarget): Picker {
  const set = JSON.parse(readFileSync(target.credentialsFile, 'utf8')) as CredentialSet;
  const { host, pathname } = new URL(target.url);
  const requests = set.values.map((value) =>
    Buffer.from(
      `GET ${pathname} HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n${set.header}: ${value}\r\n\r\n`,
    ),
  );
  const n = requests.length;
  let picked = 0;
  if (target.order === 'rotation') {
    let i = (target.start + n - 1) % n;
    return {
      next: () => {
        picked++;
        i = i + 1 === n ? 0 : i + 1;
        return requests[i]!;
      },
      picked: () => picked,
    };
  }
  const order = randomOrder(n, RANDOM_LENGTH, SEED);
  let i = target.start;
  return {
    next: () => {
      picked++;
      return requests[order[i++ & (RANDOM_LENGTH - 1)]!]!;
    },
    picked: () => picked,
  };
}

async function drive(
  spec: ClientSpec,
  target: ClientTarget,
  { next, picked }: Picker,
): Promise<ClientResult> {
  const result = await autocannon({
    url: target.url,
    connections: spec.connections,
    ...(target.amount === undefined ? { duration: spec.duration } : { amount: target.amount }),
    // autocannon writes whatever `getRequestBuffer` returns, once per request (httpClient.js);
    // every other client API would rebuild the request from its parts each time.
    setupClient: (client) => {
      if (typeof client.getRequestBuffer !== 'function') {
        throw new Error(
          'autocannon: Client.getRequestBuffer is gone; the credential hook needs it',
        );
      }
      client.getRequestBuffer = next;
    },
  });
  return {
    total: result.requests.total,
    duration: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.errors + result.timeouts + result.non2xx,
    picked: picked(),
  };
}

/**
 * The client's messages: `ready` once it has loaded, then one reply per run, with a result per
 * target (in the spec's order) or what failed.
 */
export type ClientReply =
  | 'ready'
  | { readonly results: readonly ClientResult[] }
  | { readonly error: string };

const collect = (globalThis as { gc?: () => void }).gc;

async function run(spec: ClientSpec): Promise<ClientResult[]> {
  collect?.();
  // Every target's requests are built first, so that their runs start together.
  const pickers = spec.targets.map(picker);
  return Promise.all(spec.targets.map((t, k) => drive(spec, t, pickers[k]!)));
}

const reply = (message: ClientReply) => process.send!(message);

process.on('message', (spec: ClientSpec) => {
  run(spec).then(
    (results) => reply({ results }),
    (error: unknown) => reply({ error: String((error as Error)?.stack ?? error) }),
  );
});
process.on('disconnect', () => process.exit(0));
reply('ready');
