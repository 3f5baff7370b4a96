// run.js is one invoice run (GET /v1/invoice-runs/{id}): its progress,
// refreshed while it runs, each participant's outcome with the invoice or
// the reason it is parked (Fix, Re-queue), the NDIA bulk upload files and
// the dead-letter queue, and the NDIA results and remittance uploads with
// the fix list.
import { api } from './api.js';
import { $, busy, clearErrors, h, showError, toast } from './dom.js';
import { money, period } from './format.js';
import { org } from './layout.js';

const id = document.querySelector('main').dataset.id;
const statusText = { queued: 'Queued', running: 'Running', complete: 'Complete', complete_with_parked: 'Complete, with parked participants', complete_with_unsent: 'Complete, some invoices not sent' };
const stateText = { invoiced: 'Invoiced', previewed: 'Previewed', parked: 'Parked', empty: 'Nothing to invoice', building: 'Building', requeued: 'Re-queued' };
const routeText = { participant: 'Participant', plan_manager: 'Plan manager', ndia_bulk_file: 'NDIA bulk file' };
let currency = 'AUD';
let timer = 0;

function requeue(button, c, done = 'is queued again') {
  busy(button, async () => {
    try {
      await api('POST', `/v1/invoice-runs/${id}/requeue`, { clientIds: [c.clientId] });
      toast(`${c.clientName} ${done}.`);
      await load();
    } catch (err) {
      showError(document, err);
    }
  });
}

// excludedList offers each participant the run left out, and not added
// since, an "Add to this run" (POST …/requeue adds them to the same run).
async function excludedList(r, clients) {
  const on = new Set(clients.map((c) => c.clientId));
  const left = (r.dryRun ? [] : r.excludeClientIds || []).filter((cid) => !on.has(cid));
  $('[data-excluded]').hidden = left.length === 0;
  const rows = await Promise.all(left.map(async (cid) => {
    let name = cid;
    try { name = (await api('GET', `/v1/clients/${cid}`)).name || cid; } catch { /* a deleted client keeps its id */ }
    const c = { clientId: cid, clientName: name };
    return h('li', { 'data-excluded-client': cid }, `${name} `,
      h('button', { type: 'button', class: 'btn btn-small', 'data-add': cid, 'data-needs': 'bill', onclick: (e) => requeue(e.currentTarget, c, 'is added to this run') }, 'Add to this run'));
  }));
  $('[data-excluded-list]').replaceChildren(...rows);
}

function clientRow(c) {
  const actions = [];
  if (c.state === 'parked' || c.sendParked) {
    actions.push(h('a', { class: 'btn btn-small btn-quiet', href: c.fix, 'data-needs': 'bill' }, 'Fix'));
    actions.push(h('button', { type: 'button', class: 'btn btn-small', 'data-requeue': c.clientId, 'data-needs': 'bill', onclick: (e) => requeue(e.currentTarget, c) }, 'Re-queue'));
  }
  return h('tr', { 'data-client': c.clientId },
    h('td', {}, c.clientName || c.clientId),
    h('td', {}, h('span', { class: `chip chip-${c.state}` }, stateText[c.state] || c.state), c.reason ? h('div', { class: 'muted' }, c.reason) : ''),
    h('td', {}, routeText[c.routing] || '', c.sendParked ? h('div', {}, h('span', { class: 'chip chip-parked', 'data-send-parked': '' }, 'Not sent')) : '',
      c.routeError ? h('div', { class: 'muted' }, c.routeError) : ''),
    h('td', {}, c.invoiceId ? h('a', { href: `/app/invoices/${c.invoiceId}` }, c.number) : ''),
    h('td', { class: 'num' }, c.lines.length ? money(c.total, currency) : ''),
    h('td', { class: 'row-actions' }, actions));
}

// stepOf places each run status on the queued → running → complete
// steps; both complete statuses are the last step.
const stepOf = { queued: 0, running: 1, complete: 2, complete_with_parked: 2, complete_with_unsent: 2 };

