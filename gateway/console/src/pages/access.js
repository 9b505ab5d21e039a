// @ts-check
/**
 * Application Access: the AAP list with client key expiry warnings, quick creation, the standard-creation wizard
 * (network rule → policy → application access point → client key, the order of the product docs), and one AAP's
 * client keys: make a new one (rotation), see whether the old one is still used, delete it; and its AccessKeys for the KMS
 * OpenAPI (2016-01-20), whose secret is shown once.
 */
import { call } from '../api.js';
import { h, field, form, table, when, actionButton, errorLine, announce, replace, again } from '../dom.js';
import { clientKeyFields, downloadPanel, expiry, expiryBadge } from '../clientkey.js';
import { ruleForm } from './rules.js';
import { policyForm, checkboxes, roleName } from './policies.js';

/**
 * @param {HTMLElement} body
 * @param {URLSearchParams} query
 */
export async function render(body, query) {
  const aap = query.get('aap');
  if (aap) {
    await renderAap(body, aap);
  } else if (query.get('create') === 'standard') {
    await renderWizard(body);
  } else {
    await renderList(body);
  }
}

/** @param {any[]} keys */
function live(keys) {
  return keys.filter((k) => !k.DeletionDate);
}

/** @param {HTMLElement} body */
async function renderList(body) {
  const [{ ApplicationAccessPoints }, { ClientKeys }] = await Promise.all([call('ListApplicationAccessPoints'), call('ListClientKeys')]);
  const keys = live(ClientKeys);
  const expiring = keys.filter((k) => expiry(k.NotAfter).level).sort((a, b) => a.NotAfter.localeCompare(b.NotAfter));
  replace(body,
    expiring.length ? h('section', { class: 'panel warn', 'aria-labelledby': 'expiring-title' },
      h('h2', { id: 'expiring-title' }, 'Client keys expiring within 180 days'),
      h('p', null, 'Create a new client key for the application, deploy it, check in the audit log that the old one is no longer used, then delete the old one.'),
      table('Expiring client keys', ['Client key', 'Application access point', 'Expires', 'Warning'],
        expiring.map((k) => [k.ClientKeyId, h('a', { href: `#/access?aap=${encodeURIComponent(k.AapName)}` }, k.AapName), when(k.NotAfter),
          expiryBadge(k.NotAfter)]))) : null,
    h('div', { class: 'actions' },
      h('a', { class: 'button primary', href: '#/access?create=standard' }, 'Standard creation'),
      h('a', { class: 'button', href: '#quick', onclick: (/** @type {Event} */ e) => {
        e.preventDefault();
        document.getElementById('quick-title')?.scrollIntoView();
        /** @type {HTMLElement | null} */ (document.querySelector('#quick input'))?.focus();
      } }, 'Quick creation')),
    table('Application access points', ['Name', 'Policies', 'Client keys', 'Nearest expiry', 'Description', 'Created'],
      ApplicationAccessPoints.map((/** @type {any} */ a) => {
        const mine = keys.filter((k) => k.AapName === a.Name).sort((x, y) => x.NotAfter.localeCompare(y.NotAfter));
        return [h('a', { href: `#/access?aap=${encodeURIComponent(a.Name)}` }, a.Name), a.Policies.join(', '), String(mine.length),
          mine.length ? h('span', null, when(mine[0].NotAfter), ' ', expiryBadge(mine[0].NotAfter)) : '—', a.Description, when(a.CreateTime)];
      }), 'No application access points yet.'),
    quickCreation());
}

/** Quick creation: an AAP with a policy over every key and secret of the instance, and its first client key. */
function quickCreation() {
  const name = /** @type {HTMLInputElement} */ (h('input', { name: 'quick-name', required: true, maxlength: 64 }));
  const key = clientKeyFields();
  const out = h('div');
  const section = h('section', { class: 'panel', id: 'quick', 'aria-labelledby': 'quick-title' },
    h('h2', { id: 'quick-title' }, 'Quick creation'),
    h('p', null, 'One step: an application access point whose policy reaches every key and secret of this instance from any '
      + 'address, and its first client key. Use standard creation to narrow resources and source addresses.'),
    form({
      label: 'Create',
      fields: [field('Application access point name', name, { param: 'AapName' }), ...key.fields],
      submit: async () => {
        const password = key.password();
        const created = await call('QuickCreateApplicationAccessPoint', { AapName: name.value.trim(), Password: password, ...key.validity() });
        key.clear();
        announce(`Application access point ${created.AapName} created.`);
        replace(out, downloadPanel(created, password, () => {
          location.hash = `#/access?aap=${encodeURIComponent(created.AapName)}`;
        }));
      },
    }),
    out);
  return section;
}

