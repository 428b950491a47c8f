import { sess } from './sess.ts';

declare const audit: { info(message: string, fields: object): void };
declare function notifyUser(userId: string, message: string): void;

// Every revocation, with its reason: logout, user, everything, reuse, binding, evicted, ...
sess.on('session.revoked', ({ sessionId, userId, reason }) => {
  audit.info('session revoked', { sessionId, userId, reason }); // ids only, never a secret
});
// A refresh token was used twice: the session is already revoked; tell its owner.
sess.on('refresh.reused', ({ userId }) => {
  notifyUser(userId, 'We signed you out on a device because its sign-in was used twice.');
});
