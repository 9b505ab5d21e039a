// @ts-check
/** Admin tokens: the console's and the CLI's credentials, each with a role; create (shown once), list, revoke. */
import { call } from '../api.js';
import { h, field, form, table, when, actionButton, errorLine, announce, replace, again } from '../dom.js';

/** What each role may do, as the create form explains it. */
export const ROLES = {
  Admin: 'everything',
  ReadOnly: 'Describe*, List* and the audit; never a secret value or a client key',
  Auditor: 'the audit and DescribeInstance',
  Metrics: 'GET /metrics only (a Prometheus scraper)',
};

/**
 * The once-only display of a new token.
 * @param {any} created CreateAdminToken's answer
 */
function shownOnce(created) {
  const value = /** @type {HTMLInputElement} */ (h('input', {
    readonly: true, value: created.Token, class: 'secret-once', 'aria-label': `Token ${created.TokenId}`, spellcheck: 'false',
  }));
  return h('section', { class: 'panel', role: 'alert' },
    h('h2', null, `Token ${created.TokenId} (${created.Role})`),
    h('p', null, 'Copy it now: this is the only time it is shown. The gateway keeps only its hash.'),
    value,
    h('button', {
      type: 'button',
      onclick: async () => {
        value.select();
        try {
          await navigator.clipboard.writeText(created.Token);
          announce('Token copied.');
        } catch (e) {
          announce('Select the token and copy it.');
        }
      },
    }, 'Copy'));
}

/**
 * @param {HTMLElement} body
 * @param {URLSearchParams} [query]
 * @param {any} [made] a token just created, shown once above the list
 */
export async function render(body, query, made) {
  const { AdminTokens } = await call('ListAdminTokens');
  const errors = errorLine();
  const refresh = again(body, () => render(body));
  const role = /** @type {HTMLSelectElement} */ (h('select', { name: 'token-role', required: true },
    Object.entries(ROLES).map(([r, what]) => h('option', { value: r }, `${r}: ${what}`))));
  role.value = 'ReadOnly';
  const description = /** @type {HTMLInputElement} */ (h('input', { name: 'token-description', maxlength: 1024 }));
  const days = /** @type {HTMLInputElement} */ (h('input', { name: 'token-days', type: 'number', min: 1, max: 3650 }));
  replace(body,
    errors,
    made ? shownOnce(made) : null,
    table('Admin tokens', ['Token id', 'Role', 'Description', 'State', 'Created', 'Expires', 'Last used', 'Actions'],
      AdminTokens.map((/** @type {any} */ t) => [
        h('span', { class: 'token-id' }, t.TokenId), t.Role, t.Description, t.State, when(t.CreateTime), t.ExpireTime ? when(t.ExpireTime) : 'never',
        t.LastUsedTime ? when(t.LastUsedTime) : 'never',
        t.State === 'Active'
          ? actionButton('Revoke', async () => {
            if (confirm(`Revoke admin token ${t.TokenId} (${t.Role})? Every call with it is refused from the next one on.`)) {
              await call('RevokeAdminToken', { TokenId: t.TokenId });
              announce(`Admin token ${t.TokenId} revoked.`);
              await refresh();
            }
          }, errors, { class: 'danger', 'aria-label': `Revoke admin token ${t.TokenId}` })
          : '',
      ])),
    h('section', { class: 'panel' }, h('h2', null, 'New admin token'),
      form({
        label: 'Create admin token',
        fields: [
          field('Role', role, { param: 'Role' }),
          field('Description', description, { param: 'Description', hint: 'What it is for, e.g. "Prometheus on mon-1".' }),
          field('Expires in days', days, { param: 'ExpiresInDays', hint: 'Empty: never.' }),
        ],
        submit: async () => {
          /** @type {Record<string, unknown>} */
          const params = { Role: role.value, Description: description.value };
          if (days.value) {
            params.ExpiresInDays = days.value;
          }
          const fresh = await call('CreateAdminToken', params);
          await again(body, () => render(body, query, fresh))();
          announce(`Admin token ${fresh.TokenId} created; copy it now.`);
        },
      })));
}
