// dom.js builds elements without innerHTML, puts API errors next to the
// field they name, and announces results.

/**
 * Creates an element. attrs: class, text, on<event> handlers, dataset, and
 * plain attributes (true → present, false/null → absent).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false || c === '') continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/** Calls fn at most once per wait, after the calls stop. */
export function debounce(fn, wait) {
  let t = 0;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), wait);
  };
}

// Error codes that belong to a field even though the API names none.
const codeFields = {
  email_taken: 'email',
  weak_password: 'password',
};

let errorSeq = 0;

/** Removes the errors shown in scope. */
export function clearErrors(scope) {
  for (const el of $$('.field-error', scope)) el.remove();
  for (const el of $$('[aria-invalid="true"]', scope)) {
    el.removeAttribute('aria-invalid');
    const before = el.dataset.describedBy;
    if (before) el.setAttribute('aria-describedby', before);
    else el.removeAttribute('aria-describedby');
    delete el.dataset.describedBy;
    if (el.dataset.labelledBy === 'error') {
      el.removeAttribute('aria-labelledby');
      delete el.dataset.labelledBy;
    }
  }
  for (const el of $$('.invalid', scope)) el.classList.remove('invalid');
  const alert = alertIn(scope);
  if (alert) {
    alert.hidden = true;
    alert.textContent = '';
  }
}

function alertIn(scope) {
  if (!scope || scope === document) return $('[data-page-alert]');
  return scope.querySelector('[data-form-alert]') || $('[data-page-alert]');
}

// findField finds the element for an API field path, trying ever shorter
// prefixes: "lineItems[2].rate", then "lineItems[2]", then "lineItems".
function findField(scope, field) {
  let f = field;
  while (f) {
    const el = scope.querySelector(`[data-field~="${CSS.escape(f)}"]`);
    if (el) return { el, matched: f };
    const cut = Math.max(f.lastIndexOf('.'), f.lastIndexOf('['));
    if (cut <= 0) break;
    f = f.slice(0, cut);
  }
  return null;
}

function sentence(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/**
 * Shows err where it belongs: under the field the API named, or in the
 * form's alert. Returns the element marked invalid, if any.
 * @param {Element|Document} scope
 * @param {Error} err
 * @param {{focus?: boolean}} [opts]
 */
export function showError(scope, err, opts = {}) {
  const field = err.field || codeFields[err.code] || '';
  const hit = field ? findField(scope, field) : null;
  if (!hit) {
    const alert = alertIn(scope);
    if (alert) {
      alert.textContent = sentence(err.message);
      alert.hidden = false;
      if (opts.focus !== false) alert.scrollIntoView({ block: 'nearest' });
    } else {
      toast(err.message);
    }
    return null;
  }
  let msg = err.message || '';
  if (msg.startsWith(field + ': ')) msg = msg.slice(field.length + 2);
  if (hit.matched !== field) msg = `${field.slice(hit.matched.length).replace(/^[.]/, '')}: ${msg}`;
  const closed = hit.el.closest('details:not([open])');
  if (closed) closed.open = true;
  const id = `field-error-${++errorSeq}`;
  const note = h('span', { class: 'field-error', id }, sentence(msg));
  const controls = 'input, select, textarea';
  const control = hit.el.matches(controls) ? hit.el : hit.el.matches('label') ? hit.el.querySelector(controls) : null;
  if (control) {
    if (!control.dataset.describedBy) control.dataset.describedBy = control.getAttribute('aria-describedby') || '';
    // The note sits inside the field's label; naming the control by the
    // label's caption alone keeps the error out of its name, so screen
    // readers say it once, as the description.
    const caption = control.closest('label') && control.closest('label').querySelector(':scope > span:first-child');
    if (caption && !control.hasAttribute('aria-labelledby')) {
      if (!caption.id) caption.id = `field-label-${++errorSeq}`;
      control.setAttribute('aria-labelledby', caption.id);
      control.dataset.labelledBy = 'error';
    }
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', `${control.dataset.describedBy} ${id}`.trim());
    control.insertAdjacentElement('afterend', note);
    if (opts.focus !== false) control.focus();
  } else {
    hit.el.classList.add('invalid');
    const heading = hit.el.querySelector(':scope > h2, :scope > .line-head');
    if (heading) heading.insertAdjacentElement('afterend', note);
    else hit.el.append(note);
    if (opts.focus !== false) hit.el.scrollIntoView({ block: 'nearest' });
  }
  return hit.el;
}

let toastTimer = 0;

/** Shows a short message that screen readers announce. */
export function toast(message) {
  const el = $('[data-toast]');
  if (!el) return;
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 4000);
}

/** Marks a button busy while fn runs; a second click meanwhile does nothing. */
export async function busy(button, fn) {
  if (button.getAttribute('aria-busy') === 'true') return undefined;
  button.setAttribute('aria-busy', 'true');
  button.disabled = true;
  try {
    return await fn();
  } finally {
    button.removeAttribute('aria-busy');
    button.disabled = false;
  }
}

/**
 * Asks a yes/no question in the page's confirm dialog.
 * @returns {Promise<boolean>}
 */
export function confirmDialog({ title, body, ok = 'OK', danger = true }) {
  const dialog = $('[data-confirm-dialog]');
  $('[data-confirm-title]', dialog).textContent = title;
  $('[data-confirm-body]', dialog).textContent = body;
  const okButton = $('[data-confirm-ok]', dialog);
  okButton.textContent = ok;
  okButton.className = danger ? 'btn btn-danger' : 'btn btn-primary';
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

/** The text of a form control, trimmed. */
export function val(form, name) {
  const el = form.elements.namedItem(name);
  return el ? el.value.trim() : '';
}

const flashKey = 'carebill.flash';

/** Keeps a message to toast on the next page this tab opens. */
export function flash(message) {
  try {
    sessionStorage.setItem(flashKey, message);
  } catch {
    // Storage may be off; the next page simply shows no message.
  }
}

/** Toasts the message the previous page left, if any. */
export function showFlash() {
  let m = '';
  try {
    m = sessionStorage.getItem(flashKey) || '';
    sessionStorage.removeItem(flashKey);
  } catch {
    m = '';
  }
  if (m) toast(m);
}
