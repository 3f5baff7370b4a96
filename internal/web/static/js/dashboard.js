// dashboard.js: the app's home (GET /v1/dashboard): open, overdue and paid
// this period, cases waiting on a PO and ready to invoice, what needs
// attention and the latest activity. Every figure is the API's.
import { api } from './api.js';
import { $, h, showError } from './dom.js';
import { dateTime, money, period } from './format.js';
import { org } from './layout.js';

function tile(name, value, note) {
  const el = $(`[data-tile="${name}"]`);
  $('[data-value]', el).textContent = value;
  $('[data-note]', el).textContent = note;
}

// Where each kind of alert is dealt with.
const alertLinks = { overdue: '/app/invoices?status=overdue', pending_po: '/app/cases#pending-po', ready_to_invoice: '/app/cases?status=pending_payment', ndis_task_alerts: '/app/tasks' };

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

function activityItem(e, zone) {
  const what = e.invoiceId ? h('a', { href: `/app/invoices/${e.invoiceId}` }, e.summary) : h('span', {}, e.summary);
  const meta = [h('time', { datetime: e.at }, dateTime(e.at, zone))];
  if (e.actor) meta.push(' · ', e.actor);
  if (e.clientId && e.clientName) meta.push(' · ', h('a', { href: `/app/clients/${e.clientId}` }, e.clientName));
  return h('li', {}, h('p', {}, what), h('p', { class: 'activity-meta' }, meta));
}

async function load() {
  try {
    const [d, zone] = await Promise.all([api('GET', '/v1/dashboard'), org().then((o) => o.timezone || '', () => '')]);
    const cur = d.currency;
    tile('open', money(d.open.balance, cur), plural(d.open.count, 'invoice', 'invoices'));
    tile('overdue', money(d.overdue.balance, cur), plural(d.overdue.count, 'invoice', 'invoices'));
    tile('paid', money(d.paidThisPeriod.amount, cur), `${plural(d.paidThisPeriod.count, 'payment', 'payments')} · ${period(d.paidThisPeriod.from, d.paidThisPeriod.to)}`);
    tile('pendingPO', String(d.pendingPO.count), `${money(d.pendingPO.value, cur)} before tax`);
    tile('ready', String(d.readyToInvoice.cases), d.readyToInvoice.cases === 1 ? 'case with its PO' : 'cases with their POs');

    const alerts = $('[data-alerts]');
    alerts.replaceChildren(...d.alerts.map((a) => h('li', { class: `alert alert-${a.code}` },
      alertLinks[a.code] ? h('a', { href: alertLinks[a.code] + (a.clientId ? `?client=${encodeURIComponent(a.clientId)}` : '') }, a.message) : a.message)));
    const noAlerts = $('[data-alerts-empty]');
    noAlerts.hidden = d.alerts.length > 0;
    noAlerts.textContent = 'Nothing needs attention.';

    $('[data-recent]').replaceChildren(...d.recentActivity.map((e) => activityItem(e, zone)));
    const none = $('[data-recent-empty]');
    none.hidden = d.recentActivity.length > 0;
    none.textContent = 'Nothing has happened yet.';
  } catch (err) {
    showError(document, err);
  }
}

load();
