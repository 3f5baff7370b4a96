// initialbalance.js: the client page's initial balance
// (GET/POST /v1/clients/{id}/initial-balance): what the account owed when it
// was created, shown with its invoice once set, else the form that sets it.
import { api } from './api.js';
import { $, busy, clearErrors, h, showError, toast, val } from './dom.js';
import { amountInput, date, money } from './format.js';

const clientID = $('main').dataset.id;
const form = $('[data-initial-form]');
const shown = $('[data-initial-shown]');
let onSet = () => {};

function show(inv) {
  shown.replaceChildren(h('a', { href: `/app/invoices/${inv.id}` }, money(inv.total, inv.currency)), ` as at ${date(inv.issueDate)}`,
    inv.status === 'void' ? ' (void)' : '');
  shown.hidden = false;
  form.hidden = true;
}

async function load() {
  try {
    const res = await api('GET', `/v1/clients/${clientID}/initial-balance`);
    if (res.invoice) show(res.invoice);
    else form.hidden = false;
  } catch (err) {
    showError($('[data-initial]'), err);
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(form);
  const body = { amount: amountInput(val(form, 'amount')) };
  if (val(form, 'date')) body.date = val(form, 'date');
  busy($('[data-submit]', form), async () => {
    try {
      const inv = await api('POST', `/v1/clients/${clientID}/initial-balance`, body, { idempotencyKey: crypto.randomUUID() });
      show(inv);
      toast('Initial balance set.');
      onSet();
    } catch (err) {
      showError(form, err);
    }
  });
});

/** Shows the client's initial balance; set runs after one is set (to refresh balances). */
export function initialBalance(set) {
  onSet = set || onSet;
  load();
}
