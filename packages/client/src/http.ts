/** A sess JSON body, or null when the body is not a JSON object. */
export const json = async (res: Response): Promise<Record<string, unknown> | null> => {
  try {
    const body = await res.clone().json();
    return body !== null && typeof body === 'object' ? body : null;
  } catch {
    return null;
  }
};

/** The `error` of a sess error body (empty when there is none). */
export const errorOf = async (
  res: Response,
): Promise<{ code?: string; details?: { limit?: string } }> =>
  ((await json(res))?.error ?? {}) as { code?: string; details?: { limit?: string } };

/** Whether a request method may change state (and so needs the CSRF header). */
export const UNSAFE: RegExp = /^(?!GET$|HEAD$|OPTIONS$|TRACE$)/i;

/** Whether a request body can be sent twice (a stream cannot). */
export const retriable = (body: RequestInit['body']): boolean =>
  body == null || typeof body === 'string' || !('getReader' in body);