// progress shows the run's own counts from the API: participants done
// (invoiced, or nothing left to invoice) and parked, of those enqueued;
// and which step the run is at, the steps before it marked passed, so a
// queued state that lasted a moment is still seen to have happened.
function progress(status, c) {
  const done = c.invoiced + c.empty;
  const settled = done + c.parked;
  const bar = $('[data-progress]');
  bar.max = Math.max(c.total, 1);
  bar.value = c.total ? settled : (stepOf[status] === 2 ? 1 : 0);
  bar.dataset.status = status;
  const text = `${settled} of ${c.total} participant${c.total === 1 ? '' : 's'} done`
    + (c.parked ? ` (${c.parked} parked)` : '');
  $('[data-progress-text]').textContent = status === 'queued' ? `Queued: waiting for the workers. ${text}.` : `${text}.`;
  const at = stepOf[status] ?? 0;
  for (const li of document.querySelectorAll('[data-run-steps] [data-step]')) {
    const i = stepOf[li.dataset.step];
    li.dataset.state = i < at ? 'passed' : i === at ? 'current' : 'todo';
    if (i === at) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  }
  const last = $('[data-run-steps] [data-step="complete"]');
  last.textContent = status === 'complete_with_parked' ? `Complete, ${c.parked} parked`
    : status === 'complete_with_unsent' ? `Complete, ${c.unsent} not sent` : 'Complete';
  last.dataset.parked = String(status === 'complete_with_parked');
}

async function load() {
  clearTimeout(timer);
  try {
    const v = await api('GET', `/v1/invoice-runs/${id}?limit=200`);
    const r = v.run;
    const c = r.counts;
    $('[data-run-title]').textContent = `${r.dryRun ? 'Preview' : 'Invoice run'}: ${period(r.periodStart, r.periodEnd)}`;
    $('[data-run-summary]').textContent = statusText[r.status] || r.status;
    $('[data-run-summary]').dataset.status = r.status;
    progress(r.status, c);
    // byRouting counts invoices that went to their route; an unsent one
    // is only in unsent, so the two add up to invoiced.
    const routes = Object.entries(c.byRouting).filter(([, n]) => n > 0).map(([k, n]) => `${routeText[k] || k}: ${n}`).join(', ');
    $('[data-counts]').textContent = `${c.invoiced} invoiced${c.unsent ? ` (${c.unsent} not sent)` : ''}, ${c.parked} parked, ${c.empty} with nothing to invoice, of ${c.total}; total ${money(c.amount, currency)}${routes ? ` (${r.dryRun ? 'would go to' : 'went to'} ${routes})` : ''}.`
      + (c.reclaims ? ` The NDIA file also claims again ${c.reclaims} rejected line${c.reclaims === 1 ? '' : 's'} of earlier runs: ${v.reclaims.map((rc) => `${rc.claimReference} (${rc.number})`).join(', ')}.` : '');
    const dlq = $('[data-dlq]');
    dlq.hidden = !(v.deadLetters > 0);
    dlq.textContent = `${v.deadLetters} message${v.deadLetters === 1 ? '' : 's'} in the dead-letter queue: their participants are parked below.`;
    const files = $('[data-files]');
    const links = r.links.files || [];
    files.hidden = links.length === 0;
    files.replaceChildren('NDIA bulk upload: ', ...links.map((href, i) => h('a', { href, download: '', 'data-file': String(i + 1), 'data-needs': 'export' }, `file ${i + 1}`)));
    $('[data-recon]').hidden = links.length === 0;
    $('[data-clients]').replaceChildren(...v.clients.map(clientRow));
    await excludedList(r, v.clients);
    fixList(v.fixList || []);
    if (r.status === 'queued' || r.status === 'running') timer = setTimeout(load, 1500);
  } catch (err) {
    showError(document, err);
  }
}

// ndiaSays is the NDIA's code and message, the code once: a message that
// starts with its code is shown as it is.
function ndiaSays(l) {
  if (!l.message) return l.code || '';
  if (!l.code || l.message.startsWith(l.code)) return l.message;
  return `${l.code}: ${l.message}`;
}

