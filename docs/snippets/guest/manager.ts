import type { CookieInstruction } from '@sess/core';
import { sess } from './config.ts';

declare const credential: string | undefined; // the guest cookie's value, if any
declare const userId: string;
declare function setCookies(cookies: readonly CookieInstruction[]): void;

// Read: null when there is none (nothing is created).
const current = await sess.guest.read(credential);
// Write (after your CSRF checks, on an unsafe request): creates one when there is none.
const written = await sess.guest.write(credential, { ...current?.data, locale: 'fr' });
setCookies(written.cookies); // the new guest cookie when `written.created`
// At login: a user session carrying only `cart`; the guest session is gone.
const issued = await sess.guest.upgrade(credential, userId, { carry: ['cart'] });
setCookies(issued.cookies);
// "Clear my cart": end it.
await sess.guest.end(credential);
