// sessions.js: one day's sessions in the org's time zone (GET /v1/sessions)
// with Attended / Cancelled / No-show (POST /v1/sessions/{id}/attendance),
// the invoice an attended session made and the client's balance owing
// after it, and booking a session (POST /v1/sessions).
import { api, IdempotencyKeys, query } from './api.js';
import { $, busy, clearErrors, h, showError, toast, val } from './dom.js';
import { amountInput, date, money } from './format.js';
import { org } from './layout.js';
import { addDays, clientNames, clock, fillClients, todayIn, zonedInstant } from './work.js';

const list = $('[data-sessions]');
const empty = $('[data-sessions-empty]');
const dayInput = $('[data-day]');
const form = $('[data-book-form]');
const keys = new IdempotencyKeys();
let zone = '';
let seq = 0;

const attendanceText = { scheduled: 'Scheduled', attended: 'Attended', cancelled: 'Cancelled', no_show: 'No-show' };

function day() {
  return dayInput.value;
}

function setDay(d) {
  dayInput.value = d;
  history.replaceState(null, '', `${location.pathname}?day=${d}`);
  load();
}

// invoiceLine shows the invoice a session billed and the client's balance.
function invoiceLine(inv, client) {
  if (!inv) return null;
  const label = inv.number || 'Draft invoice';
  return h('p', { class: 'session-invoice', dataset: { invoice: inv.id } },
    h('a', { href: `/app/invoices/${inv.id}` }, `${label} · ${money(inv.total, inv.currency)}`),
    ` ${inv.status === 'draft' ? '(on the draft for the period)' : `· balance ${money(inv.balance, inv.currency)}`}`,
    client ? h('span', { class: 'block subtle', dataset: { owing: '' } }, `${client.name} owes ${money(client.balance.owing, client.balance.currency)}`) : null);
}

function row(s, name, inv, client) {
  const li = h('li', { class: 'session', dataset: { session: s.id } });
  const mark = (status) => (e) => attend(e.currentTarget, s, status, li);
  const buttons = [];
  if (s.attendance !== 'attended') buttons.push(h('button', { type: 'button', class: 'btn btn-small btn-primary', dataset: { attend: 'attended', needs: 'bill' }, onclick: mark('attended') }, 'Attended'));
  if (s.attendance !== 'cancelled') buttons.push(h('button', { type: 'button', class: 'btn btn-small', dataset: { attend: 'cancelled', needs: 'bill' }, onclick: (e) => cancel(e.currentTarget, s, li) }, 'Cancelled'));
  if (s.attendance !== 'no_show') buttons.push(h('button', { type: 'button', class: 'btn btn-small', dataset: { attend: 'no_show', needs: 'bill' }, onclick: mark('no_show') }, 'No-show'));
  if (s.attendance !== 'scheduled') buttons.push(h('button', { type: 'button', class: 'btn btn-small btn-quiet', dataset: { attend: 'scheduled', needs: 'bill' }, onclick: mark('scheduled') }, 'Undo'));
  li.replaceChildren(
    h('div', { class: 'session-time' }, h('strong', {}, clock(s.start, zone)), h('span', { class: 'subtle' }, `${s.durationMinutes} min`)),
    h('div', { class: 'session-body' },
      h('p', {}, h('a', { class: 'strong', href: `/app/clients/${s.clientId}` }, name), ' ',
        h('span', { class: `chip chip-att-${s.attendance}`, dataset: { attendance: s.attendance } }, attendanceText[s.attendance] || s.attendance),
        s.cancellationReason ? h('span', { class: 'tag' }, s.cancellationReason) : null),
      h('p', { class: 'subtle' }, [s.service.description, s.service.supportItem, s.location].filter(Boolean).join(' · ')),
      invoiceLine(inv, client)),
    h('div', { class: 'row-actions session-actions' }, buttons));
  return li;
}

