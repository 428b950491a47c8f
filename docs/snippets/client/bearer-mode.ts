import { createClient } from '@sess/client';

// A Node service calling a sess API as a non-browser client: tokens held in memory, sent as
// `Authorization: Bearer`, the refresh token in the refresh body. Nothing is broadcast.
export const api = createClient({
  mode: 'bearer',
  baseUrl: 'https://api.example.com',
  tokens: { refreshToken: process.env.API_REFRESH_TOKEN! },
});

api.on('loggedOut', ({ code }) => {
  console.error(`The API session is over (${code}): a new login is needed.`);
});

export async function whoAmI(): Promise<unknown> {
  // No access token yet: the 401 is refreshed with the refresh token, and the request retried.
  const response = await api.fetch('/me');
  if (!response.ok) throw new Error(`GET /me answered ${response.status}`);
  return response.json();
}
