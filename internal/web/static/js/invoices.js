// invoices.js: every invoice, by status tab, searchable by name, number or
// client name,
// paged with the API's cursor.
import { api, query } from './api.js';
import { $, $$, debounce, h, showError } from './dom.js';
import { chip, date, invoiceLabel, money } from './format.js';
import './layout.js';

const rows = $('[data-rows]');
const empty = $('[data-empty]');
const more = $('[data-more]');
const search = $('[data-search]');
const tabs = $$('[data-tabs] [role=tab]');
const params = new URLSearchParams(location.search);
let status = params.get('status') || '';
let cursor = '';
let seq = 0;

// Client names, fetched once per client for the rows that need them.
const names = new Map();
function clientName(id) {
  if (!names.has(id)) names.set(id, api('GET', `/v1/clients/${id}`).then((c) => c.name, () => ''));
  return names.get(id);
}

function row(inv) {
  const client = h('a', { href: `/app/clients/${inv.clientId}` }, '…');
  clientName(inv.clientId).then((n) => {
    client.textContent = n || 'Unknown client';
  });
  return h('tr', {},
    h('td', { 'data-label': 'Number' }, h('a', { href: `/app/invoices/${inv.id}`, class: 'strong' }, invoiceLabel(inv))),
    h('td', { 'data-label': 'Name' }, inv.name),
    h('td', { 'data-label': 'Client' }, client),
    h('td', { 'data-label': 'Status' }, chip(inv)),
    h('td', { 'data-label': 'Issued' }, date(inv.issueDate) || '—'),
    h('td', { 'data-label': 'Due' }, date(inv.dueDate) || '—'),
    h('td', { 'data-label': 'Total', class: 'num' }, money(inv.total, inv.currency)),
    h('td', { 'data-label': 'Balance', class: 'num' }, inv.status === 'void' ? '—' : money(inv.balance, inv.currency)));
}

function showTabs() {
  for (const t of tabs) {
    const on = t.dataset.status === status;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
  }
}

function remember() {
  const q = search.value.trim();
  history.replaceState(null, '', location.pathname + query({ status, q }));
}

async function load(reset) {
  const mine = ++seq;
  const q = search.value.trim();
  if (reset) cursor = '';
  more.hidden = true;
  try {
    const res = await api('GET', `/v1/invoices${query({ status, q, cursor, limit: 50 })}`);
    if (mine !== seq) return;
    if (reset) rows.replaceChildren();
    rows.append(...res.data.map(row));
    cursor = res.nextCursor || '';
    more.hidden = !cursor;
    empty.hidden = rows.children.length > 0;
    const which = status ? `${status} ` : '';
    empty.textContent = q ? `No ${which}invoices match “${q}”.` : `No ${which}invoices yet.`;
  } catch (err) {
    if (mine === seq) {
      empty.hidden = true;
      showError(document, err);
    }
  }
}

tabs.forEach((t, i) => {
  t.addEventListener('click', () => {
    status = t.dataset.status;
    showTabs();
    remember();
    load(true);
  });
  t.addEventListener('keydown', (e) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!step) return;
    const n = tabs[(i + step + tabs.length) % tabs.length];
    n.focus();
    n.click();
  });
});
search.value = params.get('q') || '';
search.addEventListener('input', debounce(() => {
  remember();
  load(true);
}, 250));
more.addEventListener('click', () => load(false));

if (!tabs.some((t) => t.dataset.status === status)) status = '';
showTabs();
load(true);
