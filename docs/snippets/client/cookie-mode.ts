import { createClient } from '@sess/client';

// In the page. Same origin by default; the credentials stay in HttpOnly cookies and the client
// stores nothing (no localStorage, no sessionStorage).
export const client = createClient();

// The session is over, in this tab or in another tab of the app: back to the login form.
client.on('loggedOut', ({ code }) => showLogin(code === null ? 'Logged out.' : 'Please log in.'));
// The idle or absolute timeout ended it: the server answers the refresh with ERR_SESS_EXPIRED.
client.on('expired', () => showLogin('Your session timed out. Please log in again.'));

// The user is here. Without input (or requests through client.fetch), the client makes no
// background refresh, and the server's idle timeout ends the session on time.
export function watchActivity(target: EventTarget): void {
  for (const type of ['pointerdown', 'keydown']) {
    target.addEventListener(type, () => client.activity(), { capture: true, passive: true });
  }
}

export async function logIn(email: string, password: string): Promise<boolean> {
  // A CSRF token is fetched first; the answer's new token and expiry are read by the client.
  const response = await client.fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return response.ok;
}

export async function saveProfile(displayName: string): Promise<Response> {
  // x-csrf-token is added. An access token past its refresh time is refreshed first; a 401 is
  // refreshed and retried once.
  return client.fetch('/account/profile', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ displayName }),
  });
}

// Every tab of this browser gets `loggedOut` at once (this one with remote: false).
export async function logOutEverywhere(): Promise<boolean> {
  return (await client.logoutAll()).ok;
}

// The other devices are logged out; this browser stays logged in and nothing is emitted.
export async function logOutOtherDevices(): Promise<number> {
  const response = await client.logoutAll({ exceptCurrent: true });
  return ((await response.json()) as { revoked: number }).revoked;
}

declare function showLogin(message: string): void;
