import { sess } from './sess.ts';

declare const user: { id: string };
declare const current: { sessionId: string }; // the request's validated session
declare const deviceId: string; // a session id from sess.list(user.id)

// "Log out other devices", and what a password or MFA change offers: the current session stays.
await sess.revokeAllForUser(user.id, { except: [current.sessionId] });

// One device from the device list.
await sess.revoke(deviceId);

// Account disabled or deleted: every session, and every access token issued up to now.
await sess.revokeAllForUser(user.id);

// Incident: every session and access token of every user, issued up to now.
await sess.revokeEverything();
