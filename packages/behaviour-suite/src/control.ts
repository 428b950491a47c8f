import type { FixtureControl, TargetSetup } from './fixture.ts';

/**
 * The Bun target's control endpoint, between the test process and the app under `Bun.serve`: a
 * path no case requests, answered only to loopback callers that send the run's token.
 */
export const CONTROL_PATH = '/__behaviour-suite/control';
/** The header that carries the run's token. */
export const CONTROL_TOKEN_HEADER = 'x-behaviour-suite-token';
/** The environment variable the Bun process reads the run's token from. */
export const CONTROL_TOKEN_ENV = 'SESS_BEHAVIOUR_SUITE_TOKEN';

/** Every {@link FixtureControl} method, by name: the only ones the endpoint calls. */
export const CONTROL_METHODS: Readonly<Record<keyof FixtureControl, true>> = {
  advance: true,
  setBroken: true,
  metrics: true,
  events: true,
  list: true,
  revoke: true,
};

/** A request body: rebuild the fixture and app for a case, or call one control method. */
export type ControlCall =
  | { method: 'reset'; args: [TargetSetup] }
  | { method: keyof FixtureControl; args: unknown[] };

/** A response body: the method's result, or why it failed. */
export type ControlReply = { result: unknown } | { error: string };
