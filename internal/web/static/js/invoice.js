// invoice.js shows an invoice as the client will see it, with the actions
// its status allows: edit, finalize or delete a draft; copy the pay link,
// download the PDF or void an open invoice; and its activity log.
import { activityList } from './activity.js';
import { api, IdempotencyKeys } from './api.js';
import { $, busy, clearErrors, confirmDialog, h, showError, showFlash, toast } from './dom.js';
import { amountInput, billingContact, chip, date, dateTime, invoiceLabel, isZero, money, percent, period, quantity, taxId } from './format.js';
import { org as loadOrg } from './layout.js';
import { methodLabel, paymentDialog } from './paymentdialog.js';
import { channelNames, sendDialog, sentSummary } from './senddialog.js';
import { emailReceiptControl } from './receiptemail.js';
import { undoControls } from './undopayment.js';

const id = $('main').dataset.id;
const action = (name) => $(`[data-action="${name}"]`);
const voidDialog = $('[data-void-dialog]');
const voidForm = $('[data-void-form]');
let inv = null;
let client = null;
let org = null;
let reloadActivity = () => {};

function text(tag, cls, value) {
  return value ? h(tag, { class: cls }, value) : null;
}

function lineRow(l, cur) {
  const notes = [];
  const p = period(l.periodStart, l.periodEnd);
  if (p) notes.push(p);
  if (l.supportItem) notes.push(`Support item ${l.supportItem}`);
  if (l.discount && !isZero(l.discount)) notes.push(`Less ${money(l.discount, cur)} discount`);
  if (l.taxRate && !isZero(l.taxRate)) notes.push(`Tax ${percent(l.taxRate)}`);
  const variable = l.type === 'variable';
  return h('tr', {},
    h('td', { 'data-label': 'Description' }, h('span', { class: 'strong' }, l.description),
      notes.length ? h('span', { class: 'doc-note' }, notes.join(' · ')) : null),
    h('td', { 'data-label': 'Quantity', class: 'num' }, variable ? quantity(l.quantity, l.unit) : '1'),
    h('td', { 'data-label': 'Rate', class: 'num' }, money(variable ? l.rate : l.amount, cur)),
    h('td', { 'data-label': 'Amount', class: 'num strong' }, money(l.lineTotal, cur)));
}

function total(label, value, attrs = {}) {
  return h('div', attrs, h('dt', {}, label), h('dd', {}, value));
}

