import { sess } from './jwt.ts';

declare const user: { id: string };

// Login: a session, an access token for requests, and the credential as the refresh token.
const issued = await sess.create(user.id);
issued.expiresIn; // seconds the access token lives: refresh before then

// Every request: signature and claims, then the cached deny-list and watermarks. No store read.
const auth = await sess.validate(issued.accessToken);
auth.claims?.sid; // the session id; auth.userId is the `sub` claim

// Refresh: the presented credential rotates, and a new access token comes with it.
const next = await sess.refresh(issued.credential);
next.credential; // the new refresh token; the old one is superseded
