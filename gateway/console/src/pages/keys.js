// @ts-check
/**
 * Keys: create (spec, usage, origin), aliases, versions, enable/disable, schedule or cancel deletion, and for keys of
 * Origin EXTERNAL the import of their material (wrapping key and token out, encrypted material in) and its deletion.
 */
import { call } from '../api.js';
import { h, field, form, table, when, actionButton, errorLine, announce, replace, again, download } from '../dom.js';

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
  const origin = /** @type {HTMLSelectElement} */ (h('select', { name: 'key-origin' },
    h('option', { value: 'Aliyun_KMS' }, 'Aliyun_KMS: generated in the HSM'), h('option', { value: 'EXTERNAL' }, 'EXTERNAL: you import it')));
  replace(body,
    table('Keys', ['Key', 'Aliases', 'Spec', 'Usage', 'State', 'Created'],
      keys.map((k) => [h('a', { href: `#/keys?key=${encodeURIComponent(k.KeyId)}` }, k.KeyId), (aliases[k.KeyId] ?? []).join(', ') || '—',
        k.KeySpec, k.KeyUsage, stateBadge(k), when(k.CreationDate)]), 'No keys yet.'),
    h('section', { class: 'panel' }, h('h2', null, 'New key'), form({
      label: 'Create key',
      fields: [field('Key spec', spec, { param: 'KeySpec' }), field('Key usage', usage, { param: 'KeyUsage' }),
        field('Origin', origin, { param: 'Origin', hint: 'EXTERNAL keys (AES, SM4, RSA, EC; not HMAC) wait in PendingImport for your material' }),
        field('Description', description, { param: 'Description' }),
        field('Alias (optional)', alias, { param: 'AliasName', hint: 'alias/ followed by letters, digits, _ / -' })],
      submit: async () => {
        const { KeyMetadata } = await call('CreateKey', { KeySpec: spec.value, KeyUsage: usage.value, Description: description.value,
          Origin: origin.value });
        if (alias.value.trim()) {
          await call('CreateAlias', { AliasName: alias.value.trim(), KeyId: KeyMetadata.KeyId });
        }
        announce(`Key ${KeyMetadata.KeyId} created.`);
        location.hash = `#/keys?key=${encodeURIComponent(KeyMetadata.KeyId)}`;
      },
    })));
}

/** Base64 of a file's bytes. @param {File} file */
async function base64Of(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = '';
  for (const b of bytes) {
    text += String.fromCharCode(b);
  }
  return btoa(text);
}

/**
 * Importing an EXTERNAL key's material: download the wrapping public key (PEM) and the import token, encrypt the material
 * under the key outside the browser (the README's openssl recipe), upload the result with the token; or delete it.
 * @param {any} k
 * @param {(action: string, extra?: Record<string, unknown>) => Promise<void>} act
 * @param {HTMLElement} errors
 */
