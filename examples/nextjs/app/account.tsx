'use client';

// The page's client half: every request goes through @sess/client, which sends the CSRF header,
// refreshes the credentials when they near their expiry or after a 401, and ends every tab of the
// browser at once on a logout. The credentials stay in HttpOnly cookies: nothing in storage.
import { createClient, type SessClient } from '@sess/client';
import { type FormEvent, useCallback, useEffect, useState } from 'react';

interface Me {
  user: { id: string; email?: string };
  session: { id: string; createdAt: number | null; expiresAt: number | null };
}

interface Device {
  id: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: string | number | null;
  lastActiveAt: string | number | null;
  current: boolean;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// Created on first use in the browser: the client reads `location`, which the server render lacks.
let sessClient: SessClient | undefined;
const client = (): SessClient => {
  sessClient ??= createClient();
  return sessClient;
};

async function read<T>(response: Response): Promise<T> {
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data?.error ?? {};
    throw new ApiError(response.status, error.code ?? 'ERR_HTTP', error.message ?? 'Failed');
  }
  return data as T;
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  return read<T>(await client().fetch(path, init));
}

const when = (time: string | number | null) => (time ? new Date(time).toLocaleString() : '—');
const plural = (n: number) => `${n} session${n === 1 ? '' : 's'}`;
const ENDED = 'Your session has ended. Please log in again.';

export function Account() {
  const [me, setMe] = useState<Me | null>(null);
  const [devices, setDevices] = useState<Device[]>([]);
  const [view, setView] = useState<'loading' | 'login' | 'account'>('loading');
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');

  const signedOut = useCallback((message: string) => {
    setMe(null);
    setDevices([]);
    setView('login');
    setNotice(message);
  }, []);

  const render = useCallback(async () => {
    const [who, list] = await Promise.all([
      api<Me>('GET', '/api/me'),
      api<{ sessions: Device[] }>('GET', '/api/devices'),
    ]);
    setMe(who);
    setDevices(list.sessions);
    setView('account');
  }, []);

  // Runs a user action: errors are shown; a dead session sends the page back to the login form.
  const run = useCallback(
    async (action: () => Promise<void>) => {
      setError('');
      try {
        await action();
      } catch (caught) {
        if (caught instanceof ApiError && caught.status === 401) signedOut(ENDED);
        else
          setError(
            caught instanceof ApiError ? `${caught.message} (${caught.code})` : String(caught),
          );
      }
    },
    [signedOut],
  );

  useEffect(() => {
    const sess = client();
    // The user is here: only then does the client refresh ahead of expiry.
    const active = () => sess.activity();
    for (const type of ['pointerdown', 'keydown']) {
      addEventListener(type, active, { capture: true, passive: true });
    }
    // The session ended in another tab, or behind a refresh; this tab's own logout says so itself.
    const off = [
      sess.on('loggedOut', ({ code, remote }) => {
        if (remote && code === null) signedOut('Logged out in another tab.');
        else if (code !== null) signedOut(ENDED);
      }),
      sess.on('expired', () => signedOut('Your session has expired. Please log in again.')),
    ];
    render().catch((caught) => {
      if (caught instanceof ApiError && caught.status === 401) signedOut('');
      else setError(String(caught));
    });
    return () => {
      for (const type of ['pointerdown', 'keydown']) {
        removeEventListener(type, active, { capture: true });
      }
      for (const unsubscribe of off) unsubscribe();
    };
  }, [render, signedOut]);

  const logIn = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const fields = new FormData(form);
    void run(async () => {
      try {
        await api('POST', '/auth/login', {
          email: fields.get('email'),
          password: fields.get('password'),
        });
      } catch (caught) {
        if (caught instanceof ApiError && caught.status === 401) {
          setError('Wrong email or password.');
          return;
        }
        throw caught;
      }
      form.reset();
      setNotice('');
      await render();
    });
  };

  const revoke = (id: string) =>
    run(async () => {
      await api('DELETE', `/api/devices/${encodeURIComponent(id)}`);
      setNotice('Device revoked: its next request lands on the login form.');
      await render();
    });

  const logOut = () =>
    run(async () => {
      await read(await client().logout());
      signedOut('Logged out.');
    });

  const logOutEverywhere = () =>
    run(async () => {
      const { revoked } = await read<{ revoked: number }>(await client().logoutAll());
      signedOut(`Logged out everywhere (${plural(revoked)}).`);
    });

  return (
    <>
      {notice && <p id="notice">{notice}</p>}
      {error && (
        <p id="error" role="alert">
          {error}
        </p>
      )}
      {view === 'login' && (
        <form id="login-form" onSubmit={logIn}>
          <input name="email" type="email" placeholder="Email" autoComplete="username" required />
          <input
            name="password"
            type="password"
            placeholder="Password"
            autoComplete="current-password"
            required
          />
          <button type="submit">Log in</button>
        </form>
      )}
      {view === 'account' && me && (
        <section id="account">
          <p>
            Signed in as <strong id="whoami">{me.user.email ?? me.user.id}</strong>, session{' '}
            <code id="session-id">{me.session.id}</code>, expires {when(me.session.expiresAt)}.
          </p>
          <h2>Devices</h2>
          <table>
            <thead>
              <tr>
                <th>Browser</th>
                <th>IP</th>
                <th>Since</th>
                <th>Last active</th>
                <th />
              </tr>
            </thead>
            <tbody id="devices">
              {devices.map((device) => (
                <tr key={device.id} data-session-id={device.id}>
                  <td>{device.userAgent ?? 'unknown'}</td>
                  <td>{device.ip ?? '—'}</td>
                  <td>{when(device.createdAt)}</td>
                  <td>{when(device.lastActiveAt)}</td>
                  <td>
                    {device.current ? (
                      <span className="badge">this device</span>
                    ) : (
                      <button type="button" className="revoke" onClick={() => revoke(device.id)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            <button type="button" id="reload" onClick={() => run(render)}>
              Reload
            </button>{' '}
            <button type="button" id="logout" onClick={logOut}>
              Log out
            </button>{' '}
            <button type="button" id="logout-all" onClick={logOutEverywhere}>
              Log out everywhere
            </button>
          </p>
        </section>
      )}
    </>
  );
}
