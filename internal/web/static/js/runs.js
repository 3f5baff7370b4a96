// runs.js starts invoice runs: the period's alerts first (GET
// /v1/invoice-runs/blockers answers them as data, so a blocked period is
// no failed request), then a dry run (POST /v1/invoice-runs with dryRun),
// its preview per participant once the workers have built it, then the
// real run; and lists the batches (GET /v1/invoice-runs).
import { api, query } from './api.js';
import { $, busy, clearErrors, h, showError } from './dom.js';
import { money, period } from './format.js';
import { org } from './layout.js';
import { todayIn } from './work.js';

const form = $('[data-run-form]');
const statusText = { queued: 'Queued', running: 'Running', complete: 'Complete', complete_with_parked: 'Complete, with parked participants', complete_with_unsent: 'Complete, some invoices not sent' };
const routeText = { participant: 'Participant (email and text)', plan_manager: 'Plan manager (email)', ndia_bulk_file: 'NDIA bulk file' };
let excluded = [];
let previewed = null;
let currency = 'AUD';

function body(dryRun) {
  return { periodStart: form.periodStart.value, periodEnd: form.periodEnd.value, dryRun, excludeClientIds: excluded };
}

// blocked lists the participants whose alerts refuse the run, each
// alert with its fix link.
function blocked(clients) {
  const list = $('[data-blocked-list]');
  list.replaceChildren(...clients.map((c) => h('li', {}, h('strong', {}, c.clientName), ': ',
    ...c.alerts.flatMap((a, i) => [i ? '; ' : '', `${a.message} (${a.date}) `, h('a', { href: a.fix }, 'Fix')]))));
  $('[data-blocked]').hidden = false;
  $('[data-blocked]').dataset.ids = clients.map((c) => c.clientId).join(',');
}

async function waitFor(id) {
  for (;;) {
    const v = await api('GET', `/v1/invoice-runs/${id}?limit=200`);
    if (v.run.status !== 'queued' && v.run.status !== 'running') return v;
    $('[data-preview-status]').textContent = `Building the preview: ${v.run.counts.invoiced + v.run.counts.parked + v.run.counts.empty} of ${v.run.counts.total}…`;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function preview() {
  clearErrors(form);
  $('[data-blocked]').hidden = true;
  $('[data-start]').hidden = true;
  try {
    // The period's blockers, less those the coordinator left out (the
    // list of left-out ids stays off the URL, however long it grows).
    const check = await api('GET', `/v1/invoice-runs/blockers${query({ periodStart: form.periodStart.value, periodEnd: form.periodEnd.value })}`);
    const left = check.data.filter((c) => !excluded.includes(c.clientId));
    if (left.length) {
      blocked(left);
      return;
    }
    const run = await api('POST', '/v1/invoice-runs', body(true));
    const v = await waitFor(run.id);
    const rows = v.clients.map((c) => h('tr', { 'data-client': c.clientId },
      h('td', {}, c.clientName),
      h('td', {}, c.state === 'parked' ? `Parked: ${c.reason}` : routeText[c.routing] || c.routing),
      h('td', { class: 'num' }, String(c.lines.length)),
      h('td', { class: 'num' }, money(c.total, currency))));
    $('[data-preview-rows]').replaceChildren(...rows);
    $('[data-preview-table]').hidden = rows.length === 0;
    // Rejected lines of earlier runs queued for re-claim go into this
    // run's NDIA file even when the period has nothing new to invoice.
    const reclaims = v.reclaims || [];
    $('[data-preview-reclaims]').replaceChildren(...reclaims.map((rc) => h('li', { 'data-preview-reclaim': rc.claimReference },
      `Re-claim ${rc.claimReference}: ${rc.clientName}, ${money(rc.amount, currency)}`)));
    $('[data-preview-reclaims]').hidden = reclaims.length === 0;
    const parts = [];
    if (rows.length) parts.push(`${rows.length} invoice${rows.length === 1 ? '' : 's'} totalling ${money(v.run.counts.amount, currency)}`);
    if (reclaims.length) parts.push(`${reclaims.length} rejected line${reclaims.length === 1 ? '' : 's'} of earlier runs claimed again`);
    $('[data-preview-status]').textContent = parts.length ? `Preview: ${parts.join('; ')}.` : 'Nothing to invoice in this period.';
    previewed = parts.length ? body(false) : null;
    $('[data-start]').hidden = !previewed;
  } catch (err) {
    if (err.code === 'run_blocked') blocked(err.body.error.clients); // an alert that arrived since the check
    else showError(form, err);
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  busy($('[data-preview]'), preview);
});

$('[data-exclude]').addEventListener('click', () => {
  excluded = [...new Set([...excluded, ...$('[data-blocked]').dataset.ids.split(',')])];
  busy($('[data-preview]'), preview);
});

$('[data-start]').addEventListener('click', (e) => busy(e.currentTarget, async () => {
  try {
    const run = await api('POST', '/v1/invoice-runs', previewed);
    location.assign(`/app/runs/${run.id}`);
  } catch (err) {
    if (err.code === 'run_exists' && err.body) location.assign(`/app/runs/${err.body.error.runId}`);
    else showError(form, err);
  }
}));

// lastMonth is the first and last day of the month before today's, in
// the org's time zone: the period a coordinator most often runs.
function lastMonth(zone) {
  const [y, m] = todayIn(zone).split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 2, 1));
  const last = new Date(Date.UTC(y, m - 1, 0));
  return [first.toISOString().slice(0, 10), last.toISOString().slice(0, 10)];
}

// batchRow is one run on the batches page: its status, and while it is
// queued or running a bar of its participants done and parked of total.
function batchRow(r) {
  const c = r.counts;
  const active = r.status === 'queued' || r.status === 'running';
  const settled = c.invoiced + c.parked + c.empty;
  return h('tr', { 'data-run': r.id, 'data-status': r.status },
    h('td', {}, h('a', { href: `/app/runs/${r.id}` }, period(r.periodStart, r.periodEnd))),
    h('td', {}, h('span', { class: `chip chip-${r.status}` }, statusText[r.status] || r.status),
      active ? h('progress', { max: String(Math.max(c.total, 1)), value: String(settled), 'aria-label': `${settled} of ${c.total} done`, 'data-run-progress': '' }) : ''),
    h('td', { class: 'num' }, c.total === 0 && c.reclaims ? `${c.reclaims} re-claim${c.reclaims === 1 ? '' : 's'} only` : `${c.invoiced} of ${c.total}`),
    h('td', { class: 'num' }, String(c.parked)),
    h('td', { class: 'num' }, money(c.amount, currency)));
}

let listTimer = 0;

// loadRuns lists the batches, again every two seconds while one is
// queued or running.
async function loadRuns() {
  clearTimeout(listTimer);
  const res = await api('GET', '/v1/invoice-runs');
  const real = res.data.filter((r) => !r.dryRun);
  $('[data-runs]').replaceChildren(...real.map(batchRow));
  $('[data-runs-empty]').hidden = real.length > 0;
  $('[data-runs-empty]').textContent = 'No invoice runs yet.';
  if (real.some((r) => r.status === 'queued' || r.status === 'running')) {
    listTimer = setTimeout(() => loadRuns().catch((err) => showError(document, err)), 2000);
  }
}

async function load() {
  try {
    const o = await org().catch(() => ({}));
    currency = o.currency || 'AUD';
    if (!form.periodStart.value && !form.periodEnd.value) {
      [form.periodStart.value, form.periodEnd.value] = lastMonth(o.timezone || '');
    }
    await loadRuns();
  } catch (err) {
    showError(document, err);
  }
}

load();
