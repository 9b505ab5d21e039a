// @ts-check
/**
 * A few DOM helpers. Every value from the API goes into the page as text (createTextNode, textContent), never as
 * HTML, so nothing the gateway stores can run as script here.
 */
import { ApiError } from './api.js';

/**
 * Builds an element. Props: attributes; "on…" functions become listeners; false/null/undefined are left out.
 * @param {string} tag
 * @param {Record<string, any> | null} [props]
 * @param {...any} children strings, nodes, arrays of them, or null
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === false || v === null || v === undefined) {
      continue;
    }
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'value' && 'value' in el) {
      /** @type {any} */ (el).value = v;
    } else if (k === 'checked' && 'checked' in el) {
      /** @type {any} */ (el).checked = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

/**
 * @param {Node} el
 * @param {any[]} children
 */
function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) {
      continue;
    }
    if (Array.isArray(c)) {
      append(el, c);
    } else if (c instanceof Node) {
      el.appendChild(c);
    } else {
      el.appendChild(document.createTextNode(String(c)));
    }
  }
}

/**
 * Replaces an element's children.
 * @param {Element} el
 * @param {...any} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

let ids = 0;
/** @param {string} prefix */
export function uid(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

/**
 * A labelled field: the label, the control, a hint, and an error slot the API's complaints go into.
 * @param {string} label
 * @param {HTMLElement} control an input, select or textarea (given an id here)
 * @param {{ param?: string, hint?: string }} [opts] param: the API parameter this field feeds
 */
export function field(label, control, opts = {}) {
  const id = control.id || uid('f');
  control.id = id;
  const hint = opts.hint ? h('p', { class: 'hint', id: `${id}-hint` }, opts.hint) : null;
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true });
  control.setAttribute('aria-describedby', [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' '));
  const wrap = h('div', { class: 'field', 'data-param': opts.param ?? null }, h('label', { for: id }, label), control, hint, error);
  return wrap;
}

/**
 * A form that calls `submit` and shows API errors next to the field whose data-param the error names, else above the
 * button. The button is disabled while the call runs.
 * @param {{ label: string, fields: HTMLElement[], submit: (form: HTMLFormElement) => Promise<void>, extra?: any }} spec
 */
export function form(spec) {
  const general = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary' }, spec.label);
  const el = /** @type {HTMLFormElement} */ (h('form', { novalidate: true }, spec.fields, spec.extra ?? null, general, h('div', { class: 'actions' }, button)));
  // an error belongs to what was submitted: editing the field clears its message
  el.addEventListener('input', (ev) => {
    const wrap = /** @type {HTMLElement} */ (ev.target).closest('.field');
    const slot = /** @type {HTMLElement | null} */ (wrap?.querySelector('.field-error') ?? null);
    if (wrap && slot && !slot.hidden) {
      slot.hidden = true;
      slot.textContent = '';
      wrap.querySelector('[aria-invalid]')?.removeAttribute('aria-invalid');
    }
  });
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(el);
    button.setAttribute('disabled', '');
    try {
      await spec.submit(el);
    } catch (e) {
      showError(el, e, general);
    } finally {
      button.removeAttribute('disabled');
    }
  });
  return el;
}

/** @param {Element} scope */
export function clearErrors(scope) {
  for (const e of scope.querySelectorAll('.field-error, .form-error')) {
    /** @type {HTMLElement} */ (e).hidden = true;
    e.textContent = '';
  }
  for (const c of scope.querySelectorAll('[aria-invalid]')) {
    c.removeAttribute('aria-invalid');
  }
}

/**
 * Puts an error next to the field it names (by API parameter), or into `fallback`.
 * @param {Element} scope
 * @param {unknown} e
 * @param {HTMLElement} fallback
 */
