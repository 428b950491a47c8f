import { createClient } from '@sess/client';

// In the page. Same origin by default; the credentials stay in HttpOnly cookies and the client
// stores nothing (no localStorage, no sessionStorage).
export const client = createClient();

// The session is over, in this tab or in another tab of the app: back to the login form.
client.on('loggedOut', ({ code }) => showLogin(code === null ? 'Logged out.' : 'Please log in.'));
client.on('expired', () => showLogin('Your session timed out. Please log in again.'));

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

declare function showLogin(message: string): void;
