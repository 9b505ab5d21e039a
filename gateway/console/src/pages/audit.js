// @ts-check
/** Audit: who called what, from where and with what, filtered by client key, API and time ("is the old key still used?"). */
import { call } from '../api.js';
import { h, field, form, table, when, replace } from '../dom.js';

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
  const start = /** @type {HTMLInputElement} */ (h('input', { type: 'datetime-local', name: 'audit-start' }));
  const end = /** @type {HTMLInputElement} */ (h('input', { type: 'datetime-local', name: 'audit-end' }));
  const limit = /** @type {HTMLInputElement} */ (h('input', { type: 'number', min: 1, max: 10000, value: '100', name: 'audit-limit' }));
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  const search = async () => {
    const r = await call('QueryAuditLog', {
      ClientKeyId: clientKey.value.trim(), ApiName: api.value, StartTime: iso(start.value), EndTime: iso(end.value), Limit: Number(limit.value),
    });
    const entries = /** @type {any[]} */ (r.Entries);
    const who = clientKey.value.trim();
    replace(results,
      h('p', { class: 'summary', id: 'audit-summary' }, entries.length === 0
        ? (who ? `No calls by ${who} in this range: it is not in use.` : 'No calls in this range.')
        : `${entries.length} call${entries.length === 1 ? '' : 's'}${who ? ` by ${who}` : ''}, the latest ${when(entries[0].Time)}.`),
      table('Audit entries, newest first', ['Time', 'API', 'Resource', 'Result', 'Client key', 'AAP', 'Client IP', 'User agent', 'Latency'],
        entries.map((e) => [when(e.Time), e.ApiName, e.Resource || '—', e.ResultCode, e.ClientKeyId || '—', e.AapName || '—', e.ClientIp,
          h('span', { class: 'ua' }, e.UserAgent || '—'), `${(e.LatencyMicros / 1000).toFixed(1)} ms`]), ''));
  };
  replace(body,
    form({
      label: 'Search',
      fields: [h('div', { class: 'filters' },
        field('Client key ID', clientKey, { param: 'ClientKeyId' }), field('API', api, { param: 'ApiName' }),
        field('From', start, { param: 'StartTime' }), field('To', end, { param: 'EndTime' }), field('At most', limit, { param: 'Limit' }))],
      submit: search,
    }),
    results);
  await search();
}