function renderDoc() {
  const cur = inv.currency;
  const doc = $('[data-doc]');
  const colour = org && /^#[0-9a-f]{6}$/i.test(org.branding.colour || '') ? org.branding.colour : '';
  if (colour) doc.style.setProperty('--accent-doc', colour);

  const from = h('div', { class: 'doc-from' },
    org && org.branding.logoUrl ? h('img', { class: 'doc-logo', src: org.branding.logoUrl, alt: `${org.legalName} logo` }) : null,
    h('p', { class: 'doc-org' }, org ? org.legalName : ''),
    org && org.taxId ? h('p', { 'data-tax-id': '' }, `${org.taxIdLabel || 'Tax id'} ${taxId(org.taxIdLabel, org.taxId)}`) : null,
    org ? text('p', 'doc-address', org.address) : null,
    org ? text('p', '', [org.email, org.phone].filter(Boolean).join(' · ')) : null);
  const title = h('div', { class: 'doc-title' },
    h('p', { class: 'doc-kind' }, inv.documentKind),
    h('p', { class: 'doc-number', 'data-number': '' }, invoiceLabel(inv)),
    h('p', {}, chip(inv)));

  const billTo = [h('h2', {}, 'Bill to'), h('p', { class: 'strong' }, client ? client.name : '')];
  if (client) {
    const f = client.funding || {};
    const pm = f.type === 'plan_managed' && f.planManager;
    const contact = billingContact(client);
    if (pm) billTo.push(h('p', {}, `Care of ${pm.name}`), text('p', '', pm.email));
    else if (contact) billTo.push(h('p', {}, contact.name), text('p', '', contact.email), text('p', '', contact.phone));
    if (f.ndisNumber) billTo.push(h('p', {}, `NDIS number ${f.ndisNumber}`));
  }
  const meta = h('dl', { class: 'doc-meta-list' },
    total('Invoice', inv.name),
    inv.number ? total('Number', inv.number) : null,
    total('Issue date', date(inv.issueDate) || 'On finalizing'),
    total('Due date', date(inv.dueDate) || `${inv.paymentTermsDays} days after issue`),
    inv.sentAt ? total('Sent', dateTime(inv.sentAt, org && org.timezone), { 'data-sent-at': '' }) : null,
    inv.poNumber ? total('PO number', inv.poNumber) : null);

  const sums = [total('Subtotal', money(inv.subtotal, cur), { 'data-subtotal': '' })];
  if (inv.taxes.length > 1) {
    for (const t of inv.taxes) sums.push(total(`Tax ${percent(t.rate)} on ${money(t.base, cur)}`, money(t.tax, cur)));
  } else {
    sums.push(total(inv.taxes.length ? `Tax (${percent(inv.taxes[0].rate)})` : 'Tax', money(inv.taxTotal, cur), { 'data-tax-total': '' }));
  }
  for (const f of inv.fees) sums.push(total(f.description, money(f.amount, cur)));
  sums.push(total('Total', money(inv.total, cur), { class: 'doc-total', 'data-total': '' }));
  if (!isZero(inv.amountPaid)) sums.push(total('Paid', `−${money(inv.amountPaid, cur)}`));
  if (!isZero(inv.amountCredited)) sums.push(total('Credited', `−${money(inv.amountCredited, cur)}`));
  if (inv.status !== 'void') sums.push(total('Balance due', money(inv.balance, cur), { class: 'doc-balance', 'data-balance': '' }));

  doc.replaceChildren(...[
    h('header', { class: 'doc-head' }, from, title),
    h('section', { class: 'doc-meta' }, h('div', { class: 'doc-billto' }, billTo), meta),
    inv.lineItems.length
      ? h('table', { class: 'doc-lines' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Description'), h('th', { scope: 'col', class: 'num' }, 'Qty'),
          h('th', { scope: 'col', class: 'num' }, 'Rate'), h('th', { scope: 'col', class: 'num' }, 'Amount'))),
        h('tbody', {}, inv.lineItems.map((l) => lineRow(l, cur))))
      : h('p', { class: 'subtle doc-empty' }, 'No line items yet.'),
    h('dl', { class: 'doc-totals' }, sums),
    inv.memo ? h('section', { class: 'doc-memo' }, h('h2', {}, 'Notes'), h('p', {}, inv.memo)) : null,
  ].filter(Boolean));
}