// reclaimState says where a fix list line's re-claim stands, with a link
// to the run whose NDIA file carries it.
function reclaimState(rc, l) {
  if (!rc) return [];
  return [...reclaimStanding(rc, l), h('div', { class: 'muted', 'data-reclaim-as': '' },
    `Claimed as support item ${rc.supportItem} at ${money(rc.unitPrice, currency)} a unit: ${money(rc.amount, currency)}.`)];
}

function reclaimStanding(rc, l) {
  const inRun = rc.run ? h('a', { href: `/app/runs/${rc.runId}` }, 'a later run') : 'a later run';
  if (rc.state === 'rejected' && rc.claimReference === l.claimReference) return ['Rejected again: fix the cause and re-claim it.'];
  switch (rc.state) {
    case 'queued': return [`Queued: the next invoice run claims it again as ${rc.claimReference}.`];
    case 'reclaimed': return [`Re-claimed as ${rc.claimReference} in `, inRun, '.'];
    case 'accepted': return [`Re-claimed as ${rc.claimReference}: accepted by the NDIA in `, inRun, '.'];
    case 'rejected': return [`Re-claimed as ${rc.claimReference}: rejected again, see the fix list of `, inRun, '.'];
    case 'paid': return [`Re-claimed as ${rc.claimReference}: paid.`];
  }
  return [rc.state];
}

// reclaimForm queues a rejected line for re-claim once its cause is fixed
// (the participant's NDIS number on their page; the support item or unit
// price here, blank to keep the line's own).
function reclaimForm(l) {
  const form = h('form', { class: 'form-inline', 'data-reclaim': l.claimReference, 'data-needs': 'bill', novalidate: '' },
    h('div', { class: 'form-alert', role: 'alert', 'data-form-alert': '', hidden: '' }),
    h('label', { 'data-field': 'supportItem' }, h('span', {}, 'Support item'), h('input', { name: 'supportItem', placeholder: 'keep', size: '16' })),
    h('label', { 'data-field': 'unitPrice' }, h('span', {}, 'Unit price'), h('input', { name: 'unitPrice', inputmode: 'decimal', placeholder: 'keep', size: '8' })),
    h('button', { type: 'submit', class: 'btn btn-small' }, 'Re-claim'),
    h('p', { class: 'muted', 'data-reclaim-unchanged': '' }, 'With both blank, the line is claimed again exactly as it was.'));
  // Say plainly, while both corrections are blank, that nothing changes.
  const unchanged = () => !form.supportItem.value.trim() && !form.unitPrice.value.trim();
  form.addEventListener('input', () => { form.querySelector('[data-reclaim-unchanged]').hidden = !unchanged(); });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    busy(form.querySelector('[type=submit]'), async () => {
      try {
        const rep = await api('POST', `/v1/invoice-runs/${id}/reclaims`, { claimReference: l.claimReference,
          supportItem: form.supportItem.value.trim(), unitPrice: form.unitPrice.value.trim() });
        toast(`${l.claimReference} is queued for re-claim in the next invoice run${unchanged() ? ', unchanged' : ''}.`);
        fixList(rep.fixList);
      } catch (err) {
        showError(form, err);
      }
    });
  });
  return form;
}

// fixFields are the NDIA rejection codes (see the provider guides' list
// of bulk-claim errors) fixed on the re-claim itself: the price or the
// support item. The plan and the participant's details are fixed on the
// participant's record; service bookings, bank details and a missing
// reference or unit in myplace or the claim, so those get no link.
const fixFields = { C17: ['unitPrice', 'Re-claim\'s unit price'], C09: ['supportItem', 'Re-claim\'s support item'],
  C15: ['supportItem', 'Re-claim\'s support item'] };
const fixOnParticipant = { C22: 'Participant\'s plan', A01: 'Participant\'s record' };
const fixElsewhere = new Set(['C01', 'C02', 'C03', 'C12', 'C13', 'C14']);

