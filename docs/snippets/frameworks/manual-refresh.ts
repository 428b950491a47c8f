import { parseCredential, readCookies } from '@sess/core';
import { fail, reply, sess } from './manual-server.ts';

export async function refresh(request: Request): Promise<Response> {
  try {
    const { values } = readCookies(request.headers.get('cookie'), sess.cookies.names);
    let token = values.refresh;
    if (token !== undefined) {
      await sess.csrf?.protect(request, { sessionId: parseCredential(token)?.id });
    } else {
      const json = (await request.json().catch(() => ({}))) as { refreshToken?: string };
      token = json.refreshToken;
    }
    const issued = await sess.refresh(token);
    const body = { accessToken: issued.accessToken, expiresIn: issued.expiresIn };
    return reply(body, 200, issued.cookies);
  } catch (error) {
    return fail(error);
  }
}