async function load() {
  const mine = ++seq;
  const d = day();
  $('[data-day-title]').textContent = date(d);
  try {
    const res = await api('GET', `/v1/sessions${query({ from: d, to: d, limit: 200 })}`);
    const names = await clientNames(res.data.map((s) => s.clientId));
    const invoices = new Map();
    await Promise.all(res.data.filter((s) => s.invoiceId).map(async (s) => {
      invoices.set(s.id, await api('GET', `/v1/invoices/${s.invoiceId}`).catch(() => null));
    }));
    if (mine !== seq) return;
    list.replaceChildren(...res.data.map((s) => row(s, names.get(s.clientId), invoices.get(s.id), null)));
    empty.hidden = res.data.length > 0;
    empty.textContent = 'No sessions on this day.';
  } catch (err) {
    empty.hidden = true;
    showError(document, err);
  }
}

async function mark(button, s, status, li, reason = '') {
  return busy(button, async () => {
    try {
      const body = { status };
      if (reason) body.cancellationReason = reason;
      const res = await api('POST', `/v1/sessions/${s.id}/attendance`, body, { idempotencyKey: crypto.randomUUID() });
      const client = await api('GET', `/v1/clients/${s.clientId}`);
      const names = await clientNames([s.clientId]);
      li.replaceWith(row(res.session, names.get(s.clientId), res.invoice, client));
      if (res.invoice) toast(`${res.invoice.number || 'Draft'} ${res.invoice.status === 'draft' ? 'updated' : 'issued'}: ${money(res.invoice.total, res.invoice.currency)}.`);
      else toast(`Marked ${attendanceText[res.session.attendance].toLowerCase()}.`);
      if (res.sendError) showError(document, { message: `The invoice was not sent: ${res.sendError}` });
    } catch (err) {
      showError(document, err);
    }
  });
}

function attend(button, s, status, li) {
  clearErrors(document);
  mark(button, s, status, li);
}

function cancel(button, s, li) {
  const dialog = $('[data-cancel-dialog]');
  const f = $('[data-cancel-form]');
  f.elements.namedItem('cancellationReason').value = '';
  dialog.returnValue = '';
  dialog.showModal();
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'ok') mark(button, s, 'cancelled', li, f.elements.namedItem('cancellationReason').value);
  }, { once: true });
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(form);
  const d = val(form, 'date');
  const t = val(form, 'time');
  const body = {
    clientId: val(form, 'clientId'),
    start: d && t ? zonedInstant(d, t, zone) : '',
    durationMinutes: Number(val(form, 'durationMinutes')) || 0,
    service: { description: val(form, 'description') },
    location: val(form, 'location'),
  };
  const rate = amountInput(val(form, 'rate'));
  const price = amountInput(val(form, 'price'));
  if (rate) body.service.rate = rate;
  if (price) body.service.price = price;
  if (val(form, 'supportItem')) body.service.supportItem = val(form, 'supportItem');
  if (!body.clientId) {
    showError(form, { field: 'clientId', message: 'Choose the client.' });
    return;
  }
  busy($('[data-submit]', form), async () => {
    try {
      await api('POST', '/v1/sessions', body, { idempotencyKey: keys.for(body) });
      toast('Session booked.');
      if (d !== day()) setDay(d);
      else await load();
    } catch (err) {
      showError(form, err);
    }
  });
});

$('[data-day-prev]').addEventListener('click', () => setDay(addDays(day(), -1)));
$('[data-day-next]').addEventListener('click', () => setDay(addDays(day(), 1)));
$('[data-day-today]').addEventListener('click', () => setDay(todayIn(zone)));
dayInput.addEventListener('change', () => dayInput.value && setDay(dayInput.value));

(async () => {
  try {
    const o = await org();
    zone = o.timezone || '';
    const a = o.autoInvoice || {};
    $('[data-auto-invoice]').textContent = a.enabled
      ? (a.mode === 'draft' ? 'Attended sessions are added to the client’s draft invoice for the period.' : 'Marking a session attended issues its invoice at once.')
      + (a.send ? ' Invoices are emailed as they are issued.' : '')
      : 'Auto-invoicing is off: attended sessions are not billed until it is on (Settings).';
    await fillClients(form.elements.namedItem('clientId'));
  } catch (err) {
    showError(document, err);
  }
  const asked = new URLSearchParams(location.search).get('day');
  dayInput.value = /^\d{4}-\d{2}-\d{2}$/.test(asked || '') ? asked : todayIn(zone);
  form.elements.namedItem('date').value = dayInput.value;
  load();
})();
