// The demo page: plain DOM, cookies only (nothing in localStorage). Every value from the server is
// written with textContent, so a hostile user agent string cannot inject markup. Requests go
// through @sess/client (served as /client.js): it sends the CSRF header, refreshes before the
// access token expires and after a 401, one refresh at a time across every tab of this browser.
import { createClient } from '/client.js';

const client = createClient();
// For the console (and the browser tests): try `await demoClient.refresh()`.
window.demoClient = client;

// The user is here: only then does the client refresh ahead of expiry. A tab left alone makes no
// request, so the server's idle timeout ends its session on time (SESS_IDLE_TIMEOUT).
for (const type of ['pointerdown', 'keydown']) {
  addEventListener(type, () => client.activity(), { capture: true, passive: true });
}

const $ = (id) => document.getElementById(id);

const show = (id, on) => {
  $(id).hidden = !on;
};
const say = (id, text) => {
  $(id).textContent = text ?? '';
  show(id, Boolean(text));
};
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? 'ERR_HTTP';
  }
}

async function read(res) {
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await client.fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return read(res);
}

function signedOut(message) {
  show('account', false);
  show('login', true);
  say('notice', message);
}

// The session ended: in another tab (its logout, or its "log out everywhere"), or behind a refresh
// (a timer's or a request's). This tab's own logout (code null, not remote) is announced by its
// button.
client.on('loggedOut', ({ code, remote }) => {
  if (remote && code === null) signedOut('Logged out in another tab.');
  else if (code !== null) signedOut('Your session has ended. Please log in again.');
});
client.on('expired', () => signedOut('Your session has expired. Please log in again.'));

async function render() {
  const me = await api('GET', '/me');
  $('whoami').textContent = me.user.email;
  $('display-name').textContent = me.user.displayName || '(not set)';
  $('session-id').textContent = me.session.id;
  $('session-created').textContent = when(me.session.createdAt);
  $('session-expires').textContent = when(me.session.expiresAt);
  const { sessions } = await api('GET', '/auth/sessions');
  $('devices').replaceChildren(...sessions.map(deviceRow));
  show('login', false);
  show('account', true);
}

function deviceRow(device) {
  const row = document.createElement('tr');
  row.dataset.sessionId = device.id;
  // The label ("Chrome 131 on macOS") is parsed by the server; the raw user agent stays beneath
  // it, since the label cannot say everything. Both are client-sent text: textContent, never HTML.
  const agent = row.insertCell();
  agent.className = 'agent';
  const label = document.createElement('strong');
  label.className = 'label';
  label.textContent = device.label ?? 'Unknown device';
  const raw = document.createElement('small');
  raw.className = 'muted';
  raw.textContent = device.userAgent ?? 'no user agent';
  agent.append(label, document.createElement('br'), raw);
  for (const text of [device.ip ?? '—', when(device.createdAt), when(device.lastActiveAt)]) {
    const cell = row.insertCell();
    cell.textContent = text;
  }
  const action = row.insertCell();
  if (device.current) {
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = 'this device';
    action.append(badge);
  } else {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary revoke';
    button.textContent = 'Revoke';
    button.addEventListener('click', () =>
      run(async () => {
        await api('DELETE', `/auth/sessions/${encodeURIComponent(device.id)}`);
        say('notice', 'Device revoked: its next request lands on the login form.');
        await render();
      }),
    );
    action.append(button);
  }
  return row;
}

// Runs a user action: errors are shown; a dead session sends the page back to the login form.
async function run(action) {
  say('error', '');
  try {
    await action();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signedOut('Your session has ended. Please log in again.');
    } else {
      say('error', error instanceof ApiError ? `${error.message} (${error.code})` : String(error));
    }
  }
}

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  run(async () => {
    try {
      await api('POST', '/auth/login', {
        email: form.get('email'),
        password: form.get('password'),
      });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        say('error', 'Wrong email or password.');
        return;
      }
      throw error;
    }
    event.target.reset();
    say('notice', '');
    await render();
  });
});

$('profile-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const displayName = new FormData(event.target).get('displayName');
  run(async () => {
    await api('POST', '/account/profile', { displayName });
    say('notice', 'Profile saved.');
    await render();
  });
});

$('reload').addEventListener('click', () => run(render));
$('refresh').addEventListener('click', () =>
  run(async () => {
    // A rotation on purpose, straight to the server (two tabs clicking at once both reach it:
    // the server's reuse window keeps them both signed in).
    await api('POST', '/auth/refresh');
    say('notice', 'Credentials rotated.');
    await render();
  }),
);
const sessions = (n) => `${n} session${n === 1 ? '' : 's'}`;
// Through the client's own methods: on success every other tab of this browser ends at once.
$('logout').addEventListener('click', () =>
  run(async () => {
    await read(await client.logout());
    signedOut('Logged out.');
  }),
);
$('logout-all').addEventListener('click', () =>
  run(async () => {
    const { revoked } = await read(await client.logoutAll());
    signedOut(`Logged out everywhere (${sessions(revoked)}).`);
  }),
);
// This browser stays logged in; the other devices are logged out.
$('logout-others').addEventListener('click', () =>
  run(async () => {
    const { revoked } = await read(await client.logoutAll({ exceptCurrent: true }));
    say('notice', `Other devices logged out (${sessions(revoked)}).`);
    await render();
  }),
);

run(async () => {
  try {
    await render();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signedOut('');
    else throw error;
  }
});
