// statement.js shows one statement (GET /v1/statements/{id}): its
// movements with running balance, the open invoices aged as at its date,
// the PDF, and for admins "Delete" (which unlocks what it locked and
// reopens its cycle for the client).
import { api } from './api.js';
import { $, busy, confirmDialog, h, showError, toast } from './dom.js';
import { date, money, period } from './format.js';

const id = $('main').dataset.id;
const kindText = {
  invoice_finalized: 'Invoice', invoice_voided: 'Invoice voided', payment_received: 'Payment', credit_applied: 'Credit applied',
  credit_returned: 'Credit returned', credit_note: 'Credit note', refund: 'Refund', payment_reversed: 'Payment reversed',
};
const buckets = [['current', 'Current'], ['1-30', '1–30 days'], ['31-60', '31–60 days'], ['61-90', '61–90 days'], ['over90', 'Over 90 days']];

function fact(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

async function load() {
  try {
    const s = await api('GET', `/v1/statements/${id}`);
    const client = await api('GET', `/v1/clients/${s.clientId}`);
    const cur = s.currency;
    $('[data-statement-title]').textContent = `Statement — ${client.name}`;
    $('[data-statement-pdf]').href = `/v1/statements/${id}/pdf`;
    $('[data-statement-summary]').replaceChildren(
      ...fact('Client', h('a', { href: `/app/clients/${client.id}` }, client.name)),
      ...fact('Period', period(s.from, s.to)),
      ...fact('Opening balance', money(s.openingBalance, cur)),
      ...fact('Closing balance', money(s.closingBalance, cur)),
      ...fact('Credit held', money(s.credit, cur)),
      ...(s.lockedInvoices && s.lockedInvoices.length ? fact('Invoices it locked', String(s.lockedInvoices.length)) : []));
    $('[data-statement-lines]').replaceChildren(...s.lines.map((l) => h('tr', {},
      h('td', {}, date(l.date)),
      h('td', {}, `${kindText[l.kind] || l.kind}${l.number ? ` ${l.number}` : ''}`),
      h('td', { class: 'num' }, money(l.amount, cur)),
      h('td', { class: 'num' }, money(l.balance, cur)))));
    $('[data-statement-open]').replaceChildren(...s.openInvoices.map((o) => h('tr', {},
      h('td', {}, h('a', { href: `/app/invoices/${o.invoiceId}` }, o.number)),
      h('td', {}, date(o.issueDate)),
      h('td', {}, o.dueDate ? date(o.dueDate) : 'on issue'),
      h('td', { class: 'num' }, String(o.daysOverdue)),
      h('td', { class: 'num' }, money(o.balance, cur)))));
    $('[data-statement-aging]').replaceChildren(...buckets.flatMap(([k, label]) => fact(label, money(s.aging[k], cur))));
    const del = $('[data-statement-delete]');
    del.hidden = !s.cycleId;
    del.onclick = () => remove(del);
  } catch (err) {
    showError(document, err);
  }
}

async function remove(button) {
  const ok = await confirmDialog({
    title: 'Delete this statement?',
    body: 'Invoices it locked are unlocked and its billing cycle reopens for this client, so corrections can be dated in it. Regenerate the cycle’s statements afterwards to close it again.',
    ok: 'Delete statement',
  });
  if (!ok) return;
  busy(button, async () => {
    try {
      await api('DELETE', `/v1/statements/${id}`);
      toast('Statement deleted; the cycle is open again for this client.');
      window.location.assign('/app/cycles');
    } catch (err) {
      showError(document, err);
    }
  });
}

load();
