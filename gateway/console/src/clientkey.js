// @ts-check
/**
 * Creating a client key in the browser: the password rules checked as the operator types (the gateway's own rules:
 * 8–64 characters of letters, digits and ~!@#$%^&*?_-, at least two of the three kinds), a validity picker that
 * defaults to one year, and the one-time download of clientKey_<id>.json and clientKey_<id>_Password.txt. The
 * private key exists only in the API's answer: once the panel is closed the page drops it.
 */
import { h, field, uid, download, announce } from './dom.js';

export const SYMBOLS = '~!@#$%^&*?_-';

/**
 * @param {string} pw
 * @param {string} confirm
 * @returns {{ id: string, text: string, ok: boolean }[]}
 */
export function passwordRules(pw, confirm) {
  const kinds = [/[0-9]/.test(pw), /[A-Za-z]/.test(pw), [...pw].some((c) => SYMBOLS.includes(c))].filter(Boolean).length;
  const allowed = [...pw].every((c) => /[0-9A-Za-z]/.test(c) || SYMBOLS.includes(c));
  return [
    { id: 'length', text: '8 to 64 characters', ok: pw.length >= 8 && pw.length <= 64 },
    { id: 'charset', text: `only letters, digits and ${SYMBOLS}`, ok: pw.length > 0 && allowed },
    { id: 'kinds', text: 'at least two of: letters, digits, symbols', ok: kinds >= 2 },
    { id: 'match', text: 'both entries match', ok: pw.length > 0 && pw === confirm },
  ];
}

/**
 * The password, its confirmation and (unless fixed) the validity, with the rule list updating as one types.
 * @param {{ validity?: boolean }} [opts]
 */
export function clientKeyFields(opts = { validity: true }) {
  const pw = /** @type {HTMLInputElement} */ (h('input', { type: 'password', autocomplete: 'new-password', required: true, name: 'password' }));
  const confirm = /** @type {HTMLInputElement} */ (h('input', { type: 'password', autocomplete: 'new-password', required: true, name: 'confirm' }));
  const rulesId = uid('pwrules');
  const list = h('ul', { class: 'rules', id: rulesId, 'aria-live': 'polite' });
  const render = () => {
    list.replaceChildren(...passwordRules(pw.value, confirm.value).map((r) => h('li', {
      class: r.ok ? 'ok' : 'bad', 'data-rule': r.id,
    }, h('span', { 'aria-hidden': 'true' }, r.ok ? '✓ ' : '✗ '), r.text, h('span', { class: 'sr-only' }, r.ok ? ' (met)' : ' (not met)'))));
  };
  pw.addEventListener('input', render);
  confirm.addEventListener('input', render);
  render();
  const years = /** @type {HTMLSelectElement} */ (h('select', { name: 'validity' },
    [1, 2, 3, 4, 5].map((y) => h('option', { value: String(y), selected: y === 1 }, y === 1 ? '1 year (recommended)' : `${y} years`))));
  const fields = [
    field('Client key password', pw, { param: 'Password', hint: 'Protects the private key file. It is not stored by the gateway.' }),
    field('Confirm password', confirm),
    list,
  ];
  if (opts.validity !== false) {
    fields.push(field('Validity', years, {
      param: 'NotAfter', hint: 'Keys last 1 to 5 years; one year is recommended, with a new key made before it expires.',
    }));
  }
  pw.setAttribute('aria-describedby', `${pw.getAttribute('aria-describedby')} ${rulesId}`);
  return {
    fields,
    /** Throws with the first unmet rule, shown next to the password field. */
    password() {
      const unmet = passwordRules(pw.value, confirm.value).find((r) => !r.ok);
      if (unmet) {
        const err = new Error(`The password must have ${unmet.text}.`);
        /** @type {any} */ (err).param = unmet.id === 'match' ? null : 'Password';
        throw err;
      }
      return pw.value;
    },
    /** NotBefore now and NotAfter the chosen number of years later, as the API takes them. */
    validity() {
      const from = new Date();
      const to = new Date(from.getTime());
      to.setUTCFullYear(to.getUTCFullYear() + Number(years.value));
      return { NotBefore: from.toISOString(), NotAfter: to.toISOString() };
    },
    clear() {
      pw.value = '';
      confirm.value = '';
      render();
    },
  };
}

/**
 * The panel that hands out a new client key's two files, each once. Closing it forgets the key.
 * @param {{ ClientKeyId: string, PrivateKeyData: string, NotAfter: string }} created
 * @param {string} password
 * @param {() => void} onDone
 */
export function downloadPanel(created, password, onDone) {
  /** @type {{ ClientKeyId: string, PrivateKeyData: string, NotAfter: string } | null} */
  let key = created;
  /** @type {string | null} */
  let secret = password;
  const id = created.ClientKeyId;
  const jsonName = `clientKey_${id}.json`;
  const pwName = `clientKey_${id}_Password.txt`;
  const once = (/** @type {string} */ label, /** @type {() => void} */ save) => {
    const b = h('button', { type: 'button', class: 'primary' }, label);
    b.addEventListener('click', () => {
      save();
      b.setAttribute('disabled', '');
      b.textContent = `${label} — downloaded`;
    }, { once: true });
    return b;
  };
  const panel = h('section', { class: 'panel created', 'aria-labelledby': 'created-title', tabindex: '-1' },
    h('h3', { id: 'created-title' }, `Client key ${id} created`),
    h('p', { class: 'warning' }, 'Download both files now. The gateway does not keep the private key or the password; '
      + 'each file can be downloaded once, and closing this panel discards them.'),
    h('p', null, `Valid until ${new Date(created.NotAfter).toLocaleDateString()}.`),
    h('div', { class: 'actions' },
      once(`Download ${jsonName}`, () => {
        download(jsonName, JSON.stringify({ KeyId: id, PrivateKeyData: key?.PrivateKeyData ?? '' }), 'application/json');
      }),
      once(`Download ${pwName}`, () => download(pwName, secret ?? '', 'text/plain')),
      h('button', {
        type: 'button',
        onclick: () => {
          key = null;
          secret = null;
          panel.remove();
          announce(`The files of client key ${id} were discarded from this page.`);
          onDone();
        },
      }, 'Done')));
  queueMicrotask(() => panel.focus());
  return panel;
}

/**
 * Days until an ISO time, and the warning level the console shows for it (180/90/30/7 days).
 * @param {string} notAfter
 * @param {Date} [now]
 */
export function expiry(notAfter, now = new Date()) {
  const days = Math.floor((new Date(notAfter).getTime() - now.getTime()) / 86_400_000);
  const level = days < 0 ? 'expired' : days <= 7 ? 'd7' : days <= 30 ? 'd30' : days <= 90 ? 'd90' : days <= 180 ? 'd180' : null;
  return { days, level };
}

/** @param {string} notAfter */
export function expiryBadge(notAfter) {
  const { days, level } = expiry(notAfter);
  if (!level) {
    return h('span', { class: 'badge ok' }, `${days} days left`);
  }
  const text = level === 'expired' ? 'expired' : `expires in ${days} day${days === 1 ? '' : 's'}`;
  return h('span', { class: `badge warn ${level}` }, `⚠ ${text}`);
}
