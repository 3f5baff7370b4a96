// client.js: one client's profile, balance, invoices, payments with their
// receipts, and activity, with "Edit", "Record payment" and "Invoice".
import { activityList } from './activity.js';
import { api, query } from './api.js';
import { openClientDialog } from './clientform.js';
import { $, h, showError, toast } from './dom.js';
import { billingContact, chip, date, funding, invoiceLabel, isZero, money } from './format.js';
import { org } from './layout.js';
import { methodLabel, paymentDialog } from './paymentdialog.js';
import { emailReceiptControl } from './receiptemail.js';
import { initialBalance } from './initialbalance.js';
import { recurringCharges } from './recurringcharges.js';
import { undoControls } from './undopayment.js';

const id = $('main').dataset.id;
// Every open invoice as at today, aged: the statement a client asks for.
$('[data-statement]').href = `/v1/clients/${id}/statement?kind=outstanding&format=pdf`;
const invoices = $('[data-invoices]');
const invoicesEmpty = $('[data-invoices-empty]');
const invoicesMore = $('[data-invoices-more]');
const editButton = $('[data-edit]');
const payButton = $('[data-record-payment]');
const payments = $('[data-payments]');
const paymentsEmpty = $('[data-payments-empty]');
const paymentsMore = $('[data-payments-more]');
let payCursor = '';
let reloadActivity = () => {};
let client = null;
let cursor = '';

function person(c, extra) {
  return h('li', {},
    h('p', { class: 'strong' }, c.name, extra ? h('span', { class: 'tag' }, extra) : null),
    c.email ? h('p', {}, h('a', { href: `mailto:${c.email}` }, c.email)) : null,
    c.phone ? h('p', {}, h('a', { href: `tel:${c.phone}` }, c.phone)) : null);
}

function pair(dt, dd) {
  return h('div', {}, h('dt', {}, dt), h('dd', {}, dd));
}

async function render(c) {
  client = c;
  document.title = `${c.name} · carebill`;
  $('[data-name]').textContent = c.name;
  $('[data-funding]').textContent = funding(c.funding);
  $('[data-invoice]').href = `/app/invoices/new?client=${c.id}`;
  editButton.disabled = false;
  payButton.disabled = false;
  $('[data-owing]').textContent = money(c.balance.owing, c.balance.currency);
  $('[data-credit]').textContent = money(c.balance.credit, c.balance.currency);

  const billing = billingContact(c);
  const billTo = $('[data-billing]');
  const pm = c.funding && c.funding.type === 'plan_managed' && c.funding.planManager;
  if (pm) {
    billTo.replaceChildren(h('ul', { class: 'plain people' }, person(pm, 'Plan manager')),
      h('p', { class: 'hint' }, 'Invoices go to the plan manager.'));
  } else if (c.funding && c.funding.type === 'ndia_managed') {
    billTo.replaceChildren(h('p', {}, 'NDIA-managed: claimed through the NDIA bulk upload, not emailed.'));
  } else if (billing) {
    billTo.replaceChildren(h('ul', { class: 'plain people' }, person(billing)));
  } else {
    billTo.replaceChildren(h('p', { class: 'subtle' }, 'No contact yet. Edit the client to add one.'));
  }
  $('[data-contacts]').replaceChildren(...(c.contacts.length
    ? c.contacts.map((ct) => person(ct, ct.primary ? 'Primary' : ''))
    : [h('li', { class: 'subtle' }, 'None')]));

  const o = await org().catch(() => null);
  const terms = c.paymentTermsDays ?? (o ? o.paymentTermsDays : null);
  const tax = c.taxRate ?? (o ? o.taxRate : null);
  $('[data-terms]').replaceChildren(
    pair('Payment terms', terms === null ? '—' : `${terms} days${c.paymentTermsDays === undefined ? ' (default)' : ''}`),
    pair('Tax rate', tax === null ? '—' : `${tax}%${c.taxRate === undefined ? ' (default)' : ''}`),
    pair('Client since', date((c.createdAt || '').slice(0, 10))));
}

