import type { Validated } from '@sess/core';
import { sess } from './sess.ts';

declare const auth: Validated; // the request's validated session
declare const password: string;
declare function passwordMatches(userId: string, password: string): Promise<boolean>;

// Before a sensitive action: NotFreshError (401) unless the user signed in within 5 minutes.
sess.requireFresh(auth, '5m');

// When it throws, the client asks for the password again. Once your check passes:
if (await passwordMatches(auth.userId, password)) {
  const stepUp = await sess.regenerate(auth.sessionId, { authenticated: true });
  stepUp.cookies; // set these: they replace the old session's cookies
  stepUp.session.authenticatedAt; // now, so requireFresh(…, '5m') passes for five minutes
}