export function showError(scope, e, fallback) {
  const text = describe(e);
  const param = e !== null && typeof e === 'object' && 'param' in e ? /** @type {any} */ (e).param : null;
  const wrap = param ? scope.querySelector(`.field[data-param="${CSS.escape(param)}"]`) : null;
  const slot = /** @type {HTMLElement | null} */ (wrap?.querySelector('.field-error') ?? null);
  if (wrap && slot) {
    slot.textContent = text;
    slot.hidden = false;
    const control = /** @type {HTMLElement | null} */ (wrap.querySelector('input, select, textarea'));
    control?.setAttribute('aria-invalid', 'true');
    control?.focus();
  } else {
    fallback.textContent = text;
    fallback.hidden = false;
  }
}

/** @param {unknown} e */
export function describe(e) {
  if (e instanceof ApiError) {
    return e.code ? `${e.message} (${e.code}${e.requestId ? `, request ${e.requestId}` : ''})` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * A table with a caption, headers and rows; an empty list shows `empty`.
 * @param {string} caption
 * @param {string[]} headers
 * @param {any[][]} rows cells: strings or nodes
 * @param {string} [empty]
 */
export function table(caption, headers, rows, empty = 'None yet.') {
  if (rows.length === 0) {
    return h('p', { class: 'empty' }, empty);
  }
  return h('div', { class: 'table-wrap' },
    h('table', null,
      h('caption', null, caption),
      h('thead', null, h('tr', null, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c)))))));
}

/**
 * Saves bytes as a file through the browser's download.
 * @param {string} name
 * @param {BlobPart} content
 * @param {string} type
 */
export function download(name, content, type) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Announces a result in the page's live region.
 * @param {string} text
 */
export function announce(text) {
  const region = document.getElementById('status');
  if (region) {
    region.textContent = text;
  }
}

/** An ISO time as local date and time, or "—". @param {string | undefined | null} iso */
export function when(iso) {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * A button that runs an async action, shows "…" while it runs and reports failures in `errors`.
 * @param {string} label
 * @param {() => Promise<void>} run
 * @param {HTMLElement} errors
 * @param {Record<string, any>} [props]
 */
export function actionButton(label, run, errors, props = {}) {
  const b = h('button', { type: 'button', ...props }, label);
  b.addEventListener('click', async () => {
    errors.hidden = true;
    b.setAttribute('disabled', '');
    try {
      await run();
    } catch (e) {
      errors.textContent = describe(e);
      errors.hidden = false;
    } finally {
      b.removeAttribute('disabled');
    }
  });
  return b;
}

/** A page-level error line. */
export function errorLine() {
  return h('p', { class: 'form-error', role: 'alert', hidden: true });
}

/**
 * A page's "draw again": empties its container and renders it anew (after a change).
 * @param {HTMLElement} body
 * @param {(body: HTMLElement) => Promise<void>} render
 */
export function again(body, render) {
  return async () => {
    body.replaceChildren();
    await render(body);
  };
}

/**
 * A small line chart (SVG) of {@code values}, scaled to its own maximum, with its label, the latest value and the maximum
 * in words for screen readers and the eye.
 * @param {string} label
 * @param {number[]} values
 * @param {(v: number) => string} format
 * @param {string} id
 */
export function chart(label, values, format, id) {
  const ns = 'http://www.w3.org/2000/svg';
  const width = 360;
  const height = 64;
  const max = Math.max(1e-9, ...values);
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  const latest = values.length ? values[values.length - 1] : 0;
  svg.setAttribute('aria-label', `${label}: latest ${format(latest)}, at most ${format(values.length ? max : 0)} in the last hour`);
  const line = document.createElementNS(ns, 'polyline');
  const drawn = values.length === 1 ? [values[0], values[0]] : values; // one sample: a level line, not an invisible point
  const step = drawn.length > 1 ? width / (drawn.length - 1) : 0;
  line.setAttribute('points', drawn.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' '));
  svg.append(line);
  return h('figure', { class: 'chart-box', id },
    h('figcaption', null, label, h('span', { class: 'chart-latest' }, values.length ? format(latest) : 'no sample yet')),
    svg);
}