function invoiceRow(inv) {
  return h('tr', {},
    h('td', { 'data-label': 'Invoice' }, h('div', {},
      h('a', { href: `/app/invoices/${inv.id}`, class: 'strong' }, invoiceLabel(inv)),
      h('span', { class: 'subtle block' }, inv.name))),
    h('td', { 'data-label': 'Status' }, chip(inv)),
    h('td', { 'data-label': 'Issued' }, date(inv.issueDate) || '—'),
    h('td', { 'data-label': 'Due' }, date(inv.dueDate) || '—'),
    h('td', { 'data-label': 'Total', class: 'num' }, money(inv.total, inv.currency)),
    h('td', { 'data-label': 'Balance', class: 'num' }, inv.status === 'void' ? '—' : money(inv.balance, inv.currency)));
}

async function loadInvoices(reset) {
  if (reset) cursor = '';
  try {
    const res = await api('GET', `/v1/invoices${query({ clientId: id, cursor, limit: 25 })}`);
    if (reset) invoices.replaceChildren();
    invoices.append(...res.data.map(invoiceRow));
    cursor = res.nextCursor || '';
    invoicesMore.hidden = !cursor;
    invoicesEmpty.hidden = invoices.children.length > 0;
    invoicesEmpty.textContent = 'No invoices yet.';
  } catch (err) {
    invoicesEmpty.hidden = true;
    showError(document, err);
  }
}

function paymentRow(p) {
  const applied = p.allocations.map((a) => h('a', { href: `/app/invoices/${a.invoiceId}` }, a.number || 'invoice'));
  const parts = [];
  applied.forEach((a, i) => parts.push(i ? ', ' : '', a));
  if (!isZero(p.credit)) parts.push(applied.length ? ' + ' : '', `${money(p.credit, p.currency)} credit`);
  return h('tr', { 'data-payment': p.id },
    h('td', { 'data-label': 'Receipt' }, h('div', {},
      h('a', { href: `/v1/payments/${p.id}/receipt.pdf`, class: 'strong', 'data-receipt': p.receiptNumber }, p.receiptNumber),
      p.reference ? h('span', { class: 'subtle block' }, p.reference) : null)),
    h('td', { 'data-label': 'Date' }, date(p.date)),
    h('td', { 'data-label': 'Method' }, methodLabel(p.method)),
    h('td', { 'data-label': 'Applied to' }, parts.length ? parts : '—'),
    h('td', { 'data-label': 'Amount', class: 'num strong' }, money(p.amount, p.currency)),
    h('td', { 'data-label': 'Undo' }, h('div', { class: 'undo-controls' }, emailReceiptControl(p), undoControls(p, afterUndo))));
}

// afterUndo refreshes what a reversal or refund changed: the balances, the
// invoices it paid, the payment rows, the ledger and the activity.
async function afterUndo(after, kind) {
  toast(kind === 'refund'
    ? `Refunded: receipt ${after.receiptNumber} now has ${money(after.left, after.currency)} left.`
    : `Receipt ${after.receiptNumber} reversed.`);
  await refreshMoney();
}

async function refreshMoney() {
  try {
    await Promise.all([api('GET', `/v1/clients/${id}`).then(render), loadInvoices(true), loadPayments(true), loadLedger(true)]);
  } catch (err) {
    showError(document, err);
  }
  reloadActivity();
}

async function loadPayments(reset) {
  if (reset) payCursor = '';
  try {
    const res = await api('GET', `/v1/payments${query({ clientId: id, cursor: payCursor, limit: 25 })}`);
    if (reset) payments.replaceChildren();
    payments.append(...res.data.map(paymentRow));
    payCursor = res.nextCursor || '';
    paymentsMore.hidden = !payCursor;
    paymentsEmpty.hidden = payments.children.length > 0;
    paymentsEmpty.textContent = 'No payments yet.';
  } catch (err) {
    paymentsEmpty.hidden = true;
    showError(document, err);
  }
}

// --- the ledger ----------------------------------------------------------------

const ledgerRows = $('[data-ledger]');
const ledgerEmpty = $('[data-ledger-empty]');
const ledgerMore = $('[data-ledger-more]');
const ledgerClosing = $('[data-ledger-closing]');
let ledgerCursor = '';

const entryLabels = {
  invoice_finalized: 'Invoice',
  invoice_voided: 'Invoice voided',
  payment_received: 'Payment',
  credit_applied: 'Credit applied',
  credit_returned: 'Credit un-applied',
  credit_note: 'Credit note',
  credit_note_voided: 'Credit note voided',
  payment_reversed: 'Payment reversed',
  payment_refunded: 'Payment refunded',
  payment_released: 'Payment released to credit',
};

