// statement.js shows one statement (GET /v1/statements/{id}): its
// movements with running balance, the open invoices aged as at its date,
// the PDF, Send (POST …/send: email with the PDF and a pay-all link,
// and/or a text) with each delivery's status, and for admins "Delete"
// (which unlocks what it locked and reopens its cycle for the client).
import { api, IdempotencyKeys } from './api.js';
import { $, $$, busy, clearErrors, confirmDialog, h, showError, toast } from './dom.js';
import { date, dateTime, money, period } from './format.js';
import { org } from './layout.js';

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

// --- sending and deliveries --------------------------------------------------

const channelNames = { email: 'Email', sms: 'Text message' };
const deliveryLabels = { queued: 'Queued', sending: 'Sending', sent: 'Sent', failed: 'Failed' };
let deliveryTimer = 0;
// The org's time zone: delivery times read as the activity log's do.
let zone = '';
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
    h('p', { class: 'activity-meta' }, h('time', { datetime: when }, dateTime(when, zone)),
      d.attempts > 1 ? ` · ${d.attempts} attempts` : ''));
}

async function loadDeliveries() {
  clearTimeout(deliveryTimer);
  try {
    zone = (await org().catch(() => ({}))).timezone || '';
    const res = await api('GET', `/v1/statements/${id}/deliveries?limit=20`);
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

function openSend() {
  const dialog = $('[data-statement-send-dialog]');
  const form = $('[data-statement-send-form]', dialog);
  const submit = $('[data-statement-send-submit]', dialog);
  const keys = new IdempotencyKeys();
  form.reset();
  clearErrors(form);
  const checked = () => $$('[data-channel]', form).filter((el) => el.checked).map((el) => el.value);
  const showEmail = () => { $('[data-email-fields]', dialog).hidden = !checked().includes('email'); };
  showEmail();
  form.onchange = showEmail;
  $('[data-cancel]', form).onclick = () => dialog.close();
  form.onsubmit = (e) => {
    e.preventDefault();
    const channels = checked();
    const b = { channels };
    if (channels.includes('email')) {
      for (const k of ['to', 'subject', 'message']) {
        const v = form.elements.namedItem(k).value.trim();
        if (v) b[k] = v;
      }
    }
    busy(submit, async () => {
      clearErrors(form);
      try {
        const sent = await api('POST', `/v1/statements/${id}/send`, b, { idempotencyKey: keys.for(b) });
        dialog.close();
        toast(sent.deliveries.length
          ? `Statement sent by ${sent.deliveries.map((d) => `${channelNames[d.channel].toLowerCase()} to ${d.recipient}`).join(' and ')}.`
          : 'This statement is already on its way.');
        deliveryPolls = 0;
        loadDeliveries();
      } catch (err) {
        showError(form, err);
      }
    });
  };
  dialog.showModal();
}

$('[data-statement-send]').addEventListener('click', openSend);
load();
loadDeliveries();
