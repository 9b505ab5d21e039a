// @ts-check
/** Audit: who called what, from where and with what, filtered by client key, API and time ("is the old key still used?"). */
import { call } from '../api.js';
import { h, field, form, table, when, replace, chart } from '../dom.js';

const APIS = ['', 'Encrypt', 'Decrypt', 'GenerateDataKey', 'Sign', 'Verify', 'GenerateRandom', 'GetSecretValue', 'GetPublicKey',
  'AdvanceEncrypt', 'AdvanceDecrypt', 'AdvanceGenerateDataKey', 'Hash', 'Hmac'];

/** A datetime-local value as ISO 8601, or "". @param {string} local */
function iso(local) {
  return local ? new Date(local).toISOString() : '';
}

/**
 * @param {HTMLElement} body
 * @param {URLSearchParams} query
 */
export async function render(body, query) {
  const clientKey = /** @type {HTMLInputElement} */ (h('input', { name: 'audit-client-key', value: query.get('ClientKeyId') ?? '' }));
  const api = /** @type {HTMLSelectElement} */ (h('select', { name: 'audit-api' }, APIS.map((a) => h('option', { value: a }, a || 'any API'))));
  api.value = query.get('ApiName') ?? '';
  const plane = /** @type {HTMLSelectElement} */ (h('select', { name: 'audit-plane' },
    h('option', { value: '' }, 'both planes'), h('option', { value: 'data' }, 'data plane (applications)'),
    h('option', { value: 'admin' }, 'admin plane (operators)')));
  plane.value = query.get('Plane') ?? '';
  const start = /** @type {HTMLInputElement} */ (h('input', { type: 'datetime-local', name: 'audit-start' }));
  const end = /** @type {HTMLInputElement} */ (h('input', { type: 'datetime-local', name: 'audit-end' }));
  const limit = /** @type {HTMLInputElement} */ (h('input', { type: 'number', min: 1, max: 10000, value: '100', name: 'audit-limit' }));
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  const search = async () => {
    const r = await call('QueryAuditLog', {
      ClientKeyId: clientKey.value.trim(), ApiName: api.value, Plane: plane.value, StartTime: iso(start.value), EndTime: iso(end.value),
      Limit: Number(limit.value),
    });
    const entries = /** @type {any[]} */ (r.Entries);
    const who = clientKey.value.trim();
    replace(results,
      h('p', { class: 'summary', id: 'audit-summary' }, entries.length === 0
        ? (who ? `No calls by ${who} in this range: it is not in use.` : 'No calls in this range.')
        : `${entries.length} call${entries.length === 1 ? '' : 's'}${who ? ` by ${who}` : ''}, the latest ${when(entries[0].Time)}.`),
      who && entries.length > 0 ? perMinute(who, entries) : '',
      h('div', { class: 'audit-table' },
        table('Audit entries, newest first', ['Time', 'API', 'Resource', 'Result', 'Client key or admin token', 'AAP', 'Client IP', 'User agent',
          'Latency'],
        entries.map((e) => [when(e.Time), e.Plane === 'admin' ? `${e.ApiName} (admin)` : e.ApiName, e.Resource || '—', e.ResultCode,
          e.ClientKeyId || e.AdminTokenId || '—', e.AapName || '—', e.ClientIp, h('span', { class: 'ua' }, e.UserAgent || '—'),
          `${(e.LatencyMicros / 1000).toFixed(1)} ms`]), '')));
  };
  replace(body,
    form({
      label: 'Search',
      fields: [h('div', { class: 'filters' },
        field('Client key ID', clientKey, { param: 'ClientKeyId' }), field('API', api, { param: 'ApiName' }),
        field('Plane', plane, { param: 'Plane' }),
        field('From', start, { param: 'StartTime' }), field('To', end, { param: 'EndTime' }), field('At most', limit, { param: 'Limit' }))],
      submit: search,
    }),
    results);
  await search();
}

/**
 * One client key's calls over time: calls per minute across the span of the entries shown (oldest to newest minute).
 * @param {string} who
 * @param {any[]} entries newest first
 */
function perMinute(who, entries) {
  const minute = (/** @type {string} */ t) => Math.floor(Date.parse(t) / 60_000);
  const last = minute(entries[0].Time);
  const first = Math.max(minute(entries[entries.length - 1].Time), last - 24 * 60 + 1);
  const counts = new Array(last - first + 1).fill(0);
  for (const e of entries) {
    const m = minute(e.Time);
    if (m >= first) {
      counts[m - first]++;
    }
  }
  return chart(`Calls per minute by ${who} (the entries shown)`, counts, (v) => `${v}/min`, 'audit-per-minute');
}
