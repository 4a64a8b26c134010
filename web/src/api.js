// Talks to the coalmap service on the page's own origin. Every request carries
// the session's token (if any) as a Bearer header; failures become errors with
// a message a planner can read.

const TOKEN_KEY = 'coalmap.token';

export function getToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
}

export function setToken(t) {
  try {
    if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY);
  } catch { /* private mode: the token lives only in the page */ }
}

export function authHeaders() {
  const t = getToken();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** ApiError is a failed request, with a message in words. */
export class ApiError extends Error {
  constructor(message, status, detail) {
    super(message);
    this.status = status;
    this.detail = detail;
  }
}

const statusWords = {
  400: 'the request was not accepted',
  401: 'a valid access token is needed',
  403: 'your token does not allow this',
  404: 'not found',
  409: 'conflict',
  413: 'the upload is too large',
  422: 'the geometry could not be processed',
  429: 'too many requests, try again shortly',
  500: 'the service failed',
  502: 'the service is unreachable',
  503: 'the service is busy, try again shortly',
  504: 'the service took too long',
};

/**
 * request fetches path from the service and returns the Response, or throws
 * an ApiError whose message says what went wrong.
 */
export async function request(path, { method = 'GET', body, headers = {}, signal, what = 'the request' } = {}) {
  let resp;
  try {
    resp = await fetch(path, { method, body, signal, headers: { ...authHeaders(), ...headers } });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(`Could not reach the coalmap service for ${what}. Check that it is running and try again.`, 0);
  }
  if (!resp.ok) {
    let msg = '';
    let detail;
    try {
      const j = await resp.json();
      msg = j.error || '';
      detail = j.detail;
    } catch { /* not JSON */ }
    const words = statusWords[resp.status] || `HTTP ${resp.status}`;
    let text = `${capital(what)} failed: ${msg || words}`;
    if (detail && typeof detail === 'object') {
      const parts = Object.entries(detail).map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
      if (parts.length) text += ` (${parts.join(', ')})`;
    } else if (detail) {
      text += ` (${detail})`;
    }
    if (msg && words && !msg.toLowerCase().includes(words)) text += ` — ${words}.`;
    throw new ApiError(text, resp.status, detail);
  }
  return resp;
}

export async function getJSON(path, opts = {}) {
  const r = await request(path, { ...opts, headers: { Accept: 'application/json', ...(opts.headers || {}) } });
  return r.json();
}

function capital(s) { return s ? s[0].toUpperCase() + s.slice(1) : s; }