/** @param {HTMLElement} body */
async function renderWizard(body) {
  const steps = ['Network rule', 'Policy', 'Application access point', 'Client key'];
  const state = { rules: /** @type {string[]} */ ([]), policy: '', aap: '' };
  const indicator = h('ol', { class: 'steps' });
  const stage = h('div', { class: 'step' });
  replace(body, h('p', null, 'Standard creation, in order: who may connect from where (network rule), what it may use (policy), '
    + 'the application access point that binds them, and the client key the application authenticates with.'), indicator, stage);

  /** @param {number} n */
  const show = async (n) => {
    replace(indicator, steps.map((s, i) => h('li', { class: i < n ? 'done' : i === n ? 'current' : null, 'aria-current': i === n ? 'step' : null },
      `${i + 1}. ${s}`)));
    stage.replaceChildren();
    const title = h('h2', { tabindex: '-1' }, `Step ${n + 1} of 4: ${steps[n]}`);
    stage.append(title);
    if (n === 0) {
      const { NetworkRules } = await call('ListNetworkRules');
      const existing = checkboxes('Use existing rules', NetworkRules.map((/** @type {any} */ r) => ({
        value: r.Name, label: `${r.Name} (${r.SourcePrivateIp.join(', ')})`,
      })), 'NetworkRules');
      stage.append(
        h('p', null, 'Create a rule with the application\'s source addresses, or choose existing ones, or skip to allow any address.'),
        ruleForm((rule) => {
          state.rules = [...existing.values(), rule.Name];
          show(1);
        }, 'Create rule and continue'),
        h('div', { class: 'panel' }, existing.el, h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: () => {
            state.rules = existing.values();
            show(1);
          } }, 'Continue with the chosen rules (or none)'))));
    } else if (n === 1) {
      const { NetworkRules } = await call('ListNetworkRules');
      stage.append(policyForm({
        rules: NetworkRules.map((/** @type {any} */ r) => r.Name),
        preselectRules: state.rules,
        label: 'Create policy and continue',
        created: (p) => {
          state.policy = p.Name;
          show(2);
        },
      }));
    } else if (n === 2) {
      const { Policies } = await call('ListPolicies');
      const name = /** @type {HTMLInputElement} */ (h('input', { name: 'aap-name', required: true, maxlength: 64 }));
      const description = /** @type {HTMLInputElement} */ (h('input', { name: 'aap-description' }));
      const pols = checkboxes('Policies', Policies.map((/** @type {any} */ p) => ({
        value: p.Name, label: `${p.Name} (${p.Permissions.map(roleName).join(', ')}; ${p.Resources.join(', ')})`, checked: p.Name === state.policy,
      })), 'Policies');
      stage.append(form({
        label: 'Create application access point and continue',
        fields: [field('Application access point name', name, { param: 'Name' }), field('Description', description, { param: 'Description' }), pols.el],
        submit: async () => {
          const a = await call('CreateApplicationAccessPoint', {
            Name: name.value.trim(), AuthenticationMethod: 'ClientKey', Policies: pols.values(), Description: description.value,
          });
          announce(`Application access point ${a.Name} created.`);
          state.aap = a.Name;
          show(3);
        },
      }));
    } else {
      stage.append(h('p', null, `The client key of ${state.aap}.`), clientKeyForm(state.aap, stage, 'Create client key'));
    }
    title.focus();
  };
  await show(0);
}

/**
 * The client key form: creates the key and swaps itself for the one-time download panel.
 * @param {string} aap
 * @param {HTMLElement} container
 * @param {string} label
 */
function clientKeyForm(aap, container, label) {
  const key = clientKeyFields();
  const out = h('div');
  const f = form({
    label,
    fields: key.fields,
    submit: async () => {
      const password = key.password();
      const created = await call('CreateClientKey', { AapName: aap, Password: password, ...key.validity() });
      key.clear();
      f.hidden = true;
      announce(`Client key ${created.ClientKeyId} created.`);
      replace(out, downloadPanel(created, password, () => {
        location.hash = `#/access?aap=${encodeURIComponent(aap)}&t=${Date.now()}`;
      }));
    },
  });
  return h('div', null, f, out);
}

/**
 * @param {HTMLElement} body
 * @param {string} name
 */
