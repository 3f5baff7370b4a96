// builder.js builds and edits a draft invoice. The first change creates the
// draft (POST /v1/invoices); later changes PATCH it, debounced. Totals are
// never worked out here: after each save the page shows the subtotal, tax,
// fees and total the API computed, as its decimal strings.
import { api, IdempotencyKeys, query } from './api.js';
import { $, $$, busy, clearErrors, confirmDialog, debounce, flash, h, showError, toast } from './dom.js';
import { billingContact, funding, money, percent } from './format.js';
import { org as loadOrg } from './layout.js';
import { sendDialog, sentSummary } from './senddialog.js';

const main = $('main');
const form = $('[data-invoice-form]');
const lines = $('[data-lines]');
const lineTemplate = $('[data-line-template]');
const saveState = $('[data-save-state]');
const reviewButton = $('[data-review]');
const saveButton = $('[data-save]');
const deleteButton = $('[data-delete]');
const sendButton = $('[data-send-invoice]');
const keys = new IdempotencyKeys();

const state = {
  id: main.dataset.id || '',
  clientId: new URLSearchParams(location.search).get('client') || '',
  defaultTax: '',
  currency: '',
  version: 0, // bumped by every edit
  saved: 0, // the version the server has
  saving: null, // the save in flight
  failed: false,
  timer: 0,
};

const fieldsOf = {
  variable: ['description', 'periodStart', 'periodEnd', 'quantity', 'unit', 'rate', 'discount', 'taxRate', 'supportItem'],
  fixed: ['description', 'periodStart', 'periodEnd', 'amount', 'discount', 'taxRate', 'supportItem'],
};
const decimalFields = new Set(['quantity', 'rate', 'amount', 'discount', 'taxRate']);

function setState(text, kind = '') {
  saveState.textContent = text;
  saveState.dataset.kind = kind;
}

// --- lines -----------------------------------------------------------------

function addLine(type, data = null) {
  const li = lineTemplate.content.firstElementChild.cloneNode(true);
  li.dataset.type = type;
  for (const el of $$('[data-only]', li)) if (el.dataset.only !== type) el.remove();
  $('[data-kind]', li).textContent = type === 'variable' ? 'Variable price' : 'Fixed price';
  const input = (f) => $(`[data-f="${f}"]`, li);
  input('taxRate').placeholder = state.defaultTax ? `${state.defaultTax} (default)` : '';
  if (data) {
    for (const f of fieldsOf[type]) {
      const el = input(f);
      if (el && data[f] !== undefined) el.value = data[f];
    }
    if (data.lineTotal) $('[data-line-total]', li).textContent = money(data.lineTotal, state.currency);
    // Open the extra options when they hold something other than the defaults.
    const discounted = data.discount && !/^0*(\.0*)?$/.test(data.discount);
    const taxed = data.taxRate && data.taxRate !== String(state.defaultTax);
    $('[data-more-options]', li).open = Boolean(discounted || taxed || data.supportItem);
  } else {
    // A new line covers the same period as the one before it.
    const prev = $$('.line', lines).at(-1);
    if (prev) {
      input('periodStart').value = $('[data-f="periodStart"]', prev).value;
      input('periodEnd').value = $('[data-f="periodEnd"]', prev).value;
      if (input('periodStart').value || input('periodEnd').value) {
        const note = h('p', { class: 'hint', 'data-period-copied': '' }, 'Service period copied from the line above; change it if this line differs.');
        $('.line-head', li).insertAdjacentElement('afterend', note);
        const drop = () => note.remove();
        input('periodStart').addEventListener('input', drop, { once: true });
        input('periodEnd').addEventListener('input', drop, { once: true });
      }
    }
  }
  $('[data-remove-line]', li).addEventListener('click', () => {
    const next = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    renumber();
    changed();
    (next ? $('[data-f="description"]', next) : $(`[data-add="${type}"]`)).focus();
  });
  lines.append(li);
  renumber();
  return li;
}

function renumber() {
  const all = $$('.line', lines);
  all.forEach((li, i) => {
    li.setAttribute('aria-label', `Line ${i + 1}, ${li.dataset.type} price`);
    $('[data-remove-line]', li).setAttribute('aria-label', `Remove line ${i + 1}`);
  });
  $('[data-lines-empty]').hidden = all.length > 0;
}

