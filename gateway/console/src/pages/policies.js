// @ts-check
/** Permission policies: an RBAC role, the resources it reaches, and the network rules it requires. */
import { call } from '../api.js';
import { h, field, form, table, when, actionButton, errorLine, announce, uid, replace, again } from '../dom.js';

export const ROLES = [
  { value: 'RbacPermission/Template/CryptoServiceKeyUser', label: 'CryptoServiceKeyUser (use keys: encrypt, decrypt, sign, …)' },
  { value: 'RbacPermission/Template/CryptoServiceSecretUser', label: 'CryptoServiceSecretUser (read secret values)' },
];

/**
 * A group of checkboxes as one labelled field.
 * @param {string} legend
 * @param {{ value: string, label: string, checked?: boolean }[]} options
 * @param {string} param
 * @param {string} [hint]
 */
export function checkboxes(legend, options, param, hint) {
  const boxes = options.map((o) => {
    const id = uid('cb');
    return h('div', { class: 'check' },
      h('input', { type: 'checkbox', id, value: o.value, checked: o.checked ?? false }), h('label', { for: id }, o.label));
  });
  const set = h('fieldset', { class: 'field', 'data-param': param },
    h('legend', null, legend),
    hint ? h('p', { class: 'hint' }, hint) : null,
    options.length ? boxes : h('p', { class: 'empty' }, 'None available.'),
    h('p', { class: 'field-error', role: 'alert', hidden: true }));
  return {
    el: set,
    /** @returns {string[]} */
    values: () => [...set.querySelectorAll('input[type=checkbox]:checked')].map((b) => /** @type {HTMLInputElement} */ (b).value),
  };
}

/**
 * The create-policy form (also a step of the wizard).
 * @param {{ rules: string[], preselectRules?: string[], created: (policy: any) => void, label?: string }} opts
 */
export function policyForm(opts) {
  const name = /** @type {HTMLInputElement} */ (h('input', { name: 'policy-name', required: true, maxlength: 64 }));
  const roles = checkboxes('Role', ROLES.map((r, i) => ({ ...r, checked: i === 0 })), 'Permissions');
  const resources = /** @type {HTMLTextAreaElement} */ (h('textarea', { name: 'policy-resources', rows: 3 }, 'key/*'));
  const rules = checkboxes('Network rules', opts.rules.map((r) => ({ value: r, label: r, checked: (opts.preselectRules ?? []).includes(r) })),
    'AccessControlRules', 'Requests must come from an address one of the chosen rules allows. None chosen: any address.');
  const description = /** @type {HTMLInputElement} */ (h('input', { name: 'policy-description' }));
  return form({
    label: opts.label ?? 'Create policy',
    fields: [
      field('Policy name', name, { param: 'Name' }),
      roles.el,
      field('Accessible resources', resources, {
        param: 'Resources',
        hint: 'One per line: key/* (all keys), key/<key id>, key/alias/<name>, secret/* or secret/<name>; a trailing * matches a prefix.',
      }),
      rules.el,
      field('Description', description, { param: 'Description' }),
    ],
    submit: async () => {
      const policy = await call('CreatePolicy', {
        Name: name.value.trim(),
        Permissions: roles.values(),
        Resources: resources.value.split(/[\s,]+/).filter(Boolean),
        AccessControlRules: JSON.stringify({ NetworkRules: rules.values() }),
        Description: description.value,
      });
      announce(`Policy ${policy.Name} created.`);
      opts.created(policy);
    },
  });
}

/** @param {string} roleValue */
export function roleName(roleValue) {
  return roleValue.replace('RbacPermission/Template/', '');
}

/** @param {HTMLElement} body */
export async function render(body) {
  const [{ Policies }, { NetworkRules }] = await Promise.all([call('ListPolicies'), call('ListNetworkRules')]);
  const errors = errorLine();
  const refresh = again(body, () => render(body));
  replace(body,
    errors,
    table('Policies', ['Name', 'Roles', 'Resources', 'Network rules', 'Created', 'Actions'],
      Policies.map((/** @type {any} */ p) => [
        p.Name, p.Permissions.map(roleName).join(', '), p.Resources.join(', '),
        JSON.parse(p.AccessControlRules).NetworkRules.join(', ') || 'any address', when(p.CreateTime),
        actionButton('Delete', async () => {
          if (confirm(`Delete policy ${p.Name}?`)) {
            await call('DeletePolicy', { Name: p.Name });
            announce(`Policy ${p.Name} deleted.`);
            await refresh();
          }
        }, errors, { class: 'danger', 'aria-label': `Delete policy ${p.Name}` }),
      ])),
    h('section', { class: 'panel' }, h('h2', null, 'New policy'),
      policyForm({ rules: NetworkRules.map((/** @type {any} */ r) => r.Name), created: () => refresh() })));
}
