// Small DOM helpers shared by the page's modules: element building, status
// lines, the error toast and downloads.

export const $ = (sel) => document.querySelector(sel);

/**
 * el builds an element: props set attributes, properties (when the element
 * has one of that name), classes, dataset entries and on* listeners; children
 * are nodes or strings (null and false are skipped).
 */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k in e && k !== 'list') e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null && c !== false) e.append(c);
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** svg builds an SVG element with presentation attributes (no inline styles: the CSP forbids them). */
export function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c != null && c !== false) e.append(c);
  return e;
}

let toastTimer;

/** showError shows a failure in the toast for a while (aborted requests are not failures). */
export function showError(err) {
  if (err?.name === 'AbortError') return;
  const msg = err instanceof Error ? err.message : String(err);
  const t = $('#toast');
  if (!t) { console.error(msg); return; }
  t.replaceChildren(el('span', { text: msg }), el('button', { type: 'button', class: 'icon', 'aria-label': 'Dismiss', text: '×', onclick: () => { t.hidden = true; } }));
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 12000);
}

/** setStatus writes a status line, with a spinner while busy. */
export function setStatus(node, text, { busy = false, error = false } = {}) {
  node.replaceChildren();
  node.classList.toggle('error', error);
  if (!text) return;
  if (busy) node.append(el('span', { class: 'spinner', 'aria-hidden': 'true' }));
  node.append(el('span', { text }));
}

/** download hands data over to the browser as a file. */
export function download(name, type, data) {
  const url = URL.createObjectURL(data instanceof Blob ? data : new Blob([data], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** slug turns a name into a file-name stem. */
export const slug = (s, fallback = 'alignment') => (s || fallback).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || fallback;