function materialPanel(k, act, errors) {
  const symmetric = k.KeySpec.startsWith('Aliyun_');
  const algorithms = symmetric ? ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1', 'RSAES_PKCS1_V1_5', 'SM2PKE']
    : ['RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1'];
  const algorithm = /** @type {HTMLSelectElement} */ (h('select', { name: 'wrapping-algorithm' },
    algorithms.map((a) => h('option', { value: a }, a))));
  const material = /** @type {HTMLInputElement} */ (h('input', { type: 'file', name: 'encrypted-material' }));
  const token = /** @type {HTMLTextAreaElement} */ (h('textarea', { name: 'import-token', rows: 3 }));
  const expires = /** @type {HTMLInputElement} */ (h('input', { type: 'datetime-local', name: 'material-expires' }));
  return h('section', { class: 'panel' }, h('h3', null, 'Key material'),
    h('p', null, k.KeyState === 'PendingImport'
      ? 'This key has no material: get a wrapping key and token, encrypt your material under the key (a private key in an '
        + 'envelope; see the README\'s openssl recipes), then upload the result. A key that had material takes only the same '
        + 'material again.'
      : 'The key holds imported material. Deleting it makes the key PendingImport at once; importing the same material again '
        + 'brings its ciphertexts back.'),
    form({
      label: 'Get wrapping key and token',
      fields: [field('Wrapping algorithm', algorithm, { param: 'WrappingAlgorithm' })],
      submit: async () => {
        const p = await call('GetParametersForImport', { KeyId: k.KeyId, WrappingAlgorithm: algorithm.value });
        const pem = `-----BEGIN PUBLIC KEY-----\n${p.PublicKey.match(/.{1,64}/g).join('\n')}\n-----END PUBLIC KEY-----\n`;
        download(`wrappingKey_${k.KeyId}.pem`, pem, 'application/x-pem-file');
        download(`importToken_${k.KeyId}.txt`, `${p.ImportToken}\n`, 'text/plain');
        token.value = p.ImportToken;
        announce(`Wrapping key and token for ${k.KeyId} downloaded; the token is valid until ${when(p.TokenExpireTime)}.`);
      },
    }),
    form({
      label: 'Import key material',
      fields: [field('Encrypted key material (file)', material, { param: 'EncryptedKeyMaterial' }),
        field('Import token', token, { param: 'ImportToken', hint: 'filled in by "Get wrapping key and token", or paste it' }),
        field('Material expires (optional)', expires, { param: 'KeyMaterialExpireUnix', hint: 'empty: never' })],
      submit: async () => {
        const file = material.files?.[0];
        if (!file) {
          throw new Error('Choose the file with the encrypted key material.');
        }
        const at = expires.value ? Math.floor(new Date(expires.value).getTime() / 1000) : 0;
        await act('ImportKeyMaterial', { EncryptedKeyMaterial: await base64Of(file), ImportToken: token.value.trim(),
          KeyMaterialExpireUnix: at });
      },
    }),
    k.KeyState === 'PendingImport' ? null : h('div', { class: 'actions' }, actionButton('Delete key material', async () => {
      if (confirm(`Delete the key material of ${k.KeyId}? The key refuses every call until the same material is imported again.`)) {
        await act('DeleteKeyMaterial');
      }
    }, errors, { class: 'danger' })));
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
  const external = k.Origin === 'EXTERNAL';
  const noMaterial = k.KeyState === 'PendingImport';
  replace(body,
    h('p', null, h('a', { href: '#/keys' }, '← All keys')),
    h('h2', null, `Key ${k.KeyId}`),
    errors,
    h('dl', { class: 'facts' },
      h('dt', null, 'State'), h('dd', { id: 'key-state' }, stateBadge(k)),
      h('dt', null, 'Spec / usage'), h('dd', null, `${k.KeySpec} / ${k.KeyUsage}`),
      h('dt', null, 'Origin'), h('dd', { id: 'key-origin' }, k.Origin),
      external ? h('dt', null, 'Key material expires') : null,
      external ? h('dd', null, k.KeyMaterialExpireTime ? when(k.KeyMaterialExpireTime) : 'never') : null,
      h('dt', null, 'Description'), h('dd', null, k.Description || '—'),
      h('dt', null, 'Primary version'), h('dd', null, k.PrimaryKeyVersion),
      h('dt', null, 'Automatic rotation'), h('dd', null, k.AutomaticRotation === 'Enabled' ? `every ${k.RotationInterval}` : 'off'),
      h('dt', null, 'Created'), h('dd', null, when(k.CreationDate))),
    h('div', { class: 'actions' },
      pending || noMaterial ? null : k.KeyState === 'Enabled'
        ? actionButton('Disable', () => act('DisableKey'), errors)
        : actionButton('Enable', () => act('EnableKey'), errors),
      pending ? actionButton('Cancel deletion', () => act('CancelKeyDeletion'), errors) : null,
      pending || external ? null : actionButton('New key version', () => act('CreateKeyVersion'), errors)),
    external && !pending ? materialPanel(k, act, errors) : null,
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