function render() {
  const name = inv.number ? `${inv.number} · ${inv.name}` : inv.name;
  document.title = `${name} · carebill`;
  $('[data-title]').textContent = inv.number || (inv.kind === 'initial_balance' ? 'Initial balance' : 'Draft invoice');
  $('[data-status-chip]').replaceChildren(chip(inv), inv.locked ? h('span', { class: 'chip chip-locked' }, 'Locked') : '');
  if (client) {
    const link = $('[data-client-link]');
    link.textContent = client.name;
    link.href = `/app/clients/${client.id}`;
    $('[data-client-crumb]').hidden = false;
  }
  // The API says what the invoice's state allows (availableActions); the
  // page only decides labels. Sending a finalized invoice that never went
  // out is the same resend call, offered as "Send".
  const can = new Set(inv.availableActions || []);
  action('edit').href = `/app/invoices/${inv.id}/edit`;
  action('pdf').href = `/v1/invoices/${inv.id}/pdf`;
  action('edit').hidden = !can.has('edit');
  action('delete').hidden = !can.has('delete');
  action('finalize').hidden = !can.has('finalize');
  action('send').hidden = !(can.has('send') || (can.has('resend') && !inv.sentAt));
  action('resend').hidden = !(can.has('resend') && inv.sentAt);
  action('paylink').hidden = !can.has('pay_link');
  action('pdf').hidden = inv.status === 'draft';
  action('void').hidden = !can.has('void');
  action('lock').hidden = !can.has('lock');
  action('unlock').hidden = !can.has('unlock');
  action('record-payment').hidden = !can.has('record_payment');
  action('credit-note').hidden = !can.has('credit_note');
  action('apply-credit').hidden = !(can.has('apply_credit') && client && !isZero(client.balance.credit));
  if (client && !action('apply-credit').hidden) {
    action('apply-credit').textContent = `Apply ${money(client.balance.credit, client.balance.currency)} credit`;
  }
  action('unapply-credit').hidden = !can.has('unapply_credit');
  if (!can.has('pay_link')) $('[data-paylink]').hidden = true;

  const notice = $('[data-notice]');
  if (inv.status === 'void') {
    notice.textContent = `Voided${inv.voidedAt ? ` ${dateTime(inv.voidedAt, org && org.timezone)}` : ''}${inv.voidReason ? `: ${inv.voidReason}` : ''}. The number stays used and the client owes nothing on it.`;
  } else if (inv.locked) {
    notice.replaceChildren(`Locked${inv.lockReason ? ` (${inv.lockReason})` : ''}: it still takes payments, but it cannot be changed or voided until an admin unlocks it`,
      inv.lockedByStatement ? h('span', {}, ' or ', h('a', { href: `/app/statements/${inv.lockedByStatement}` }, 'its statement'), ' is deleted.') : '.');
  } else if (inv.status === 'draft') {
    notice.textContent = 'Draft: not numbered and not sent. Finalize it to give it a number and make it payable.';
  } else {
    notice.textContent = '';
  }
  if (inv.replacedById) notice.append(' ', h('a', { href: `/app/invoices/${inv.replacedById}` }, 'See the invoice that corrects it.'));
  if (inv.replacesId) notice.append(' ', h('a', { href: `/app/invoices/${inv.replacesId}` }, 'This corrects a voided invoice.'), inv.keepsNumberOf ? ` It will be numbered ${inv.keepsNumberOf}.` : '');
  notice.hidden = !notice.textContent;
  renderDoc();
}

async function load() {
  try {
    [inv, org] = await Promise.all([api('GET', `/v1/invoices/${id}`), loadOrg()]);
    client = await api('GET', `/v1/clients/${inv.clientId}`).catch(() => null);
    render();
  } catch (err) {
    $('[data-doc]').replaceChildren(h('p', { class: 'subtle' }, err.status === 404 ? 'This invoice does not exist, or belongs to another organisation.' : 'The invoice could not be loaded.'));
    showError(document, err);
  }
}

function changedTo(next, message) {
  inv = next;
  clearErrors(document);
  render();
  reloadActivity();
  toast(message);
}

action('finalize').addEventListener('click', async () => {
  const ok = await confirmDialog({
    title: 'Finalize this invoice?',
    body: `It gets the next ${org ? org.numberPrefix : ''} number and can no longer be edited. Corrections then need a void and a new invoice.${
      client && !isZero(client.balance.credit) ? ` ${client.name}’s credit of ${money(client.balance.credit, client.balance.currency)} is applied to it as far as it goes.` : ''}`,
    ok: 'Finalize',
    danger: false,
  });
  if (!ok) return;
  await busy(action('finalize'), async () => {
    try {
      changedTo(await api('POST', `/v1/invoices/${id}/finalize`), 'Invoice finalized.');
    } catch (err) {
      showError(document, err);
    }
  });
});

action('delete').addEventListener('click', async () => {
  const ok = await confirmDialog({ title: 'Delete this draft?', body: 'The draft and its line items are removed. Nothing was sent.', ok: 'Delete draft' });
  if (!ok) return;
  try {
    await api('DELETE', `/v1/invoices/${id}`);
    location.assign(`/app/clients/${inv.clientId}`);
  } catch (err) {
    showError(document, err);
  }
});

