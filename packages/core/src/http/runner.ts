import type { HttpAuth } from './contract.ts';
import type { HttpHeader, HttpReply } from './reply.ts';
import type { AuthState } from './state.ts';

/**
 * What a step decided: append `headers` to the response, then send `reply` (its own headers are
 * `headers`) or, when it is null, hand on to the next handler.
 */
export interface Outcome {
  readonly headers: readonly HttpHeader[];
  readonly reply: HttpReply | null;
}

/** One middleware's behaviour for request `C`. Rejects only with errors that are not sess's own. */
export type Runner<C> = (ctx: C) => Promise<Outcome>;

/** A step of a middleware: a reply to send, or undefined to hand on. It may throw a sess error. */
export type Step<C> = (
  ctx: C,
  state: AuthState,
) => Promise<HttpReply | undefined> | HttpReply | undefined;

const NO_HEADERS: readonly HttpHeader[] = Object.freeze([]);
const PASS: Outcome = Object.freeze({ reply: null, headers: NO_HEADERS });

/**
 * Turns steps into {@link Runner}s that share one request state: the first sess middleware of a
 * request authenticates it (later ones reuse the state) and carries the renewed cookies, so any
 * one of them (`requireSession` alone on a route, say) is complete. An error reply, thrown or
 * returned, carries the cookies `errorReply` chose (the renewal among them) and nothing else.
 */
export function createStepRunner<C extends object>(
  http: HttpAuth,
  attach: (ctx: C, state: AuthState) => void,
  request: (ctx: C) => Parameters<HttpAuth['authenticate']>[0],
): StepRunner<C> {
  // The request's state rides on the request object itself under a private symbol (one per
  // binding): a WeakMap entry per request costs more, in its insert and in every GC that follows.
  const STATE = Symbol('sess.state');
  type Carrier = { [STATE]?: AuthState };

  // Written with `then`, not `async`: an async frame per middleware per request is most of what a
  // cached validation would allocate.
  const failure = (error: unknown, state: AuthState | undefined): Outcome => {
    const reply = http.errorReply(error, state);
    if (reply === null) throw error;
    return { reply, headers: reply.headers };
  };
  const outcome = (reply: HttpReply | undefined, renewal: readonly HttpHeader[]): Outcome => {
    if (reply === undefined) return renewal.length === 0 ? PASS : { reply: null, headers: renewal };
    return {
      reply,
      headers:
        renewal.length === 0 || reply.status >= 400
          ? reply.headers
          : [...renewal, ...reply.headers],
    };
  };
  const make = (step: Step<C>): Runner<C> => {
    const settle = (ctx: C, state: AuthState, renewal: readonly HttpHeader[]) => {
      let result: ReturnType<Step<C>>;
      try {
        result = step(ctx, state);
      } catch (error) {
        return failure(error, state);
      }
      return result instanceof Promise // guards answer at once
        ? result.then(
            (reply) => outcome(reply, renewal),
            (error: unknown) => failure(error, state),
          )
        : outcome(result, renewal);
    };
    const authenticated = (ctx: C, state: AuthState) => {
      let renewal: readonly HttpHeader[];
      try {
        (ctx as Carrier)[STATE] = state;
        attach(ctx, state);
        renewal = http.renewalHeaders(state);
      } catch (error) {
        return failure(error, state);
      }
      return settle(ctx, state, renewal);
    };
    return (ctx) => {
      const state = (ctx as Carrier)[STATE];
      try {
        if (state !== undefined) return Promise.resolve(settle(ctx, state, NO_HEADERS));
        return http.authenticate(request(ctx)).then(
          (fresh) => authenticated(ctx, fresh),
          (error: unknown) => failure(error, undefined),
        );
      } catch (error) {
        // A throw of a non-sess error from `failure` becomes the rejection, as the contract says.
        return new Promise<Outcome>((resolve) => resolve(failure(error, state)));
      }
    };
  };
  // For the app's own calls (guest data): the request's state, authenticated now if no sess
  // middleware ran yet (then with its renewal headers). Throws what authentication throws.
  make.state = (ctx: C): Promise<{ state: AuthState; headers: readonly HttpHeader[] }> => {
    const known = (ctx as Carrier)[STATE];
    if (known !== undefined) return Promise.resolve({ state: known, headers: NO_HEADERS });
    return http.authenticate(request(ctx)).then((state) => {
      (ctx as Carrier)[STATE] = state;
      attach(ctx, state);
      return { state, headers: http.renewalHeaders(state) };
    });
  };
  return make;
}

/** {@link createStepRunner}'s result: runners from steps, and a request's state on demand. */
export interface StepRunner<C> {
  (step: Step<C>): Runner<C>;
  state(ctx: C): Promise<{ state: AuthState; headers: readonly HttpHeader[] }>;
}