// fixLink points a fix list line at where its rejection is fixed.
function fixLink(l) {
  const f = fixFields[l.code];
  if (f) {
    if (!l.canReclaim) return '';
    const a = h('a', { href: '#', 'data-fix-link': f[0] }, f[1]);
    a.addEventListener('click', (e) => {
      e.preventDefault();
      const input = document.querySelector(`[data-reclaim="${CSS.escape(l.claimReference)}"] [name=${f[0]}]`);
      if (input) input.focus();
    });
    return h('div', { class: 'muted' }, a);
  }
  if (fixElsewhere.has(l.code)) return '';
  const label = fixOnParticipant[l.code] || 'Participant\'s record';
  return label ? h('div', { class: 'muted' }, h('a', { href: `/app/clients/${l.clientId}`, 'data-fix-link': 'participant' }, label)) : '';
}

// fixList shows a run's rejected claim lines: from an upload's answer, and
// on every load of the page (GET /v1/invoice-runs/{id} returns them), each
// with its re-claim: a form until it is queued, then where it stands.
function fixList(rows) {
  $('[data-fix-rows]').replaceChildren(...rows.map((l) => h('tr', { 'data-fix': l.claimReference },
    h('td', {}, l.claimReference),
    h('td', {}, h('a', { href: `/app/invoices/${l.invoiceId}` }, l.number), l.clientName ? h('div', { class: 'muted', 'data-fix-participant': '' }, l.clientName) : ''),
    h('td', {}, ndiaSays(l)),
    h('td', {}, l.fix, fixLink(l)),
    h('td', { 'data-reclaim-state': l.reclaim ? l.reclaim.state : 'rejected' },
      l.canReclaim
        ? [l.reclaim ? h('p', {}, ...reclaimState(l.reclaim, l)) : '', reclaimForm(l)]
        : reclaimState(l.reclaim, l)))));
  $('[data-fix-table]').hidden = rows.length === 0;
}

// unmatchedList names each uploaded reference that is not in this run,
// with the run whose file carried it where the API knows it.
function unmatchedList(rep) {
  if (!rep.unmatched.length) return '';
  const runs = rep.unmatchedRuns || {};
  return h('ul', { 'data-unmatched': '' }, ...rep.unmatched.map((ref) => h('li', { 'data-unmatched-ref': ref }, ref,
    runs[ref] ? [' is in ', h('a', { href: `/app/runs/${runs[ref]}` }, 'another run'), ': upload it there.'] : ' is in no run we know of.')));
}

for (const form of document.querySelectorAll('[data-upload]')) {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    const file = form.file.files[0];
    if (!file) return;
    busy(form.querySelector('[type=submit]'), async () => {
      try {
        const rep = await api('POST', `/v1/invoice-runs/${id}/${form.dataset.upload}`, { fileName: file.name, csv: await file.text() });
        $('[data-recon-result]').replaceChildren(form.dataset.upload === 'ndia-results'
          ? `${rep.accepted} accepted, ${rep.rejected} rejected${rep.unmatched.length ? `, ${rep.unmatched.length} not in this run` : ''}.`
          : rep.paid === 0 && rep.alreadyPaid > 0 && rep.payments.length === 0 && rep.creditNotes.length === 0
            ? `This remittance was already applied: its ${rep.alreadyPaid} paid line${rep.alreadyPaid === 1 ? '' : 's'} ${rep.alreadyPaid === 1 ? 'is' : 'are'} recorded; nothing changed.${rep.unmatched.length ? ` ${rep.unmatched.length} not in this run.` : ''}`
            : `${rep.paid} line${rep.paid === 1 ? '' : 's'} paid: ${rep.payments.length} payment${rep.payments.length === 1 ? '' : 's'} recorded${rep.creditNotes.length ? `, ${rep.creditNotes.length} shortfall credit note${rep.creditNotes.length === 1 ? '' : 's'}` : ''}${rep.unmatched.length ? `, ${rep.unmatched.length} not in this run` : ''}.`,
        unmatchedList(rep));
        fixList(rep.fixList);
        await load();
      } catch (err) {
        showError(form, err);
      }
    });
  });
}

org().then((o) => { currency = o.currency || 'AUD'; }, () => {}).finally(load);