action('paylink').addEventListener('click', () => busy(action('paylink'), async () => {
  try {
    const { url } = await api('GET', `/v1/invoices/${id}/pay-link`);
    const box = $('[data-paylink]');
    const input = $('[data-paylink-url]');
    input.value = url;
    box.hidden = false;
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch {
      copied = false;
    }
    $('[data-paylink-note]').textContent = copied ? 'copied to the clipboard' : 'select and copy it';
    input.focus();
    input.select();
    toast(copied ? 'Pay link copied.' : 'Pay link ready to copy.');
  } catch (err) {
    showError(document, err);
  }
}));

action('void').addEventListener('click', () => {
  voidForm.reset();
  clearErrors(voidForm);
  loadOrg().then((o) => { $('[data-same-number]', voidForm).hidden = !o.reissueSameNumber; }, () => {});
  voidDialog.showModal();
  voidForm.elements.namedItem('reason').focus();
});
$('[data-cancel]', voidForm).addEventListener('click', () => voidDialog.close());
voidForm.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(voidForm);
  const reason = voidForm.elements.namedItem('reason').value.trim();
  if (!reason) {
    showError(voidForm, { field: 'reason', message: 'Say why the invoice is void; it is kept in the activity log.' });
    return;
  }
  busy(voidForm.querySelector('[type=submit]'), async () => {
    try {
      if (voidForm.elements.namedItem('reissue').checked) {
        const sameNumber = voidForm.elements.namedItem('sameNumber').checked;
        const draft = await api('POST', `/v1/invoices/${id}/reissue`, { reason, ...(sameNumber ? { sameNumber } : {}) });
        window.location.assign(`/app/invoices/${draft.id}/edit`);
        return;
      }
      const next = await api('POST', `/v1/invoices/${id}/void`, { reason });
      voidDialog.close();
      changedTo(next, 'Invoice voided.');
    } catch (err) {
      showError(voidForm, err);
    }
  });
});

// Lock and Unlock (POST /v1/invoices/{id}/lock|unlock {reason}): a locked
// invoice still takes payments but cannot be changed or voided; unlocking
// is an admin's (the API answers 403 to anyone else, shown in the dialog).
// The reason is kept in the activity log.
const lockDialog = $('[data-lock-dialog]');
const lockForm = $('[data-lock-form]');
let lockMode = 'lock';
const lockTexts = {
  lock: {
    title: 'Lock this invoice?', ok: 'Lock invoice', done: 'Invoice locked.',
    body: 'It still takes payments, but nobody can change or void it until an admin unlocks it.',
    missing: 'Say why the invoice is locked; it is kept in the activity log.',
  },
  unlock: {
    title: 'Unlock this invoice?', ok: 'Unlock invoice', done: 'Invoice unlocked.',
    body: 'It can be changed, credited and voided again. Only an admin can unlock.',
    missing: 'Say why the invoice is unlocked; it is kept in the activity log.',
  },
};
function openLock(mode) {
  lockMode = mode;
  const t = lockTexts[mode];
  lockForm.reset();
  clearErrors(lockForm);
  $('[data-lock-title]', lockDialog).textContent = t.title;
  $('[data-lock-body]', lockDialog).textContent = t.body;
  $('[data-lock-submit]', lockDialog).textContent = t.ok;
  lockDialog.showModal();
  lockForm.elements.namedItem('reason').focus();
}
action('lock').addEventListener('click', () => openLock('lock'));
action('unlock').addEventListener('click', () => openLock('unlock'));
$('[data-cancel]', lockForm).addEventListener('click', () => lockDialog.close());
lockForm.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(lockForm);
  const t = lockTexts[lockMode];
  const reason = lockForm.elements.namedItem('reason').value.trim();
  if (!reason) {
    showError(lockForm, { field: 'reason', message: t.missing });
    return;
  }
  busy($('[data-lock-submit]', lockForm), async () => {
    try {
      const next = await api('POST', `/v1/invoices/${id}/${lockMode}`, { reason });
      lockDialog.close();
      changedTo(next, t.done);
    } catch (err) {
      showError(lockForm, err);
    }
  });
});

// --- sending and deliveries --------------------------------------------------

const deliveryLabels = { queued: 'Queued', sending: 'Sending', sent: 'Sent', failed: 'Failed' };
let deliveryTimer = 0;
let deliveryPolls = 0;

