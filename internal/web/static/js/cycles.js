// cycles.js lists the org's billing cycles (GET /v1/billing-cycles) with
// "Close now" for one that is due and "Regenerate" for a closed one, and
// a cycle's statements (GET /v1/statements?cycleId=).
import { api, query } from './api.js';
import { $, busy, h, showError, toast } from './dom.js';
import { dateTime, money, period } from './format.js';
import { org } from './layout.js';

const rows = $('[data-cycles]');
const empty = $('[data-cycles-empty]');
const panel = $('[data-statements]');
let zone = '';

const statusText = { open: 'Open', closing: 'In review', due: 'Due to close', closed: 'Closed' };

function cycleRow(c) {
  const actions = [];
  if (c.status === 'due' || c.status === 'closing') {
    actions.push(h('button', { type: 'button', class: 'btn btn-small', 'data-needs': 'change_settings', onclick: (e) => closeNow(e.currentTarget, c) }, 'Close now'));
  }
  if (c.status === 'closed') {
    actions.push(h('button', { type: 'button', class: 'btn btn-small', onclick: () => statements(c) }, 'Statements'));
    actions.push(h('button', { type: 'button', class: 'btn btn-small', 'data-needs': 'change_settings', onclick: (e) => regenerate(e.currentTarget, c) }, 'Regenerate'));
  }
  return h('tr', {},
    h('td', {}, period(c.start, c.end)),
    h('td', {}, h('span', { class: `chip chip-${c.status}` }, statusText[c.status] || c.status)),
    h('td', {}, c.closedAt ? `Closed ${dateTime(c.closedAt, zone)}` : dateTime(c.closesAt, zone)),
    h('td', { class: 'num' }, String(c.statements)),
    h('td', { class: 'row-actions' }, actions));
}

async function load() {
  try {
    zone = await org().then((o) => o.timezone || '', () => '');
    const res = await api('GET', '/v1/billing-cycles');
    rows.replaceChildren(...res.data.map(cycleRow));
    empty.hidden = res.data.length > 0;
    empty.textContent = 'No billing cycles yet.';
  } catch (err) {
    empty.hidden = true;
    showError(document, err);
  }
}

function closeNow(button, c) {
  busy(button, async () => {
    try {
      const rep = await api('POST', `/v1/billing-cycles/${c.id}/close`);
      toast(rep.closed ? `Closed: ${rep.statements} statement${rep.statements === 1 ? '' : 's'} written.` : 'Another run is closing it; check back shortly.');
      await load();
    } catch (err) {
      showError(document, err);
    }
  });
}

function regenerate(button, c) {
  busy(button, async () => {
    try {
      const rep = await api('POST', `/v1/billing-cycles/${c.id}/statements`);
      toast(rep.statements ? `${rep.statements} statement${rep.statements === 1 ? '' : 's'} written.` : 'Every client already has its statement.');
      await load();
      await statements(c);
    } catch (err) {
      showError(document, err);
    }
  });
}

async function statements(c) {
  panel.hidden = false;
  $('[data-statements-title]').textContent = `Statements for ${period(c.start, c.end)}`;
  const body = $('[data-statement-rows]');
  const none = $('[data-statements-empty]');
  try {
    const res = await api('GET', `/v1/statements${query({ cycleId: c.id, limit: 100 })}`);
    const names = new Map();
    await Promise.all([...new Set(res.data.map((s) => s.clientId))].map(async (id) => {
      names.set(id, await api('GET', `/v1/clients/${id}`).then((cl) => cl.name, () => id));
    }));
    body.replaceChildren(...res.data.map((s) => h('tr', {},
      h('td', {}, h('a', { href: `/app/clients/${s.clientId}` }, names.get(s.clientId))),
      h('td', {}, period(s.from, s.to)),
      h('td', { class: 'num' }, money(s.openingBalance, s.currency)),
      h('td', { class: 'num' }, money(s.closingBalance, s.currency)),
      h('td', { class: 'row-actions' }, h('a', { class: 'btn btn-small', href: `/app/statements/${s.id}` }, 'Open'),
        h('a', { class: 'btn btn-small btn-quiet', href: `/v1/statements/${s.id}/pdf` }, 'PDF')))));
    none.hidden = res.data.length > 0;
    none.textContent = 'No client had anything to state.';
    panel.scrollIntoView({ block: 'nearest' });
  } catch (err) {
    showError(document, err);
  }
}

load();
