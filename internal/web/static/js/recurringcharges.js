// recurringcharges.js: the client page's recurring charges
// (/v1/clients/{id}/recurring-charges): each with its schedule, what it
// has billed and when next, Pause / Resume / Bill now / Remove, and the
// form that adds one. The schedule and the billing are the API's.
import { api, IdempotencyKeys } from './api.js';
import { $, busy, clearErrors, confirmDialog, h, showError, toast, val } from './dom.js';
import { amountInput, date, money } from './format.js';

const section = $('[data-recurring]');
const clientID = $('main').dataset.id;
const base = `/v1/clients/${clientID}/recurring-charges`;
const form = $('[data-charge-form]');
const keys = new IdempotencyKeys();
let currency = 'AUD';
let onBilled = () => {};

const statusText = { active: 'Active', paused: 'Paused', finished: 'Finished' };
const ordinal = (n) => `${n}${[, 'st', 'nd', 'rd'][n % 100 >> 3 ^ 1 && n % 10] || 'th'}`;

function schedule(c) {
  const every = c.frequency === 'weekly' ? `Every ${c.weekday[0].toUpperCase()}${c.weekday.slice(1)}` : `Monthly on the ${ordinal(c.dayOfMonth)}`;
  const ends = c.end ? ` until ${date(c.end)}` : c.count ? `, ${c.count} times` : '';
  return `${every} from ${date(c.start)}${ends}`;
}

function item(c) {
  const act = (label, fn, cls = 'btn btn-small') => h('button', { type: 'button', class: cls, dataset: { chargeAction: label, needs: 'bill' }, onclick: (e) => fn(e.currentTarget) }, label);
  const actions = [];
  if (c.status === 'active') actions.push(act('Bill now', (b) => run(b, `${base}/${c.id}/bill`, (r) => (r.billedNow ? `${r.billedNow} charge${r.billedNow === 1 ? '' : 's'} billed.` : 'Nothing is due yet.'))));
  if (c.status === 'active') actions.push(act('Pause', (b) => run(b, `${base}/${c.id}/pause`, () => 'Paused.')));
  if (c.status === 'paused') actions.push(act('Resume', (b) => run(b, `${base}/${c.id}/resume`, () => 'Resumed.')));
  actions.push(act('Remove', (b) => remove(b, c), 'btn btn-small btn-quiet'));
  return h('li', { class: 'charge', dataset: { charge: c.id } },
    h('p', {}, h('strong', {}, c.description), ` · ${money(c.amount, currency)} `, h('span', { class: `chip chip-charge-${c.status}`, dataset: { chargeStatus: c.status } }, statusText[c.status] || c.status)),
    h('p', { class: 'subtle' }, schedule(c)),
    h('p', { class: 'subtle', dataset: { chargeBilled: '' } }, `Billed ${c.billed} time${c.billed === 1 ? '' : 's'}`,
      c.lastInvoiceId ? [' · last ', h('a', { href: `/app/invoices/${c.lastInvoiceId}` }, date(c.lastBilled))] : '',
      c.next && c.status === 'active' ? ` · next ${date(c.next)}` : ''),
    h('div', { class: 'row-actions charge-actions' }, actions));
}

async function load() {
  try {
    const res = await api('GET', base);
    $('[data-charges]').replaceChildren(...res.data.map(item));
    const none = $('[data-charges-empty]');
    none.hidden = res.data.length > 0;
    none.textContent = 'No recurring charges.';
  } catch (err) {
    showError(section, err);
  }
}

function run(button, path, done) {
  clearErrors(section);
  busy(button, async () => {
    try {
      const r = await api('POST', path, undefined, { idempotencyKey: crypto.randomUUID() });
      toast(done(r));
      await load();
      if (r.billedNow) onBilled();
    } catch (err) {
      showError(section, err);
    }
  });
}

async function remove(button, c) {
  const ok = await confirmDialog({ title: 'Remove this recurring charge?', body: 'Nothing more is billed; invoices it made stay.', ok: 'Remove' });
  if (!ok) return;
  busy(button, async () => {
    try {
      await api('DELETE', `${base}/${c.id}`);
      toast('Recurring charge removed.');
      await load();
    } catch (err) {
      showError(section, err);
    }
  });
}

function frequency() {
  const weekly = val(form, 'frequency') === 'weekly';
  $('[data-charge-weekly]', form).hidden = !weekly;
  $('[data-charge-monthly]', form).hidden = weekly;
}

form.elements.namedItem('frequency').addEventListener('change', frequency);
form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(form);
  const body = { description: val(form, 'description'), amount: amountInput(val(form, 'amount')), frequency: val(form, 'frequency'), start: val(form, 'start') };
  if (body.frequency === 'weekly') body.weekday = val(form, 'weekday');
  else body.dayOfMonth = Number(val(form, 'dayOfMonth')) || 0;
  if (val(form, 'end')) body.end = val(form, 'end');
  if (val(form, 'count')) body.count = Number(val(form, 'count'));
  busy($('[data-submit]', form), async () => {
    try {
      await api('POST', base, body, { idempotencyKey: keys.for(body) });
      toast('Recurring charge added.');
      form.reset();
      frequency();
      await load();
    } catch (err) {
      showError(form, err);
    }
  });
});

/**
 * Shows the client's recurring charges. cur is the client's currency;
 * billed runs after "Bill now" billed something (to refresh invoices).
 */
export function recurringCharges(cur, billed) {
  currency = cur;
  onBilled = billed || onBilled;
  load();
}