// collect reads the form into the API's invoice body. Lines left entirely
// blank are not sent; each sent line's inputs are labelled with its index
// in the body, so an error such as "lineItems[1].rate" lands on the input.
function collect() {
  const v = (name) => form.elements.namedItem(name).value;
  const body = {
    name: v('name').trim(),
    issueDate: v('issueDate'),
    dueDate: v('dueDate'),
    poNumber: v('poNumber').trim(),
    memo: v('memo').trim(),
    lineItems: [],
  };
  for (const li of $$('.line', lines)) {
    const type = li.dataset.type;
    const read = (f) => {
      const el = $(`[data-f="${f}"]`, li);
      let s = el ? el.value.trim() : '';
      // People type "1,200", "$50" or "10%"; the API wants plain decimals.
      if (decimalFields.has(f)) s = s.replace(/[\s,$%]/g, '');
      return s;
    };
    const values = Object.fromEntries(fieldsOf[type].map((f) => [f, read(f)]));
    const blank = fieldsOf[type].every((f) => f === 'unit' || values[f] === '');
    const i = blank ? -1 : body.lineItems.length;
    li.dataset.index = String(i);
    li.dataset.field = i < 0 ? '' : `lineItems[${i}]`;
    for (const f of fieldsOf[type]) {
      const el = $(`[data-f="${f}"]`, li);
      if (el) el.dataset.field = i < 0 ? '' : `lineItems[${i}].${f}`;
    }
    if (blank) continue;
    const line = { type };
    for (const f of fieldsOf[type]) if (values[f] !== '') line[f] = values[f];
    body.lineItems.push(line);
  }
  return body;
}

// --- saving ----------------------------------------------------------------

function changed() {
  state.version += 1;
  setState('Unsaved changes');
  clearTimeout(state.timer);
  state.timer = setTimeout(save, 700);
}

function save() {
  clearTimeout(state.timer);
  if (state.saving) return state.saving;
  if (state.id && state.version === state.saved) return Promise.resolve();
  const body = collect();
  const version = state.version;
  state.saving = (async () => {
    setState('Saving…', 'busy');
    try {
      let inv;
      if (state.id) {
        inv = await api('PATCH', `/v1/invoices/${state.id}`, body);
      } else {
        const create = { clientId: state.clientId, ...body };
        inv = await api('POST', '/v1/invoices', create, { idempotencyKey: keys.for(create) });
        created(inv);
      }
      state.saved = version;
      state.failed = false;
      clearErrors(form);
      showTotals(inv);
      setState(state.version === version ? 'All changes saved' : 'Unsaved changes', 'ok');
    } catch (err) {
      state.failed = true;
      clearErrors(form);
      showError(form, err, { focus: false });
      setState(err.field ? 'Not saved: check the highlighted field' : `Not saved: ${err.message}`, 'error');
    } finally {
      state.saving = null;
    }
    if (state.version !== version) state.timer = setTimeout(save, 300);
  })();
  return state.saving;
}

/** Saves until the server has every change; false when a save fails. */
async function flush() {
  clearTimeout(state.timer);
  for (;;) {
    if (state.saving) {
      await state.saving;
      clearTimeout(state.timer);
      continue;
    }
    if (state.id && state.version === state.saved && !state.failed) return true;
    await save();
    if (state.failed) return false;
  }
}

function created(inv) {
  state.id = inv.id;
  history.replaceState(null, '', `/app/invoices/${inv.id}/edit`);
  $('[data-heading]').textContent = 'Draft invoice';
  reviewButton.disabled = false;
  sendButton.disabled = false;
  deleteButton.hidden = false;
}

function row(label, value, attrs = {}) {
  return h('div', attrs, h('dt', {}, label), h('dd', {}, value));
}

function showTotals(inv) {
  state.currency = inv.currency;
  for (const li of $$('.line', lines)) {
    const i = Number(li.dataset.index);
    const l = i >= 0 ? inv.lineItems[i] : null;
    $('[data-line-total]', li).textContent = l ? money(l.lineTotal, inv.currency) : '';
  }
  const cur = inv.currency;
  const out = [row('Subtotal', money(inv.subtotal, cur), { 'data-subtotal': '' })];
  if (inv.taxes.length > 1) {
    for (const t of inv.taxes) out.push(row(`Tax ${percent(t.rate)} on ${money(t.base, cur)}`, money(t.tax, cur)));
    out.push(row('Tax', money(inv.taxTotal, cur), { 'data-tax-total': '' }));
  } else {
    const label = inv.taxes.length ? `Tax (${percent(inv.taxes[0].rate)})` : 'Tax';
    out.push(row(label, money(inv.taxTotal, cur), { 'data-tax-total': '' }));
  }
  for (const f of inv.fees) out.push(row(f.description, money(f.amount, cur)));
  out.push(row('Total', money(inv.total, cur), { class: 'grand', 'data-total': '' }));
  $('[data-totals]').replaceChildren(...out);
  $('[data-totals-hint]').textContent = inv.fees.length
    ? 'Card fees are added by your fee policy.'
    : 'Worked out by carebill from the saved draft. Card fees, if your policy passes them on, appear here.';
}

// --- loading ---------------------------------------------------------------