function deliveryItem(d) {
  const when = d.sentAt || d.updatedAt;
  const problem = d.status === 'failed' || (d.lastError && d.status !== 'sent');
  return h('li', { class: `delivery delivery-${d.status}`, 'data-delivery': d.channel, 'data-status': d.status },
    h('div', { class: 'delivery-head' },
      h('span', { class: 'strong' }, channelNames[d.channel] || d.channel),
      h('span', { class: `chip chip-delivery-${d.status}` }, deliveryLabels[d.status] || d.status)),
    h('p', { class: 'delivery-to' }, d.recipient),
    problem ? h('p', { class: 'delivery-error', 'data-delivery-error': '' },
      d.status === 'failed' ? d.lastError : `Retrying: ${d.lastError}`) : null,
    h('p', { class: 'activity-meta' }, h('time', { datetime: when }, dateTime(when, org && org.timezone)),
      d.attempts > 1 ? ` · ${d.attempts} attempts` : ''),
    d.status === 'failed' && (inv.availableActions || []).includes('resend')
      ? h('button', {
        type: 'button', class: 'btn btn-small', 'data-resend-delivery': d.id,
        onclick: () => openSend({ resend: true, channel: d.channel, to: d.channel === 'email' ? d.recipient : '' }),
      }, 'Resend')
      : null);
}

async function loadDeliveries() {
  clearTimeout(deliveryTimer);
  try {
    const res = await api('GET', `/v1/invoices/${id}/deliveries?limit=20`);
    $('[data-deliveries]').replaceChildren(...res.data.map(deliveryItem));
    $('[data-deliveries-card]').hidden = res.data.length === 0;
    // Follow the notifier while something is on its way, for a while.
    if (res.data.some((d) => d.status === 'queued' || d.status === 'sending') && ++deliveryPolls < 90) {
      deliveryTimer = setTimeout(loadDeliveries, 2000);
    }
  } catch (err) {
    showError(document, err, { focus: false });
  }
}

async function openSend(opts) {
  const sent = await sendDialog({ invoiceId: id, ...opts });
  if (!sent) return;
  deliveryPolls = 0;
  changedTo(sent, `${inv.number} sent by ${sentSummary(sent.deliveries)}.`);
  loadDeliveries();
}

action('send').addEventListener('click', () => openSend({ resend: false }));

// --- payments and credit ------------------------------------------------------

async function reloadAll(message) {
  const [next, c] = await Promise.all([api('GET', `/v1/invoices/${id}`), api('GET', `/v1/clients/${inv.clientId}`)]);
  client = c;
  changedTo(next, message);
  loadPayments();
  loadCreditNotes();
}

// loadCreditNotes lists the invoice's credit notes (GET
// /v1/credit-notes?invoiceId=, oldest first): number, date, amount,
// reason and its PDF; a voided note stays listed, stamped void.
async function loadCreditNotes() {
  try {
    const res = await api('GET', `/v1/credit-notes?invoiceId=${encodeURIComponent(id)}`);
    $('[data-invoice-credit-notes]').replaceChildren(...res.data.map((n) => h('li', { class: n.void ? 'delivery reversed' : 'delivery', 'data-credit-note': n.number },
      h('div', { class: 'delivery-head' },
        h('span', { class: 'strong' }, `−${money(n.amount, n.currency)}`),
        h('a', { href: `/v1/credit-notes/${n.id}/pdf`, 'data-credit-note-link': n.id }, `Credit note ${n.number}`)),
      h('p', { class: 'activity-meta' }, `${dateTime(n.createdAt, org && org.timezone)} · ${n.reason}${n.void ? ` · Void${n.voidReason ? `: ${n.voidReason}` : ''}` : ''}`))));
    $('[data-credit-notes-card]').hidden = res.data.length === 0;
  } catch (err) {
    showError(document, err, { focus: false });
  }
}

