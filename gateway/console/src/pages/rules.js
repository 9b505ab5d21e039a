// @ts-check
/** Network rules: the source addresses a policy may require of an application. */
import { call } from '../api.js';
import { h, field, form, table, when, actionButton, errorLine, announce, replace, again } from '../dom.js';

/**
 * @param {string} text addresses or CIDR blocks, separated by commas, spaces or lines
 */
export function addresses(text) {
  return text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

/**
 * The create-rule form (also a step of the standard-creation wizard).
 * @param {(rule: any) => void} created
 * @param {string} [label]
 */
export function ruleForm(created, label = 'Create network rule') {
  const name = /** @type {HTMLInputElement} */ (h('input', { name: 'rule-name', required: true, maxlength: 64 }));
  const ips = /** @type {HTMLTextAreaElement} */ (h('textarea', { name: 'rule-ips', rows: 3, required: true }));
  const description = /** @type {HTMLInputElement} */ (h('input', { name: 'rule-description' }));
  return form({
    label,
    fields: [
      field('Rule name', name, { param: 'Name' }),
      field('Allowed source addresses', ips, {
        param: 'SourcePrivateIp', hint: 'IPv4/IPv6 addresses or CIDR blocks, one per line or comma-separated, e.g. 10.0.0.0/8.',
      }),
      field('Description', description, { param: 'Description' }),
    ],
    submit: async () => {
      const rule = await call('CreateNetworkRule', {
        Name: name.value.trim(), Type: 'Private', SourcePrivateIp: addresses(ips.value), Description: description.value,
      });
      announce(`Network rule ${rule.Name} created.`);
      created(rule);
    },
  });
}

/** @param {HTMLElement} body */
export async function render(body) {
  const { NetworkRules } = await call('ListNetworkRules');
  const errors = errorLine();
  const refresh = again(body, () => render(body));
  replace(body,
    errors,
    table('Network rules', ['Name', 'Allowed sources', 'Description', 'Created', 'Actions'],
      NetworkRules.map((/** @type {any} */ r) => [
        r.Name, r.SourcePrivateIp.join(', '), r.Description, when(r.CreateTime),
        h('div', { class: 'row-actions' },
          actionButton('Edit sources', async () => {
            const next = prompt(`Allowed sources of ${r.Name} (comma-separated):`, r.SourcePrivateIp.join(', '));
            if (next !== null) {
              await call('UpdateNetworkRule', { Name: r.Name, SourcePrivateIp: addresses(next) });
              await refresh();
            }
          }, errors, { 'aria-label': `Edit sources of ${r.Name}` }),
          actionButton('Delete', async () => {
            if (confirm(`Delete network rule ${r.Name}?`)) {
              await call('DeleteNetworkRule', { Name: r.Name });
              announce(`Network rule ${r.Name} deleted.`);
              await refresh();
            }
          }, errors, { class: 'danger', 'aria-label': `Delete network rule ${r.Name}` })),
      ]), 'No network rules yet: without one, a policy admits every source address.'),
    h('section', { class: 'panel' }, h('h2', null, 'New network rule'), ruleForm(() => refresh())));
}
