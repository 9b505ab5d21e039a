// @ts-check
/** Keys: create (spec and usage), aliases, versions, enable/disable, schedule or cancel deletion. */
import { call } from '../api.js';
import { h, field, form, table, when, actionButton, errorLine, announce, replace, again } from '../dom.js';

const SPECS = ['Aliyun_AES_256', 'Aliyun_AES_192', 'Aliyun_AES_128', 'Aliyun_SM4', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P256K',
  'EC_P384', 'EC_P521', 'EC_SM2', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'];
const USAGES = ['ENCRYPT/DECRYPT', 'SIGN/VERIFY', 'GENERATE_VERIFY_MAC'];

/** The usage a spec is normally made for. @param {string} spec */
function defaultUsage(spec) {
  return spec.startsWith('HMAC') ? 'GENERATE_VERIFY_MAC' : spec.startsWith('EC_') ? 'SIGN/VERIFY' : 'ENCRYPT/DECRYPT';
}

/** Every key, described (ListKeys pages of 100, then DescribeKey each). */
async function allKeys() {
  /** @type {string[]} */
  const ids = [];
  for (let page = 1; ; page++) {
    const r = await call('ListKeys', { PageNumber: page, PageSize: 100 });
    ids.push(...r.Keys.Key.map((/** @type {any} */ k) => k.KeyId));
    if (ids.length >= r.TotalCount || r.Keys.Key.length === 0) {
      break;
    }
  }
  return Promise.all(ids.map((id) => call('DescribeKey', { KeyId: id }).then((r) => r.KeyMetadata)));
}

/**
 * @param {HTMLElement} body
 * @param {URLSearchParams} query
 */
export async function render(body, query) {
  const id = query.get('key');
  if (id) {
    await renderKey(body, id);
    return;
  }
  const [keys, { Aliases }] = await Promise.all([allKeys(), call('ListAliases')]);
  /** @type {Record<string, string[]>} */
  const aliases = {};
  for (const a of Aliases.Alias) {
    (aliases[a.KeyId] ??= []).push(a.AliasName);
  }
  keys.sort((a, b) => b.CreationDate.localeCompare(a.CreationDate));
  const spec = /** @type {HTMLSelectElement} */ (h('select', { name: 'key-spec' }, SPECS.map((s) => h('option', { value: s }, s))));
  const usage = /** @type {HTMLSelectElement} */ (h('select', { name: 'key-usage' }, USAGES.map((u) => h('option', { value: u }, u))));
  spec.addEventListener('change', () => {
    usage.value = defaultUsage(spec.value);
  });
  const description = /** @type {HTMLInputElement} */ (h('input', { name: 'key-description' }));
  const alias = /** @type {HTMLInputElement} */ (h('input', { name: 'key-alias', placeholder: 'alias/my-app' }));
  replace(body,
    table('Keys', ['Key', 'Aliases', 'Spec', 'Usage', 'State', 'Created'],
      keys.map((k) => [h('a', { href: `#/keys?key=${encodeURIComponent(k.KeyId)}` }, k.KeyId), (aliases[k.KeyId] ?? []).join(', ') || '—',
        k.KeySpec, k.KeyUsage, stateBadge(k), when(k.CreationDate)]), 'No keys yet.'),
    h('section', { class: 'panel' }, h('h2', null, 'New key'), form({
      label: 'Create key',
      fields: [field('Key spec', spec, { param: 'KeySpec' }), field('Key usage', usage, { param: 'KeyUsage' }),
        field('Description', description, { param: 'Description' }),
        field('Alias (optional)', alias, { param: 'AliasName', hint: 'alias/ followed by letters, digits, _ / -' })],
      submit: async () => {
        const { KeyMetadata } = await call('CreateKey', { KeySpec: spec.value, KeyUsage: usage.value, Description: description.value });
        if (alias.value.trim()) {
          await call('CreateAlias', { AliasName: alias.value.trim(), KeyId: KeyMetadata.KeyId });
        }
        announce(`Key ${KeyMetadata.KeyId} created.`);
        location.hash = `#/keys?key=${encodeURIComponent(KeyMetadata.KeyId)}`;
      },
    })));
}

/** @param {any} k */
function stateBadge(k) {
  return h('span', { class: `badge state-${k.KeyState}` }, k.KeyState === 'PendingDeletion' ? `PendingDeletion until ${when(k.DeleteDate)}` : k.KeyState);
}

/**
 * @param {HTMLElement} body
 * @param {string} id
 */
async function renderKey(body, id) {
  const [{ KeyMetadata: k }, { KeyVersions }, { Aliases }] = await Promise.all([call('DescribeKey', { KeyId: id }),
    call('ListKeyVersions', { KeyId: id }), call('ListAliases')]);
  const mine = Aliases.Alias.filter((/** @type {any} */ a) => a.KeyId === id);
  const errors = errorLine();
  const refresh = again(body, () => renderKey(body, id));
  /** @param {string} action @param {Record<string, unknown>} [extra] */
  const act = async (action, extra = {}) => {
    await call(action, { KeyId: id, ...extra });
    announce(`${action} done for ${id}.`);
    await refresh();
  };
  const days = /** @type {HTMLInputElement} */ (h('input', { type: 'number', min: 7, max: 366, value: '30', name: 'pending-days' }));
  const alias = /** @type {HTMLInputElement} */ (h('input', { name: 'alias-name', placeholder: 'alias/my-app' }));
  const pending = k.KeyState === 'PendingDeletion';
  replace(body,
    h('p', null, h('a', { href: '#/keys' }, '← All keys')),
    h('h2', null, `Key ${k.KeyId}`),
    errors,
    h('dl', { class: 'facts' },
      h('dt', null, 'State'), h('dd', { id: 'key-state' }, stateBadge(k)),
      h('dt', null, 'Spec / usage'), h('dd', null, `${k.KeySpec} / ${k.KeyUsage}`),
      h('dt', null, 'Description'), h('dd', null, k.Description || '—'),
      h('dt', null, 'Primary version'), h('dd', null, k.PrimaryKeyVersion),
      h('dt', null, 'Automatic rotation'), h('dd', null, k.AutomaticRotation === 'Enabled' ? `every ${k.RotationInterval}` : 'off'),
      h('dt', null, 'Created'), h('dd', null, when(k.CreationDate))),
    h('div', { class: 'actions' },
      pending ? null : k.KeyState === 'Enabled'
        ? actionButton('Disable', () => act('DisableKey'), errors)
        : actionButton('Enable', () => act('EnableKey'), errors),
      pending ? actionButton('Cancel deletion', () => act('CancelKeyDeletion'), errors) : null,
      pending ? null : actionButton('New key version', () => act('CreateKeyVersion'), errors)),
    pending ? null : h('section', { class: 'panel' }, h('h3', null, 'Schedule deletion'),
      h('p', null, 'The key is refused at once and destroyed when the window ends; until then the deletion can be cancelled.'),
      form({
        label: 'Schedule deletion',
        fields: [field('Pending window (days)', days, { param: 'PendingWindowInDays' })],
        submit: async () => {
          if (confirm(`Schedule key ${id} for deletion in ${days.value} days?`)) {
            await act('ScheduleKeyDeletion', { PendingWindowInDays: Number(days.value) });
          }
        },
      })),
    table('Aliases', ['Alias', 'Actions'], mine.map((/** @type {any} */ a) => [a.AliasName,
      actionButton('Delete', async () => {
        await call('DeleteAlias', { AliasName: a.AliasName });
        await refresh();
      }, errors, { class: 'danger', 'aria-label': `Delete alias ${a.AliasName}` })]), 'No aliases.'),
    form({
      label: 'Add alias',
      fields: [field('New alias', alias, { param: 'AliasName' })],
      submit: async () => {
        await call('CreateAlias', { AliasName: alias.value.trim(), KeyId: id });
        await refresh();
      },
    }),
    table('Key versions', ['Version', 'Created', ''], KeyVersions.KeyVersion.map((/** @type {any} */ v) => [v.KeyVersionId, when(v.CreationDate),
      v.KeyVersionId === k.PrimaryKeyVersion ? 'primary' : ''])));
}