async function loadPayments() {
  try {
    const res = await api('GET', `/v1/payments?clientId=${encodeURIComponent(inv.clientId)}&limit=100`);
    const mine = [];
    for (const p of res.data) {
      // A reversed payment stays listed, stamped reversed, with what it had paid.
      const a = p.allocations.find((x) => x.invoiceId === id) || (p.reversedAllocations || []).find((x) => x.invoiceId === id);
      if (a) mine.push({ p, a });
    }
    $('[data-invoice-payments]').replaceChildren(...mine.map(({ p, a }) => h('li', { class: p.reversed ? 'delivery reversed' : 'delivery', 'data-payment': p.id },
      h('div', { class: 'delivery-head' },
        h('span', { class: 'strong' }, money(a.amount, p.currency)),
        h('a', { href: `/v1/payments/${p.id}/receipt.pdf`, 'data-receipt': p.receiptNumber }, `Receipt ${p.receiptNumber}`)),
      h('p', { class: 'activity-meta' }, `${methodLabel(p.method)} · ${date(p.date)}${p.reference ? ` · ${p.reference}` : ''}`),
      h('div', { class: 'undo-controls' }, emailReceiptControl(p), undoControls(p, (after, kind) => reloadAll(
        kind === 'refund' ? `Refunded: receipt ${after.receiptNumber} now has ${money(after.left, after.currency)} left.` : `Receipt ${after.receiptNumber} reversed.`).catch((err) => showError(document, err)))))));
    $('[data-payments-card]').hidden = mine.length === 0;
  } catch (err) {
    showError(document, err, { focus: false });
  }
}

action('record-payment').addEventListener('click', async () => {
  if (!client) return;
  const p = await paymentDialog({ client, invoice: inv });
  if (p) await reloadAll(`Payment recorded: receipt ${p.receiptNumber}.`);
});

action('apply-credit').addEventListener('click', () => busy(action('apply-credit'), async () => {
  try {
    await api('POST', `/v1/invoices/${id}/apply-credit`, {});
    await reloadAll('Credit applied.');
  } catch (err) {
    showError(document, err);
  }
}));

action('unapply-credit').addEventListener('click', async () => {
  const ok = await confirmDialog({
    title: 'Un-apply credit?',
    body: 'The client credit applied to this invoice goes back to the client, and the invoice owes that much again.',
    ok: 'Un-apply credit',
    danger: false,
  });
  if (!ok) return;
  await busy(action('unapply-credit'), async () => {
    try {
      await api('POST', `/v1/invoices/${id}/unapply-credit`);
      await reloadAll('Credit un-applied: it is back with the client.');
    } catch (err) {
      showError(document, err);
    }
  });
});

const creditDialog = $('[data-credit-dialog]');
const creditForm = $('[data-credit-form]');
const creditKeys = new IdempotencyKeys();
action('credit-note').addEventListener('click', () => {
  creditForm.reset();
  clearErrors(creditForm);
  creditDialog.showModal();
  creditForm.elements.namedItem('amount').focus();
});
$('[data-cancel]', creditForm).addEventListener('click', () => creditDialog.close());
creditForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const body = {
    invoiceId: id,
    amount: amountInput(creditForm.elements.namedItem('amount').value),
    reason: creditForm.elements.namedItem('reason').value.trim(),
  };
  busy(creditForm.querySelector('[type=submit]'), async () => {
    clearErrors(creditForm);
    try {
      const note = await api('POST', '/v1/credit-notes', body, { idempotencyKey: creditKeys.for(body) });
      creditDialog.close();
      await reloadAll(`Credit note ${note.number} issued.`);
      const box = $('[data-notice]');
      box.replaceChildren(`Credit note ${note.number} for ${money(note.amount, note.currency)} issued. `,
        h('a', { href: `/v1/credit-notes/${note.id}/pdf`, 'data-credit-note-pdf': '' }, 'Download its PDF'));
      box.hidden = false;
    } catch (err) {
      showError(creditForm, err);
    }
  });
});
action('resend').addEventListener('click', () => openSend({ resend: true }));

showFlash();
load().then(() => {
  reloadActivity = activityList(`/v1/invoices/${id}/activity`);
  loadDeliveries();
  if (inv) {
    loadPayments();
    loadCreditNotes();
  }
});
