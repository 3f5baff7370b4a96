// cases.js: lab and surgical cases by status (GET /v1/cases?status=), the
// pending-PO panel (GET /v1/cases/pending-po: count, value, oldest event
// first, paged) and "New case" (POST /v1/cases).
import { api, IdempotencyKeys, query } from './api.js';
import { $, $$, busy, clearErrors, h, showError, val } from './dom.js';
import { amountInput, date, money } from './format.js';
import './layout.js';
import { clientNames, fillClients } from './work.js';

const rows = $('[data-rows]');
const empty = $('[data-empty]');
const more = $('[data-more]');
const params = new URLSearchParams(location.search);
let status = params.get('status') || 'pending_payment';
let cursor = '';
let pendingCursor = '';
const keys = new IdempotencyKeys();

const emptyText = {
  pending_po: 'No case is waiting for a PO.', pending_payment: 'No case is ready to invoice.',
  invoiced: 'No case is invoiced and unpaid.', invoice_paid: 'No paid cases yet.',
};

const manufacturers = (c) => [...new Set(c.products.map((p) => p.manufacturer))].join(', ');

function row(c, names) {
  return h('tr', {},
    h('td', { 'data-label': 'Event date' }, h('a', { class: 'strong', href: `/app/cases/${c.id}` }, date(c.eventDate))),
    h('td', { 'data-label': 'Billing account' }, names.get(c.clientId)),
    h('td', { 'data-label': 'Doctor' }, c.doctor),
    h('td', { 'data-label': 'Manufacturers' }, manufacturers(c)),
    h('td', { 'data-label': 'Value', class: 'num' }, money(c.value, c.currency)),
    h('td', { 'data-label': 'Commission' }, c.commissionPaid ? `Paid ${date(c.commissionPaidDate)}` : h('span', { class: 'subtle' }, 'Not paid')));
}

async function load(reset) {
  if (reset) cursor = '';
  for (const t of $$('[data-tabs] [role=tab]')) t.setAttribute('aria-selected', String(t.dataset.status === status));
  try {
    const res = await api('GET', `/v1/cases${query({ status, cursor, limit: 50 })}`);
    const names = await clientNames(res.data.map((c) => c.clientId));
    if (reset) rows.replaceChildren();
    rows.append(...res.data.map((c) => row(c, names)));
    cursor = res.nextCursor || '';
    more.hidden = !cursor;
    empty.hidden = rows.children.length > 0;
    empty.textContent = emptyText[status];
  } catch (err) {
    empty.hidden = true;
    showError(document, err);
  }
}

async function loadPending(reset) {
  if (reset) pendingCursor = '';
  try {
    const res = await api('GET', `/v1/cases/pending-po${query({ cursor: pendingCursor, limit: 20 })}`);
    const names = await clientNames(res.data.map((c) => c.clientId));
    $('[data-pending-summary]').textContent = res.count === 0
      ? 'Every case has its PO.'
      : `${res.count} case${res.count === 1 ? '' : 's'} worth ${money(res.value, res.currency)} before tax, oldest first.`;
    const list = $('[data-pending-list]');
    if (reset) list.replaceChildren();
    list.append(...res.data.map((c) => h('li', { class: 'pending-case' },
      h('a', { href: `/app/cases/${c.id}` }, `${date(c.eventDate)} · ${names.get(c.clientId)} · ${c.doctor}`),
      h('span', { class: 'subtle' }, ` ${money(c.value, c.currency)} · ${manufacturers(c)}`))));
    pendingCursor = res.nextCursor || '';
    $('[data-pending-more]').hidden = !pendingCursor;
  } catch (err) {
    showError(document, err);
  }
}

function productRow(p = {}) {
  const field = (k, label, attrs = {}) => h('label', { class: 'field' }, h('span', {}, label), h('input', { dataset: { k }, value: p[k] || '', autocomplete: 'off', ...attrs }));
  const li = h('li', { class: 'product-row grid-4' },
    field('description', 'Product', { maxlength: 200 }),
    field('manufacturer', 'Manufacturer', { maxlength: 200 }),
    field('lot', 'Lot', { maxlength: 100 }),
    field('quantity', 'Qty', { inputmode: 'decimal' }),
    field('rate', 'Rate', { inputmode: 'decimal' }),
    field('discount', 'Discount', { inputmode: 'decimal' }),
    h('button', { type: 'button', class: 'btn btn-small btn-quiet', onclick: () => li.remove() }, 'Remove'));
  return li;
}

function productsBody() {
  return $$('[data-products] > li').map((li, i) => {
    li.querySelectorAll('[data-k]').forEach((el) => { el.dataset.field = `products[${i}].${el.dataset.k}`; });
    const v = (k) => li.querySelector(`[data-k=${k}]`).value.trim();
    const p = { description: v('description'), manufacturer: v('manufacturer'), quantity: v('quantity'), rate: amountInput(v('rate')) };
    if (v('lot')) p.lot = v('lot');
    if (v('discount')) p.discount = amountInput(v('discount'));
    return p;
  });
}

const dialog = $('[data-case-dialog]');
const form = $('[data-case-form]');

$('[data-new-case]').addEventListener('click', async () => {
  clearErrors(form);
  form.reset();
  $('[data-products]').replaceChildren(productRow({ quantity: '1' }));
  dialog.showModal();
  try {
    await fillClients(form.elements.namedItem('clientId'), 'Choose the facility or office');
  } catch (err) {
    showError(form, err);
  }
});
$('[data-case-cancel]').addEventListener('click', () => dialog.close());
$('[data-add-product]').addEventListener('click', () => $('[data-products]').append(productRow({ quantity: '1' })));

form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(form);
  const body = {
    clientId: val(form, 'clientId'), doctor: val(form, 'doctor'), patient: val(form, 'patient'),
    eventDate: val(form, 'eventDate'), products: productsBody(), billingNotes: val(form, 'billingNotes'),
  };
  busy($('[data-submit]', form), async () => {
    try {
      const c = await api('POST', '/v1/cases', body, { idempotencyKey: keys.for(body) });
      location.assign(`/app/cases/${c.id}`);
    } catch (err) {
      showError(form, err);
    }
  });
});

for (const t of $$('[data-tabs] [role=tab]')) {
  t.addEventListener('click', () => {
    status = t.dataset.status;
    history.replaceState(null, '', `${location.pathname}?status=${status}`);
    load(true);
  });
}
more.addEventListener('click', () => load(false));
$('[data-pending-more]').addEventListener('click', () => loadPending(false));
loadPending(true);
load(true);
