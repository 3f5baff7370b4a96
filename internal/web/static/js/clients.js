// clients.js: the client list with search, cursor paging and "Add client".
import { api, query } from './api.js';
import { openClientDialog } from './clientform.js';
import { $, debounce, h, showError } from './dom.js';
import { billingContact, funding, isZero, money } from './format.js';
import './layout.js';

const rows = $('[data-rows]');
const empty = $('[data-empty]');
const more = $('[data-more]');
const search = $('[data-search]');
let cursor = '';
let seq = 0;

function row(c) {
  const contact = billingContact(c);
  const cur = c.balance.currency;
  return h('tr', {},
    h('td', { 'data-label': 'Name' }, h('a', { href: `/app/clients/${c.id}`, class: 'strong' }, c.name)),
    h('td', { 'data-label': 'Billing contact' }, contact
      ? h('div', {}, h('span', { class: 'block' }, contact.name), contact.email || contact.phone ? h('span', { class: 'subtle block' }, contact.email || contact.phone) : null)
      : h('span', { class: 'subtle' }, 'None')),
    h('td', { 'data-label': 'Funding' }, funding(c.funding) || h('span', { class: 'subtle' }, 'Private')),
    h('td', { 'data-label': 'Owing', class: 'num' }, isZero(c.balance.owing) ? h('span', { class: 'subtle' }, money(c.balance.owing, cur)) : money(c.balance.owing, cur)),
    h('td', { 'data-label': 'Credit', class: 'num' }, isZero(c.balance.credit) ? h('span', { class: 'subtle' }, money(c.balance.credit, cur)) : money(c.balance.credit, cur)),
    h('td', { class: 'row-actions' }, h('a', { class: 'btn btn-small', 'data-needs': 'bill', href: `/app/invoices/new?client=${c.id}`, 'aria-label': `Invoice ${c.name}` }, 'Invoice')));
}

async function load(reset) {
  const mine = ++seq;
  const q = search.value.trim();
  if (reset) cursor = '';
  more.hidden = true;
  try {
    const res = await api('GET', `/v1/clients${query({ q, cursor, limit: 50 })}`);
    if (mine !== seq) return;
    if (reset) rows.replaceChildren();
    rows.append(...res.data.map(row));
    cursor = res.nextCursor || '';
    more.hidden = !cursor;
    const none = rows.children.length === 0;
    empty.hidden = !none;
    empty.textContent = q ? `No clients match “${q}”.` : 'No clients yet. Add your first client to start invoicing.';
  } catch (err) {
    if (mine === seq) {
      empty.hidden = true;
      showError(document, err);
    }
  }
}

search.value = new URLSearchParams(location.search).get('q') || '';
search.addEventListener('input', debounce(() => {
  const q = search.value.trim();
  history.replaceState(null, '', q ? `?q=${encodeURIComponent(q)}` : location.pathname);
  load(true);
}, 250));
more.addEventListener('click', () => load(false));
$('[data-add-client]').addEventListener('click', () => {
  openClientDialog({ onSaved: (c) => location.assign(`/app/clients/${c.id}`) });
});

load(true);
