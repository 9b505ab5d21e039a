// @ts-check
/** The console's shell: login, navigation by URL fragment (#/keys, #/audit?ClientKeyId=…), one page at a time. */
import { login, logout, loggedIn, whenLoggedOut } from './api.js';
import { h, field, form, replace } from './dom.js';
import * as instance from './pages/instance.js';
import * as access from './pages/access.js';
import * as rules from './pages/rules.js';
import * as policies from './pages/policies.js';
import * as keys from './pages/keys.js';
import * as secrets from './pages/secrets.js';
import * as audit from './pages/audit.js';
import * as tokens from './pages/tokens.js';

/** @type {Record<string, { title: string, render: (main: HTMLElement, query: URLSearchParams) => Promise<void> | void }>} */
const PAGES = {
  instance: { title: 'Instance', render: instance.render },
  access: { title: 'Application Access', render: access.render },
  rules: { title: 'Network Rules', render: rules.render },
  policies: { title: 'Policies', render: policies.render },
  keys: { title: 'Keys', render: keys.render },
  secrets: { title: 'Secrets', render: secrets.render },
  audit: { title: 'Audit', render: audit.render },
  tokens: { title: 'Admin Tokens', render: tokens.render },
};

/** The pages each role can use (the gateway refuses the rest with 403 anyway; the menu just does not offer them). */
const ROLE_PAGES = {
  Admin: Object.keys(PAGES),
  ReadOnly: Object.keys(PAGES),
  Auditor: ['instance', 'audit'],
};

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
const logoutButton = /** @type {HTMLButtonElement} */ (document.getElementById('logout'));
const instanceLabel = /** @type {HTMLElement} */ (document.getElementById('instance'));
/** Bumped on every navigation so a slow page never paints over the next one. */
let generation = 0;
/** @type {(() => void) | null} */
let leave = null;

export function currentGeneration() {
  return generation;
}

function showLogin(reason = '') {
  generation += 1;
  if (leave) {
    leave();
    leave = null;
  }
  nav.hidden = true;
  logoutButton.hidden = true;
  instanceLabel.textContent = '';
  const token = /** @type {HTMLInputElement} */ (h('input', { type: 'password', autocomplete: 'off', spellcheck: 'false', required: true }));
  replace(main,
    h('h1', null, 'Log in'),
    h('p', null, 'Paste an admin token: the file admin.token in the gateway\'s data directory, or one made on the '
      + 'Admin Tokens page (role Admin, ReadOnly or Auditor). The console keeps it in this tab\'s memory only; reloading the page '
      + 'logs out.'),
    form({
      label: 'Log in',
      fields: [field('Admin token', token, { param: 'Token' })],
      submit: async () => {
        if (!token.value.trim()) {
          throw Object.assign(new Error('Paste the admin token.'), { param: 'Token' });
        }
        try {
          const info = await login(token.value);
          token.value = '';
          const role = info.Caller?.Role ?? 'Admin';
          instanceLabel.textContent = `${info.InstanceId} · ${role}`;
          const allowed = ROLE_PAGES[/** @type {keyof typeof ROLE_PAGES} */ (role)] ?? ['instance'];
          for (const li of nav.querySelectorAll('li')) {
            const href = li.querySelector('a')?.getAttribute('href') ?? '';
            li.hidden = !allowed.includes(href.replace(/^#\//, ''));
          }
        } catch (e) {
          const err = /** @type {any} */ (e);
          if (err.status === 401) {
            throw Object.assign(new Error(`The gateway refused this token: ${err.message}`), { param: 'Token' });
          }
          if (err.status === 403) {
            throw Object.assign(new Error(`This token cannot use the console: ${err.message}`), { param: 'Token' });
          }
          throw e;
        }
        nav.hidden = false;
        logoutButton.hidden = false;
        if (!location.hash || location.hash === '#/' || location.hash === '#/login') {
          location.hash = '#/instance';
        } else {
          route();
        }
      },
    }));
  token.focus();
  if (reason) {
    main.insertBefore(h('p', { class: 'form-error', role: 'alert' }, reason), main.children[1]);
  }
}

async function route() {
  generation += 1;
  if (leave) {
    leave();
    leave = null;
  }
  if (!loggedIn()) {
    showLogin();
    return;
  }
  const [name, q] = location.hash.replace(/^#\/?/, '').split('?');
  const page = PAGES[name] ?? PAGES.instance;
  for (const a of nav.querySelectorAll('a')) {
    if (a.getAttribute('href') === `#/${name}`) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  }
  document.title = `${page.title} — kmsgw console`;
  replace(main, h('h1', null, page.title), h('p', { class: 'loading' }, 'Loading…'));
  main.focus();
  const mine = generation;
  const body = h('div', { class: 'page' });
  try {
    await page.render(body, new URLSearchParams(q ?? ''));
  } catch (e) {
    body.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, e instanceof Error ? e.message : String(e)));
  }
  if (mine === generation) {
    replace(main, h('h1', null, page.title), body);
  }
}

/**
 * A page registers what to stop (timers) when the operator navigates away.
 * @param {() => void} fn
 */
export function onLeave(fn) {
  leave = fn;
}

logoutButton.addEventListener('click', () => {
  logout();
  if (location.hash === '#/login') {
    showLogin();
  } else {
    // the hash change routes to the login form: drawing it here as well drew it twice, and a token typed into the
    // first form was lost when the second replaced it (the browser tests' logins failed now and then)
    location.hash = '#/login';
  }
});
whenLoggedOut(() => showLogin('The gateway no longer accepts the token; log in again.'));
window.addEventListener('hashchange', route);
route();
