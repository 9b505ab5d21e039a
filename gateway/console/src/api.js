// @ts-check
/**
 * The admin API, as the console's only backend. The admin token lives in this module's closure: never in
 * localStorage, sessionStorage or a cookie, so a reload logs out and no other site can make the browser send it.
 */

/** An error answer of the admin API: HTTP status, the API's Code and Message, and the parameter it names. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {string} requestId
   */
  constructor(status, code, message, requestId) {
    super(message);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    const named = /^The parameter ([A-Za-z/]+) is invalid/.exec(message);
    /** @type {string | null} the parameter an InvalidParameter answer names */
    this.param = named ? named[1] : null;
  }
}

/** @type {string | null} */
let token = null;
/** @type {() => void} */
let onLoggedOut = () => {};

/** @param {() => void} handler called when the API refuses the token (401) */
export function whenLoggedOut(handler) {
  onLoggedOut = handler;
}

export function loggedIn() {
  return token !== null;
}

/**
 * Checks a token with DescribeInstance and keeps it when the API accepts it.
 * @param {string} candidate
 */
export async function login(candidate) {
  const info = await post('DescribeInstance', {}, candidate.trim());
  token = candidate.trim();
  return info;
}

export function logout() {
  token = null;
}

/**
 * Calls one admin action.
 * @param {string} action OpenAPI name, e.g. "CreatePolicy"
 * @param {Record<string, unknown>} [params]
 * @returns {Promise<any>}
 */
export function call(action, params = {}) {
  if (token === null) {
    return Promise.reject(new ApiError(401, 'Unauthorized', 'Log in with the admin token first.', ''));
  }
  return post(action, params, token);
}

/**
 * @param {string} action
 * @param {Record<string, unknown>} params
 * @param {string} bearer
 */
async function post(action, params, bearer) {
  let resp;
  try {
    resp = await fetch(`/admin/v1/${encodeURIComponent(action)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` },
      body: JSON.stringify(params),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'NetworkError', 'The gateway did not answer; is it running?', '');
  }
  /** @type {any} */
  let body = null;
  try {
    body = await resp.json();
  } catch (e) {
    body = null;
  }
  if (!resp.ok) {
    const err = new ApiError(resp.status, body?.Code ?? 'HttpError', body?.Message ?? `HTTP ${resp.status}`, body?.RequestId ?? '');
    if (resp.status === 401 && bearer === token) {
      token = null;
      onLoggedOut();
    }
    throw err;
  }
  return body;
}

/** The admin plane's readiness, without a token. */
export async function readiness() {
  try {
    const resp = await fetch('/readyz', { cache: 'no-store', credentials: 'omit' });
    return resp.ok ? 'ready' : 'not ready';
  } catch (e) {
    return 'unreachable';
  }
}