// balanceText says a ledger balance the way a person reads it: owing, or in
// credit when the API's balance (owing less credit) is negative.
function balanceText(b, cur) {
  if (String(b).startsWith('-') && !isZero(b)) return `${money(String(b).slice(1), cur)} credit`;
  return money(b, cur);
}

function ledgerRow(e) {
  // Invoices and credit applied to them link to the invoice; payments to
  // their receipt; credit notes to their PDF.
  let href = '';
  if (e.kind.startsWith('payment_')) href = `/v1/payments/${e.documentId}/receipt.pdf`;
  else if (e.kind.startsWith('credit_note') && e.invoiceId) href = `/v1/credit-notes/${e.documentId}/pdf`;
  else if (e.documentId) href = `/app/invoices/${e.documentId}`;
  const doc = e.number ? (href ? h('a', { href }, e.number) : e.number) : null;
  return h('tr', { 'data-ledger-entry': e.kind },
    // The document's own date (the invoice's issue date, the payment's
    // date), as statements show it; when it was posted only if that differs.
    h('td', { 'data-label': 'Date' }, date(e.effective || e.date),
      e.effective && e.effective !== e.date ? h('span', { class: 'subtle block' }, `posted ${date(e.date)}`) : null),
    h('td', { 'data-label': 'Entry' }, h('div', {},
      h('span', { class: 'strong' }, entryLabels[e.kind] || e.kind, doc ? ' ' : '', doc),
      isZero(e.amount) && !isZero(e.credit) ? h('span', { class: 'subtle block' }, `${money(e.credit.replace(/^-/, ''), e.currency)} of credit`) : null,
      // A payment's memo is its method's code (bank_transfer): say it in words.
      e.memo ? h('span', { class: 'subtle block' }, e.kind === 'payment_received' ? methodLabel(e.memo) : e.memo) : null)),
    h('td', { 'data-label': 'Amount', class: 'num' }, money(e.amount, e.currency)),
    h('td', { 'data-label': 'Balance', class: 'num strong', 'data-ledger-balance': '' }, balanceText(e.balance, e.currency)));
}

async function loadLedger(reset) {
  if (reset) ledgerCursor = '';
  try {
    const res = await api('GET', `/v1/clients/${id}/ledger${query({ cursor: ledgerCursor, limit: 20 })}`);
    if (reset) {
      ledgerRows.replaceChildren(h('tr', { 'data-ledger-opening': '' },
        h('td', { 'data-label': 'Date' }, ''),
        h('td', { 'data-label': 'Entry' }, h('span', { class: 'subtle' }, 'Opening balance')),
        h('td', { 'data-label': 'Amount', class: 'num' }, ''),
        h('td', { 'data-label': 'Balance', class: 'num' }, balanceText(res.openingBalance, res.currency))));
    }
    ledgerRows.append(...res.data.map(ledgerRow));
    ledgerCursor = res.nextCursor || '';
    ledgerMore.hidden = !ledgerCursor;
    const empty = ledgerRows.querySelectorAll('[data-ledger-entry]').length === 0;
    $('[data-ledger-table]').hidden = empty;
    ledgerEmpty.hidden = !empty;
    ledgerEmpty.textContent = 'Nothing posted yet: entries appear as invoices are finalized and payments recorded.';
    ledgerClosing.textContent = `Balance now: ${balanceText(res.closingBalance, res.currency)}`;
    ledgerClosing.hidden = empty;
  } catch (err) {
    ledgerEmpty.hidden = true;
    showError(document, err, { focus: false });
  }
}
ledgerMore.addEventListener('click', () => loadLedger(false));

payButton.addEventListener('click', async () => {
  if (!client) return;
  const p = await paymentDialog({ client });
  if (!p) return;
  toast(`Payment recorded: receipt ${p.receiptNumber}.`);
  await refreshMoney();
});
paymentsMore.addEventListener('click', () => loadPayments(false));

editButton.addEventListener('click', () => {
  if (client) openClientDialog({ client, onSaved: render });
});
invoicesMore.addEventListener('click', () => loadInvoices(false));

api('GET', `/v1/clients/${id}`).then((c) => {
  recurringCharges(c.balance.currency, refreshMoney);
  initialBalance(refreshMoney);
  return render(c);
}, (err) => {
  $('[data-name]').textContent = err.status === 404 ? 'Client not found' : 'Client';
  showError(document, err);
});
loadInvoices(true);
loadPayments(true);
loadLedger(true);
reloadActivity = activityList(`/v1/clients/${id}/activity`, { linkInvoices: true });
