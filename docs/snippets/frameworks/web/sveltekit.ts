// src/hooks.server.ts
import type { Validated } from '@sess/core';
import { auth, authRoutes } from './auth.ts';

// SvelteKit's `Handle` and `RequestEvent` by their shape (in your app:
// `import type { Handle } from '@sveltejs/kit'`, and `session` declared in `App.Locals`).
interface RequestEvent {
  request: Request;
  locals: { session?: Validated | null };
  getClientAddress(): string;
}
type Handle = (input: {
  event: RequestEvent;
  resolve(event: RequestEvent): Promise<Response>;
}) => Promise<Response>;

export const handle: Handle = async ({ event, resolve }) => {
  const ip = event.getClientAddress();
  const result = await auth.authenticate(event.request, { ip });
  if (result.response) return result.response;
  const routed = await authRoutes(event.request);
  if (routed) return auth.apply(routed, result);
  event.locals.session = result.session; // read it in load functions and actions
  return auth.apply(await resolve(event), result);
};