async function renderAap(body, name) {
  const [a, { ClientKeys }, { AccessKeys }] = await Promise.all([call('DescribeApplicationAccessPoint', { Name: name }),
    call('ListClientKeys', { AapName: name }), call('ListAccessKeys', { AapName: name })]);
  const keys = live(ClientKeys).sort((x, y) => y.CreationDate.localeCompare(x.CreationDate));
  const errors = errorLine();
  const refresh = again(body, () => renderAap(body, name));
  replace(body,
    h('p', null, h('a', { href: '#/access' }, '← All application access points')),
    h('h2', null, `Application access point ${a.Name}`),
    h('dl', { class: 'facts' },
      h('dt', null, 'Policies'), h('dd', null, a.Policies.join(', ') || '—'),
      h('dt', null, 'Authentication'), h('dd', null, a.AuthenticationMethod),
      h('dt', null, 'Description'), h('dd', null, a.Description || '—'),
      h('dt', null, 'Created'), h('dd', null, when(a.CreateTime))),
    h('h3', null, 'Client keys'),
    errors,
    table(`Client keys of ${a.Name}`, ['Client key', 'Created', 'Valid until', 'Expiry', 'Last used', 'Actions'],
      keys.map((k, i) => [
        k.ClientKeyId, when(k.CreationDate), when(k.NotAfter), expiryBadge(k.NotAfter),
        // kept by the audit beyond record retention: the rotation question's answer
        k.LastUsedTime ? `${when(k.LastUsedTime)}${k.LastUsedApi ? ` (${k.LastUsedApi} from ${k.LastUsedIp})` : ''}`
          + (k.RequestCount ? `, ${k.RequestCount} request${k.RequestCount === 1 ? '' : 's'}` : '') : 'never',
        h('div', { class: 'row-actions' },
          h('a', { class: 'button', href: `#/audit?ClientKeyId=${encodeURIComponent(k.ClientKeyId)}`, 'aria-label': `Audit log of ${k.ClientKeyId}` }, 'Audit log'),
          actionButton('Delete', async () => {
            if (confirm(`Delete client key ${k.ClientKeyId}? Applications using it are refused at once.`)) {
              await call('DeleteClientKey', { ClientKeyId: k.ClientKeyId });
              announce(`Client key ${k.ClientKeyId} deleted.`);
              await refresh();
            }
          }, errors, { class: 'danger', 'aria-label': `Delete client key ${k.ClientKeyId}` })),
      ]), 'This application access point has no client keys.'),
    h('h3', null, 'AccessKeys (KMS OpenAPI)'),
    h('p', null, 'Applications that speak the KMS OpenAPI (2016-01-20) sign with an AccessKey instead of a client key; it is held to '
      + 'the same policies. At most two per application access point, so one can replace the other.'),
    table(`AccessKeys of ${a.Name}`, ['AccessKey', 'Created', 'Last used', 'Actions'],
      AccessKeys.map((k) => [
        k.AccessKeyId + (k.Usable ? '' : ' (its secret does not open: replace it)'), when(k.CreateTime),
        k.LastUsedTime ? `${when(k.LastUsedTime)}${k.LastUsedApi ? ` (${k.LastUsedApi} from ${k.LastUsedIp})` : ''}`
          + (k.RequestCount ? `, ${k.RequestCount} request${k.RequestCount === 1 ? '' : 's'}` : '') : 'never',
        h('div', { class: 'row-actions' },
          h('a', { class: 'button', href: `#/audit?ClientKeyId=${encodeURIComponent(k.AccessKeyId)}`, 'aria-label': `Audit log of ${k.AccessKeyId}` }, 'Audit log'),
          actionButton('Delete', async () => {
            if (confirm(`Delete AccessKey ${k.AccessKeyId}? Applications using it are refused at once.`)) {
              await call('DeleteAccessKey', { AccessKeyId: k.AccessKeyId });
              announce(`AccessKey ${k.AccessKeyId} deleted.`);
              await refresh();
            }
          }, errors, { class: 'danger', 'aria-label': `Delete AccessKey ${k.AccessKeyId}` })),
      ]), 'This application access point has no AccessKeys.'),
    accessKeyPanel(a.Name),
    h('div', { class: 'actions' }, actionButton('Delete application access point', async () => {
      if (confirm(`Delete application access point ${a.Name}? Its ${keys.length} client key(s) are refused at once.`)) {
        await call('DeleteApplicationAccessPoint', { Name: a.Name });
        announce(`Application access point ${a.Name} deleted.`);
        location.hash = '#/access';
      }
    }, errors, { class: 'danger' })),
    h('section', { class: 'panel', 'aria-labelledby': 'rotate-title' },
      h('h3', { id: 'rotate-title' }, 'New client key (rotation)'),
      h('p', null, 'Rotation: create a new client key, deploy it to the application, watch "Last used" (or the audit log) until the '
        + 'old key is no longer used, then delete the old key. Deletion takes effect at once.'),
      clientKeyForm(a.Name, body, 'Create client key')));
}

/**
 * Creates an AccessKey and shows its secret once, with the two environment lines the Alibaba Cloud SDKs read.
 * @param {string} aap
 */
function accessKeyPanel(aap) {
  const out = h('div');
  const errors = errorLine();
  const button = actionButton('Create AccessKey', async () => {
    const created = await call('CreateAccessKey', { AapName: aap });
    button.style.display = 'none'; // one secret on screen at a time; Done redraws the page
    announce(`AccessKey ${created.AccessKeyId} created.`);
    replace(out, h('div', { class: 'panel', role: 'status' },
      h('p', null, h('strong', null, 'Copy the secret now: it is not shown again.')),
      h('pre', { 'aria-label': 'AccessKey credentials' },
        `ALIBABA_CLOUD_ACCESS_KEY_ID=${created.AccessKeyId}\nALIBABA_CLOUD_ACCESS_KEY_SECRET=${created.AccessKeySecret}`),
      h('a', { class: 'button', href: `#/access?aap=${encodeURIComponent(aap)}&t=${Date.now()}` }, 'Done')));
  }, errors);
  return h('section', { class: 'panel', 'aria-labelledby': 'accesskey-title' },
    h('h3', { id: 'accesskey-title' }, 'New AccessKey'), errors, button, out);
}
