// case.js: one lab or surgical case: its products, PO entry (one for all
// manufacturers or one per manufacturer: PUT …/purchase-orders), Invoice
// and Uninvoice (POST …/invoice, …/uninvoice), the Invoice Paid and
// Commission Paid marks, its invoices and their accounting CSVs. What the
// case allows follows its status as the API reports it.
import { api } from './api.js';
import { $, $$, busy, clearErrors, confirmDialog, h, showError, toast, val } from './dom.js';
import { date, money } from './format.js';
import { org } from './layout.js';
import { clientNames, todayIn } from './work.js';

const caseID = $('main').dataset.id;
const poForm = $('[data-po-form]');
const commissionForm = $('[data-commission-form]');
let current = null;

const statusText = { pending_po: 'Pending PO', pending_payment: 'Ready to invoice', invoiced: 'Invoiced', invoice_paid: 'Invoice paid' };
const invoiceStatus = { draft: 'Draft', open: 'Open', paid: 'Paid', void: 'Void' };

const makers = (c) => [...new Set(c.products.map((p) => p.manufacturer))];

function render(c, name) {
  current = c;
  $('[data-title]').textContent = `${date(c.eventDate)} · ${c.doctor}`;
  $('[data-subtitle]').textContent = [name, c.patient].filter(Boolean).join(' · ');
  $('[data-products]').replaceChildren(...c.products.map((p) => h('tr', {},
    h('td', { 'data-label': 'Product' }, p.description),
    h('td', { 'data-label': 'Manufacturer' }, p.manufacturer),
    h('td', { 'data-label': 'Lot' }, p.lot || '—'),
    h('td', { 'data-label': 'Qty', class: 'num' }, p.quantity),
    h('td', { 'data-label': 'Rate', class: 'num' }, money(p.rate, c.currency)),
    h('td', { 'data-label': 'Discount', class: 'num' }, p.discount ? money(p.discount, c.currency) : '—'))));
  $('[data-notes]').textContent = c.billingNotes ? `Billing notes (the invoice memo): ${c.billingNotes}` : '';

  const facts = [['Status', h('span', { class: `chip chip-case-${c.status}`, dataset: { status: c.status } }, statusText[c.status] || c.status)],
    ['Value before tax', money(c.value, c.currency)],
    ['Commission', c.commissionPaid ? `Paid ${date(c.commissionPaidDate)}` : 'Not paid']];
  $('[data-facts]').replaceChildren(...facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', { dataset: { fact: k } }, v))));

  $('[data-invoices]').replaceChildren(...c.invoices.map((b) => h('tr', { dataset: { caseInvoice: b.invoiceId } },
    h('td', { 'data-label': 'Invoice' }, h('a', { href: `/app/invoices/${b.invoiceId}` }, b.number || 'Draft')),
    h('td', { 'data-label': 'Manufacturer' }, b.manufacturer || 'All'),
    h('td', { 'data-label': 'PO' }, b.po),
    h('td', { 'data-label': 'Status' }, invoiceStatus[b.status] || b.status || '—'),
    h('td', { 'data-label': 'Total', class: 'num' }, money(b.total, c.currency)),
    h('td', { 'data-label': 'Balance', class: 'num' }, money(b.balance, c.currency)))));
  $('[data-invoices-empty]').hidden = c.invoices.length > 0;
  const billed = c.status === 'invoiced' || c.status === 'invoice_paid';
  $('[data-csv]').hidden = !billed;
  $('[data-csv-xero]').href = `/v1/cases/${c.id}/invoice.csv?format=xero`;
  $('[data-csv-qbo]').href = `/v1/cases/${c.id}/invoice.csv?format=quickbooks`;

  // POs can change until the case is invoiced.
  $('[data-po-card]').hidden = billed;
  const each = $('[data-po-each]');
  each.replaceChildren(...makers(c).map((m, i) => h('label', { class: 'field' }, h('span', {}, `PO for ${m}`),
    h('input', { name: `po-${i}`, maxlength: 100, autocomplete: 'off', dataset: { manufacturer: m, field: `byManufacturer.${m}` }, value: (c.purchaseOrders.byManufacturer || {})[m] || '' }))));
  const byEach = Boolean(c.purchaseOrders.byManufacturer && Object.keys(c.purchaseOrders.byManufacturer).length);
  poForm.elements.namedItem('all').value = c.purchaseOrders.all || '';
  for (const r of $$('[name=poMode]', poForm)) r.checked = r.value === (byEach ? 'each' : 'all');
  poMode();

  $('[data-commission-card]').hidden = !billed || c.commissionPaid;

  const actions = [];
  if (c.status === 'pending_payment') actions.push(h('button', { type: 'button', class: 'btn btn-primary', dataset: { action: 'invoice', needs: 'bill' }, onclick: (e) => invoice(e.currentTarget) }, 'Invoice'));
  if (c.status === 'invoiced') {
    actions.push(h('button', { type: 'button', class: 'btn', dataset: { action: 'uninvoice', needs: 'bill' }, onclick: (e) => uninvoice(e.currentTarget) }, 'Uninvoice'));
    actions.push(h('button', { type: 'button', class: 'btn btn-primary', dataset: { action: 'invoice-paid', needs: 'bill' }, onclick: (e) => invoicePaid(e.currentTarget) }, 'Invoice paid'));
  }
  $('[data-actions]').replaceChildren(...actions);
}

function poMode() {
  const each = $('[name=poMode]:checked', poForm).value === 'each';
  $('[data-po-all]').hidden = each;
  $('[data-po-each]').hidden = !each;
}

async function refresh(c) {
  const names = await clientNames([c.clientId]);
  render(c, names.get(c.clientId));
}

function run(button, fn, done, scope = document) {
  clearErrors(document);
  return busy(button, async () => {
    try {
      const c = await fn();
      await refresh(c);
      if (done) toast(done(c));
    } catch (err) {
      showError(scope, err);
    }
  });
}

function invoice(button) {
  run(button, () => api('POST', `/v1/cases/${caseID}/invoice`, undefined, { idempotencyKey: crypto.randomUUID() }),
    (c) => `${c.invoices.length} invoice${c.invoices.length === 1 ? '' : 's'} issued: ${c.invoices.map((b) => b.number).join(', ')}.`);
}

async function uninvoice(button) {
  const ok = await confirmDialog({
    title: 'Uninvoice this case?',
    body: 'Its invoices are voided (their numbers stay used) and the case goes back to ready to invoice. Invoicing again issues new numbers.',
    ok: 'Uninvoice',
  });
  if (!ok) return;
  run(button, () => api('POST', `/v1/cases/${caseID}/uninvoice`, { reason: 'Case un-invoiced' }, { idempotencyKey: crypto.randomUUID() }),
    () => 'Invoices voided; the case is ready to invoice again.');
}

function invoicePaid(button) {
  run(button, () => api('POST', `/v1/cases/${caseID}/invoice-paid`, undefined, { idempotencyKey: crypto.randomUUID() }), () => 'Marked invoice paid.');
}

for (const r of $$('[name=poMode]', poForm)) r.addEventListener('change', poMode);

poForm.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(poForm);
  const each = $('[name=poMode]:checked', poForm).value === 'each';
  const body = {};
  if (each) {
    body.byManufacturer = {};
    for (const input of $$('[data-po-each] input', poForm)) body.byManufacturer[input.dataset.manufacturer] = input.value.trim();
  } else {
    body.all = val(poForm, 'all');
  }
  run($('[data-submit]', poForm), () => api('PUT', `/v1/cases/${caseID}/purchase-orders`, body),
    (c) => (c.status === 'pending_payment' ? 'POs saved: ready to invoice.' : 'POs saved.'), poForm);
});

commissionForm.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(commissionForm);
  run($('[data-submit]', commissionForm),
    () => api('POST', `/v1/cases/${caseID}/commission-paid`, { date: val(commissionForm, 'date') }, { idempotencyKey: crypto.randomUUID() }),
    (c) => `Commission marked paid on ${date(c.commissionPaidDate)}.`, commissionForm);
});

(async () => {
  try {
    const [c, o] = await Promise.all([api('GET', `/v1/cases/${caseID}`), org()]);
    commissionForm.elements.namedItem('date').value = todayIn(o.timezone || '');
    await refresh(c);
  } catch (err) {
    showError(document, err);
  }
})();
