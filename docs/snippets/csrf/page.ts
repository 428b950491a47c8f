// In the browser. One token per page: a pre-session token before login, then the session's.
let token: string | null = null;

async function post(path: string, body: object): Promise<Response> {
  if (token === null) {
    const response = await fetch('/auth/csrf', { credentials: 'same-origin' });
    token = ((await response.json()) as { csrfToken: string }).csrfToken;
  }
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': token },
    body: JSON.stringify(body),
  });
}

export async function login(email: string, password: string): Promise<Response> {
  const response = await post('/auth/login', { email, password });
  // The session has a new id: switch to the token bound to it.
  if (response.ok) token = ((await response.clone().json()) as { csrfToken: string }).csrfToken;
  return response;
}

export const saveProfile = (displayName: string): Promise<Response> =>
  post('/account/profile', { displayName });
