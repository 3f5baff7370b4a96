// api.js talks to carebill's JSON API with the session cookie alone (the
// server refuses writes other origins make, so there is no token to echo);
// a 401 sends the browser to sign in and back. Amounts stay the decimal
// strings the API sends: nothing here, or anywhere in the UI, does
// arithmetic on money.

/** An error the API answered ({"error":{"code","message","field"}}), or a network failure. */
export class APIError extends Error {
  constructor(status, code, message, field = '', body = null) {
    super(message);
    this.body = body; // the whole answer, for errors that carry more (run_blocked lists each alert)
    this.name = 'APIError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/** Sends the browser to sign in, to come back to where it was. */
export function toLogin() {
  const next = location.pathname + location.search;
  location.assign('/app/login?next=' + encodeURIComponent(next));
}

/**
 * Calls the API and returns its parsed JSON (null for 204).
 * @param {string} method
 * @param {string} path
 * @param {object} [body]
 * @param {{idempotencyKey?: string}} [opts]
 */
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  // <html data-pending> counts the calls in flight, so a page (and a test
  // driving it) can tell when what it asked for has arrived.
  const root = document.documentElement;
  root.dataset.pending = String(Number(root.dataset.pending || 0) + 1);
  try {
    return await call(method, path, body, headers);
  } finally {
    root.dataset.pending = String(Number(root.dataset.pending) - 1);
  }
}

async function call(method, path, body, headers) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new APIError(0, 'network', 'Could not reach carebill. Check your connection and try again.');
  }
  if (res.status === 401 && !path.startsWith('/auth/')) {
    toLogin();
    throw new APIError(401, 'unauthenticated', 'Your session has ended. Taking you to sign in…');
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw new APIError(res.status, e.code || `http_${res.status}`,
      e.message || `carebill answered ${res.status}. Try again in a moment.`, e.field || '', data);
  }
  return data;
}

/**
 * Idempotency keys for one form: the same body gets the same key, so a
 * retried submit cannot create a second record; a changed body gets a new one.
 */
export class IdempotencyKeys {
  constructor() {
    this.body = null;
    this.key = '';
  }

  for(body) {
    const s = JSON.stringify(body);
    if (s !== this.body) {
      this.body = s;
      this.key = crypto.randomUUID();
    }
    return this.key;
  }
}

/** A query string from the non-empty entries of params. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
