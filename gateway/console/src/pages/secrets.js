// @ts-check
/** Secrets: create, put a new version, move stages, delete or restore; values stay hidden until revealed. */
import { call } from '../api.js';
import { h, field, form, table, when, actionButton, errorLine, announce, replace, again } from '../dom.js';

/**
 * @param {HTMLElement} body
 * @param {URLSearchParams} query
 */
export async function render(body, query) {
  const name = query.get('secret');
  if (name) {
    await renderSecret(body, name);
    return;
  }
  const { SecretList } = await call('ListSecrets');
  const secretName = /** @type {HTMLInputElement} */ (h('input', { name: 'secret-name', required: true, maxlength: 192 }));
  const value = /** @type {HTMLInputElement} */ (h('input', { type: 'password', name: 'secret-value', autocomplete: 'off', required: true }));
  const versionId = /** @type {HTMLInputElement} */ (h('input', { name: 'secret-version', value: 'v1' }));
  const keyId = /** @type {HTMLInputElement} */ (h('input', { name: 'secret-key', placeholder: 'the instance default key' }));
  const description = /** @type {HTMLInputElement} */ (h('input', { name: 'secret-description' }));
  replace(body,
    table('Secrets', ['Secret', 'Current version', 'Versions', 'Encryption key', 'State', 'Created'],
      SecretList.map((/** @type {any} */ s) => [h('a', { href: `#/secrets?secret=${encodeURIComponent(s.SecretName)}` }, s.SecretName),
        s.VersionId || '—', String(s.VersionIds.length), s.EncryptionKeyId || '—',
        s.PlannedDeleteTime ? h('span', { class: 'badge warn' }, `deletion planned ${when(s.PlannedDeleteTime)}`) : 'active', when(s.CreateTime)]),
    'No secrets yet.'),
    h('section', { class: 'panel' }, h('h2', null, 'New secret'), form({
      label: 'Create secret',
      fields: [field('Secret name', secretName, { param: 'SecretName' }),
        field('Secret value', value, { param: 'SecretData', hint: 'Hidden as you type; stored encrypted under the encryption key.' }),
        field('Version ID', versionId, { param: 'VersionId' }),
        field('Encryption key (optional)', keyId, { param: 'EncryptionKeyId', hint: 'A key ID or alias of an ENCRYPT/DECRYPT key.' }),
        field('Description', description, { param: 'Description' })],
      submit: async () => {
        const s = await call('CreateSecret', {
          SecretName: secretName.value.trim(), SecretData: value.value, SecretDataType: 'text', VersionId: versionId.value.trim(),
          EncryptionKeyId: keyId.value.trim(), Description: description.value,
        });
        value.value = '';
        announce(`Secret ${s.SecretName} created.`);
        location.hash = `#/secrets?secret=${encodeURIComponent(s.SecretName)}`;
      },
    })));
}

/**
 * @param {HTMLElement} body
 * @param {string} name
 */
async function renderSecret(body, name) {
  const s = await call('DescribeSecret', { SecretName: name });
  const errors = errorLine();
  const refresh = again(body, () => renderSecret(body, name));
  const shown = h('div', { class: 'reveal', 'aria-live': 'polite' });
  const reveal = (/** @type {string} */ versionId) => actionButton('Reveal value', async () => {
    const v = await call('GetSecretValue', { SecretName: name, VersionId: versionId });
    replace(shown, h('p', null, `Value of version ${v.VersionId}:`), h('pre', { class: 'secret-value' }, v.SecretData),
      h('button', { type: 'button', onclick: () => shown.replaceChildren() }, 'Hide value'));
  }, errors, { 'aria-label': `Reveal the value of version ${versionId}` });
  const value = /** @type {HTMLInputElement} */ (h('input', { type: 'password', name: 'new-value', autocomplete: 'off' }));
  const versionId = /** @type {HTMLInputElement} */ (h('input', { name: 'new-version', value: `v${s.VersionIds.length + 1}` }));
  const window = /** @type {HTMLInputElement} */ (h('input', { type: 'number', min: 7, max: 30, value: '30', name: 'recovery-days' }));
  const pending = Boolean(s.PlannedDeleteTime);
  replace(body,
    h('p', null, h('a', { href: '#/secrets' }, '← All secrets')),
    h('h2', null, `Secret ${s.SecretName}`),
    errors,
    h('dl', { class: 'facts' },
      h('dt', null, 'Encryption key'), h('dd', null, s.EncryptionKeyId || '—'),
      h('dt', null, 'Description'), h('dd', null, s.Description || '—'),
      h('dt', null, 'Created'), h('dd', null, when(s.CreateTime)),
      h('dt', null, 'State'), h('dd', null, pending ? `deletion planned ${when(s.PlannedDeleteTime)}` : 'active')),
    table('Versions', ['Version', 'Stages', 'Created', 'Actions'], s.VersionIds.map((/** @type {any} */ v) => [v.VersionId,
      v.VersionStages.join(', ') || '—', when(v.CreateTime), h('div', { class: 'row-actions' }, pending ? null : reveal(v.VersionId),
        pending || v.VersionStages.includes('ACSCurrent') ? null : actionButton('Make current', async () => {
          await call('UpdateSecretVersionStage', { SecretName: name, VersionStage: 'ACSCurrent', MoveToVersion: v.VersionId,
            RemoveFromVersion: s.VersionId });
          await refresh();
        }, errors, { 'aria-label': `Make version ${v.VersionId} current` }))])),
    shown,
    pending ? h('div', { class: 'actions' }, actionButton('Restore secret', async () => {
      await call('RestoreSecret', { SecretName: name });
      announce(`Secret ${name} restored.`);
      await refresh();
    }, errors)) : [
      h('section', { class: 'panel' }, h('h3', null, 'New version'), form({
        label: 'Put new version',
        fields: [field('New value', value, { param: 'SecretData' }), field('Version ID', versionId, { param: 'VersionId' })],
        submit: async () => {
          await call('PutSecretValue', { SecretName: name, SecretData: value.value, VersionId: versionId.value.trim() });
          value.value = '';
          announce(`Secret ${name}: new version stored.`);
          await refresh();
        },
      })),
      h('section', { class: 'panel' }, h('h3', null, 'Delete'), form({
        label: 'Schedule deletion',
        fields: [field('Recovery window (days)', window, { param: 'RecoveryWindowInDays' })],
        submit: async () => {
          if (confirm(`Delete secret ${name}? It can be restored for ${window.value} days.`)) {
            await call('DeleteSecret', { SecretName: name, RecoveryWindowInDays: Number(window.value) });
            await refresh();
          }
        },
      }))]);
}
