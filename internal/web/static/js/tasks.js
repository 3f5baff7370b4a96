// tasks.js: a participant's NDIS plan (read with the client, GET
// /v1/clients/{id}?include=ndisPlan; PUT /v1/clients/{id}/ndis-plan, with the funding the client record holds), its budget per
// support category as the API counts it (GET /v1/clients/{id}/budget:
// spent, committed, remaining from tasks and attended sessions), their tasks with the alerts
// that block invoicing and why (GET /v1/tasks?clientId=), and logging a
// task (POST /v1/tasks), changing or deleting an uninvoiced one (PATCH,
// DELETE /v1/tasks/{id}). Alerts are the API's, never judged here.
import { api, IdempotencyKeys, query } from './api.js';
import { $, busy, clearErrors, confirmDialog, h, showError, toast, val } from './dom.js';
import { amountInput, date, funding, money, period } from './format.js';
import { org } from './layout.js';
import { fillParticipants, todayIn } from './work.js';

const picker = $('[data-participant]');
const form = $('[data-task-form]');
const planForm = $('[data-plan-form]');
const keys = new IdempotencyKeys();
let client = null;
let currency = 'AUD';
let editing = null; // the task the form changes; null: the form logs a new one

const claimText = {
  direct: 'Direct', non_face_to_face: 'Non-face-to-face', travel: 'Travel', report_writing: 'Report writing',
  telehealth: 'Telehealth', cancellation: 'Cancellation',
};
const remotenessText = { national: 'National', remote: 'Remote', very_remote: 'Very remote' };

// editTask puts a task in the form, which then saves it (PATCH).
function editTask(t) {
  clearErrors(form);
  editing = t;
  const set = (k, v) => { form.elements.namedItem(k).value = v ?? ''; };
  set('date', t.date); set('supportItem', t.supportItem); set('start', ''); set('end', '');
  set('durationMinutes', String(t.durationMinutes)); set('rate', t.rate); set('claimType', t.claimType);
  set('cancellationReason', t.cancellationReason || 'NSDH'); set('notes', t.notes);
  $('[data-cancel-reason]').hidden = t.claimType !== 'cancellation';
  $('#log-title').textContent = 'Change a task';
  $('[data-submit]', form).textContent = 'Save task';
  $('[data-cancel-edit]', form).hidden = false;
  form.scrollIntoView({ block: 'nearest' });
}

function endEdit() {
  editing = null;
  form.reset();
  $('[data-cancel-reason]').hidden = true;
  $('#log-title').textContent = 'Log a task';
  $('[data-submit]', form).textContent = 'Log task';
  $('[data-cancel-edit]', form).hidden = true;
}

async function deleteTask(button, t) {
  const ok = await confirmDialog({ title: 'Delete this task?', body: `${date(t.date)}, ${t.durationMinutes} minutes. It will not be invoiced.`, ok: 'Delete' });
  if (!ok) return;
  busy(button, async () => {
    try {
      await api('DELETE', `/v1/tasks/${t.id}`);
      if (editing && editing.id === t.id) endEdit();
      toast('Task deleted.');
      await Promise.all([loadTasks(), loadBudget()]);
    } catch (err) {
      showError(form, err);
    }
  });
}

function taskRow(t) {
  const act = (label, fn, cls) => h('button', { type: 'button', class: cls, dataset: { taskAction: label, needs: 'bill' }, onclick: (e) => fn(e.currentTarget) }, label);
  const actions = t.invoiceId ? [] : [act('Edit', () => editTask(t), 'btn btn-small'), act('Delete', (b) => deleteTask(b, t), 'btn btn-small btn-quiet')];
  const ready = t.invoiceId
    ? h('a', { class: 'chip', href: `/app/invoices/${t.invoiceId}`, dataset: { invoiced: t.invoiceId } }, 'Invoiced')
    : t.readyToInvoice
    ? h('span', { class: 'chip chip-paid' }, 'Ready')
    : h('ul', { class: 'plain task-alerts', dataset: { alerts: t.id } }, t.alerts.map((a) => h('li', { class: 'alert', dataset: { code: a.code } }, a.message)));
  return h('tr', { dataset: { task: t.id } },
    h('td', { 'data-label': 'Date' }, date(t.date)),
    h('td', { 'data-label': 'Support item' }, t.supportItem || '—'),
    h('td', { 'data-label': 'Claim' }, claimText[t.claimType] || t.claimType, t.cancellationReason ? ` (${t.cancellationReason})` : ''),
    h('td', { 'data-label': 'Minutes', class: 'num' }, String(t.durationMinutes)),
    h('td', { 'data-label': 'Rate', class: 'num' }, t.rate ? money(t.rate, currency) : '—'),
    h('td', { 'data-label': 'Amount', class: 'num' }, money(t.amount, currency)),
    h('td', { 'data-label': 'Ready?' }, ready),
    h('td', {}, actions));
}

async function loadTasks() {
  const res = await api('GET', `/v1/tasks${query({ clientId: client.id })}`);
  $('[data-tasks]').replaceChildren(...res.data.map(taskRow));
  const none = $('[data-tasks-empty]');
  none.hidden = res.data.length > 0;
  none.textContent = 'No tasks logged for this participant.';
}