function showClient(client, o) {
  state.defaultTax = client.taxRate ?? o.taxRate;
  state.currency = o.currency;
  const link = $('[data-client-link]');
  link.textContent = client.name;
  link.href = `/app/clients/${client.id}`;
  $('[data-client-crumb]').hidden = false;
  const f = client.funding || {};
  const billing = billingContact(client);
  const parts = [h('p', { class: 'strong' }, h('a', { href: `/app/clients/${client.id}` }, client.name))];
  if (f.type === 'plan_managed' && f.planManager) {
    parts.push(h('p', {}, `Care of ${f.planManager.name}`), h('p', { class: 'subtle' }, f.planManager.email),
      h('p', { class: 'hint' }, 'Plan-managed: the invoice goes to the plan manager.'));
  } else if (f.type === 'ndia_managed') {
    parts.push(h('p', { class: 'hint' }, 'NDIA-managed: claimed in the NDIA bulk upload, not emailed.'));
  } else if (billing) {
    parts.push(h('p', {}, billing.name));
    if (billing.email) parts.push(h('p', { class: 'subtle' }, billing.email));
    if (billing.phone) parts.push(h('p', { class: 'subtle' }, billing.phone));
  } else {
    parts.push(h('p', { class: 'hint' }, 'No billing contact yet: add one on the client’s profile before sending.'));
  }
  if (funding(f)) parts.push(h('p', { class: 'subtle' }, funding(f)));
  $('[data-bill-to]').replaceChildren(...parts);
  for (const el of $$('[data-f="taxRate"]', lines)) el.placeholder = `${state.defaultTax} (default)`;
}

function fill(inv) {
  const set = (name, value) => {
    form.elements.namedItem(name).value = value || '';
  };
  set('name', inv.name);
  set('issueDate', inv.issueDate);
  set('dueDate', inv.dueDate);
  set('poNumber', inv.poNumber);
  set('memo', inv.memo);
  state.currency = inv.currency;
  for (const l of inv.lineItems) addLine(l.type, l);
  collect();
}

function monthName() {
  return new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric' }).format(new Date());
}

async function showPicker() {
  const picker = $('[data-client-picker]');
  const input = $('[data-client-search]');
  const results = $('[data-client-results]');
  picker.hidden = false;
  const find = async () => {
    try {
      const res = await api('GET', `/v1/clients${query({ q: input.value.trim(), limit: 20 })}`);
      results.replaceChildren(...res.data.map((c) => h('li', {},
        h('a', { class: 'picker-item', href: `/app/invoices/new?client=${c.id}` }, c.name,
          h('span', { class: 'subtle' }, funding(c.funding))))));
      if (!res.data.length) {
        results.replaceChildren(h('li', { class: 'subtle' }, input.value.trim()
          ? 'No clients match.'
          : ['No clients yet. ', h('a', { href: '/app/clients' }, 'Add your first client'), ' to invoice them.']));
      }
    } catch (err) {
      showError(document, err);
    }
  };
  input.addEventListener('input', debounce(find, 250));
  input.focus();
  find();
}

async function start() {
  try {
    if (state.id) {
      const inv = await api('GET', `/v1/invoices/${state.id}`);
      if (inv.status !== 'draft') {
        location.replace(`/app/invoices/${inv.id}`);
        return;
      }
      state.clientId = inv.clientId;
      const [client, o] = await Promise.all([api('GET', `/v1/clients/${inv.clientId}`), loadOrg()]);
      showClient(client, o);
      fill(inv);
      showTotals(inv);
      created(inv);
      setState('All changes saved', 'ok');
    } else if (state.clientId) {
      const [client, o] = await Promise.all([api('GET', `/v1/clients/${encodeURIComponent(state.clientId)}`), loadOrg()]);
      showClient(client, o);
      form.elements.namedItem('name').value = `Invoice – ${monthName()}`;
      state.saved = state.version;
    } else {
      showPicker();
      return;
    }
    $('[data-builder]').hidden = false;
    renumber();
  } catch (err) {
    if (err.status === 404 && !state.id) {
      state.clientId = '';
      showPicker();
    }
    showError(document, err);
  }
}

// --- wiring ----------------------------------------------------------------

form.addEventListener('input', changed);
form.addEventListener('submit', (e) => e.preventDefault());
for (const b of $$('[data-add]')) {
  b.addEventListener('click', () => {
    const li = addLine(b.dataset.add);
    $('[data-f="description"]', li).focus();
  });
}
saveButton.addEventListener('click', () => busy(saveButton, async () => {
  if (await flush()) toast('Draft saved.');
}));
reviewButton.addEventListener('click', () => busy(reviewButton, async () => {
  if (await flush()) location.assign(`/app/invoices/${state.id}`);
}));
sendButton.addEventListener('click', () => busy(sendButton, async () => {
  if (!(await flush())) return;
  const sent = await sendDialog({ invoiceId: state.id });
  if (!sent) return;
  state.saved = state.version;
  flash(`${sent.number} sent by ${sentSummary(sent.deliveries)}.`);
  location.assign(`/app/invoices/${state.id}`);
}));
deleteButton.addEventListener('click', async () => {
  const ok = await confirmDialog({ title: 'Delete this draft?', body: 'The draft and its line items are removed. Nothing was sent.', ok: 'Delete draft' });
  if (!ok) return;
  clearTimeout(state.timer);
  if (state.saving) await state.saving;
  try {
    await api('DELETE', `/v1/invoices/${state.id}`);
    state.saved = state.version;
    location.assign(`/app/clients/${state.clientId}`);
  } catch (err) {
    showError(document, err);
  }
});
window.addEventListener('beforeunload', (e) => {
  if (state.saving || (state.version !== state.saved)) e.preventDefault();
});

start();
