import type { ErrorBody } from '@sess/core';

declare function refresh(): Promise<boolean>; // POST /auth/refresh; true when it answered 200
declare function showLogin(): void;

// In the client: retry once after a refresh when the access token expired; otherwise sign in.
export async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(path, { credentials: 'same-origin', ...init });
  if (response.status !== 401) return response;
  const { error } = (await response.clone().json()) as ErrorBody;
  if (error.code === 'ERR_SESS_EXPIRED' && (await refresh())) {
    return fetch(path, { credentials: 'same-origin', ...init });
  }
  showLogin(); // ERR_SESS_NO_CREDENTIAL, ERR_SESS_REVOKED, ERR_SESS_INVALID_CREDENTIAL, ...
  return response;
}