function showPlan(p) {
  const f = client.funding || {};
  const rows = [['Funding', funding(f) || 'Private (no NDIS number)']];
  if (f.planManager) rows.push(['Plan manager', `${f.planManager.name}${f.planManager.email ? ` · ${f.planManager.email}` : ''}`]);
  if (p) {
    rows.push(['Plan dates', period(p.start, p.end)], ['Remoteness', remotenessText[p.remoteness] || p.remoteness]);
    for (const [cat, amount] of Object.entries(p.budgets)) rows.push([`Budget, category ${cat}`, money(amount, currency)]);
    planForm.elements.namedItem('start').value = p.start;
    planForm.elements.namedItem('end').value = p.end;
    planForm.elements.namedItem('remoteness').value = p.remoteness;
    planForm.elements.namedItem('budget07').value = p.budgets['07'] || '';
  }
  $('[data-plan]').replaceChildren(...rows.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
  $('[data-plan-empty]').hidden = Boolean(p);
}

function budgetRow(c) {
  const pair = (k, label, v) => h('div', {}, h('dt', {}, label), h('dd', { class: 'num', dataset: { k } }, money(v, currency)));
  return h('dl', { class: 'pairs', dataset: { budgetCategory: c.category } },
    pair('budget', `Category ${c.category} budget`, c.budget), pair('spent', 'Spent', c.spent),
    pair('committed', 'Committed', c.committed), pair('remaining', 'Remaining', c.remaining));
}

// loadBudget shows the API's budget lines; a participant without a plan
// has none (and no request is made).
async function loadBudget() {
  const box = $('[data-budget]');
  if (!client.ndisPlan) {
    box.hidden = true;
    return;
  }
  const b = await api('GET', `/v1/clients/${client.id}/budget`);
  $('[data-budget-lines]').replaceChildren(...b.categories.map(budgetRow));
  box.hidden = b.categories.length === 0;
}

async function choose(id) {
  clearErrors(document);
  if (editing) endEdit();
  $('[data-work]').hidden = !id;
  $('[data-choose]').hidden = Boolean(id);
  history.replaceState(null, '', id ? `${location.pathname}?client=${id}` : location.pathname);
  if (!id) return;
  try {
    // The plan comes with the client: a participant without one is not
    // a failed request.
    client = await api('GET', `/v1/clients/${id}?include=ndisPlan`);
    currency = client.balance.currency;
    showPlan(client.ndisPlan || null);
    await Promise.all([loadTasks(), loadBudget()]);
  } catch (err) {
    showError(document, err);
  }
}

$('[data-cancel-edit]', form).addEventListener('click', endEdit);

form.elements.namedItem('claimType').addEventListener('change', () => {
  $('[data-cancel-reason]').hidden = val(form, 'claimType') !== 'cancellation';
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(form);
  const body = { clientId: client.id, date: val(form, 'date'), claimType: val(form, 'claimType'), notes: val(form, 'notes') };
  for (const k of ['supportItem', 'start', 'end']) if (val(form, k)) body[k] = val(form, k);
  if (val(form, 'durationMinutes')) body.durationMinutes = Number(val(form, 'durationMinutes'));
  if (val(form, 'rate')) body.rate = amountInput(val(form, 'rate'));
  if (body.claimType === 'cancellation') body.cancellationReason = val(form, 'cancellationReason');
  if (editing) {
    // A change: the participant stays; an emptied field is cleared.
    delete body.clientId;
    for (const k of ['supportItem', 'rate']) if (!(k in body)) body[k] = null;
    if (body.start || body.end) delete body.durationMinutes;
    if (body.claimType !== 'cancellation') body.cancellationReason = null;
  }
  busy($('[data-submit]', form), async () => {
    try {
      const t = editing
        ? await api('PATCH', `/v1/tasks/${editing.id}`, body)
        : await api('POST', '/v1/tasks', body, { idempotencyKey: keys.for(body) });
      const what = editing ? 'Task saved' : 'Task logged';
      if (editing) endEdit();
      toast(t.readyToInvoice ? `${what}: ready to invoice.` : `${what} with ${t.alerts.length} alert${t.alerts.length === 1 ? '' : 's'}.`);
      await Promise.all([loadTasks(), loadBudget()]);
    } catch (err) {
      showError(form, err);
    }
  });
});

planForm.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(planForm);
  const body = { start: val(planForm, 'start'), end: val(planForm, 'end'), remoteness: val(planForm, 'remoteness'), budgets: {} };
  if (val(planForm, 'budget07')) body.budgets['07'] = amountInput(val(planForm, 'budget07'));
  busy($('[data-submit]', planForm), async () => {
    try {
      const p = await api('PUT', `/v1/clients/${client.id}/ndis-plan`, body);
      client.ndisPlan = p;
      showPlan(p);
      toast('Plan saved.');
      await Promise.all([loadTasks(), loadBudget()]);
    } catch (err) {
      showError(planForm, err);
    }
  });
});

picker.addEventListener('change', () => choose(picker.value));

(async () => {
  try {
    const o = await org();
    form.elements.namedItem('date').value = todayIn(o.timezone || '');
    await fillParticipants(picker, 'Choose a participant');
    const asked = new URLSearchParams(location.search).get('client') || '';
    if (asked) {
      picker.value = asked;
      await choose(asked);
    }
  } catch (err) {
    showError(document, err);
  }
})();
