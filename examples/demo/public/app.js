// The demo page: plain DOM, cookies only (nothing in localStorage). Every value from the server is
// written with textContent, so a hostile user agent string cannot inject markup.
const $ = (id) => document.getElementById(id);
let csrfToken = null;

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

async function request(method, path, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken ?? '';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = await res.json().catch(() => null);
  if (data?.csrfToken) csrfToken = data.csrfToken;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

async function fetchCsrf() {
  await request('GET', '/auth/csrf');
}

// One recovery per call: a stale CSRF token is fetched again; an expired access token is refreshed.
// When the refresh fails too, the session is over and the first 401 stands.
async function api(method, path, body) {
  try {
    return await request(method, path, body);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 403 && error.code === 'ERR_SESS_CSRF') await fetchCsrf();
    else if (error.status === 401 && path !== '/auth/login') await refreshOr(error);
    else throw error;
    return request(method, path, body);
  }
}

async function refreshOr(original) {
  try {
    await request('POST', '/auth/refresh');
  } catch {
    throw original;
  }
}

function signedOut(message) {
  show('account', false);
  show('login', true);
  say('notice', message);
}

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
  const cells = [
    device.userAgent ?? 'unknown',
    device.ip ?? '—',
    when(device.createdAt),
    when(device.lastActiveAt),
  ];
  for (const text of cells) {
    const cell = row.insertCell();
    cell.textContent = text;
  }
  row.cells[0].className = 'agent';
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
      csrfToken = null;
      await fetchCsrf().catch(() => {});
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
    await request('POST', '/auth/refresh');
    say('notice', 'Credentials rotated.');
    await render();
  }),
);
$('logout').addEventListener('click', () =>
  run(async () => {
    await api('POST', '/auth/logout');
    csrfToken = null;
    await fetchCsrf();
    signedOut('Logged out.');
  }),
);
$('logout-all').addEventListener('click', () =>
  run(async () => {
    const { revoked } = await api('POST', '/auth/logout-all', {});
    csrfToken = null;
    await fetchCsrf();
    signedOut(`Logged out everywhere (${revoked} session${revoked === 1 ? '' : 's'}).`);
  }),
);

run(async () => {
  await fetchCsrf();
  try {
    await render();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signedOut('');
    else throw error;
  }
});
