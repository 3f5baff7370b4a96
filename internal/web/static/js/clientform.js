// clientform.js is the add/edit client dialog shared by the client list and
// the client page: name, contacts (one primary; one billing contact, who
// receives invoices), terms and tax overrides, and NDIS funding. Editing a
// client without choosing another billing contact leaves it as it was.
import { api, IdempotencyKeys } from './api.js';
import { $, $$, busy, clearErrors, showError, val } from './dom.js';

const dialog = $('[data-client-dialog]');
const form = dialog && $('[data-client-form]', dialog);
const list = form && $('[data-contacts]', form);
const rowTemplate = $('[data-contact-template]');
const keys = new IdempotencyKeys();
let current = { client: null, onSaved: () => {} };

function addContact(c = {}) {
  const li = rowTemplate.content.firstElementChild.cloneNode(true);
  if (c.id) li.dataset.id = c.id;
  const get = (k) => $(`[data-k="${k}"]`, li);
  get('name').value = c.name || '';
  get('email').value = c.email || '';
  get('phone').value = c.phone || '';
  get('primary').checked = Boolean(c.primary);
  get('billing').checked = Boolean(c.billing);
  $('[data-remove-contact]', li).addEventListener('click', () => {
    li.remove();
    renumber();
  });
  list.append(li);
  renumber();
  return li;
}

function renumber() {
  const rows = $$('.contact-row', list);
  rows.forEach((li, i) => {
    li.setAttribute('aria-label', `Contact ${i + 1}`);
    $('[data-remove-contact]', li).setAttribute('aria-label', `Remove contact ${i + 1}`);
  });
  if (rows.length && !rows.some((li) => $('[data-k="primary"]', li).checked)) {
    $('[data-k="primary"]', rows[0]).checked = true;
  }
  if (rows.length && !rows.some((li) => $('[data-k="billing"]', li).checked)) {
    const primary = rows.find((li) => $('[data-k="primary"]', li).checked) || rows[0];
    $('[data-k="billing"]', primary).checked = true;
  }
}

function showPlanManager() {
  $('[data-plan-manager]', form).hidden = form.elements.namedItem('fundingType').value !== 'plan_managed';
}

// collect reads the form into the API's client body. Blank contact rows are
// left out, and each kept row is labelled with its index in the body so an
// error such as "contacts[1].email" lands next to the right input.
function collect() {
  const contacts = [];
  let billing = -1; // index in contacts of the row marked "Gets invoices"
  for (const li of $$('.contact-row', list)) {
    const get = (k) => $(`[data-k="${k}"]`, li);
    const c = { name: get('name').value.trim() };
    const email = get('email').value.trim();
    const phone = get('phone').value.replace(/[\s()-]/g, '');
    for (const k of ['name', 'email', 'phone']) get(k).dataset.field = '';
    if (!c.name && !email && !phone && !li.dataset.id) continue;
    const i = contacts.length;
    for (const k of ['name', 'email', 'phone']) get(k).dataset.field = `contacts[${i}].${k}`;
    li.dataset.field = `contacts[${i}]`;
    if (li.dataset.id) c.id = li.dataset.id;
    if (email) c.email = email;
    if (phone) c.phone = phone;
    c.primary = get('primary').checked;
    if (get('billing').checked) billing = i;
    contacts.push(c);
  }
  const terms = val(form, 'paymentTermsDays');
  const tax = val(form, 'taxRate').replace(/%$/, '').trim();
  const type = form.elements.namedItem('fundingType').value;
  const funding = { type };
  const ndis = val(form, 'ndisNumber').replace(/\s/g, '');
  if (ndis) funding.ndisNumber = ndis;
  if (type === 'plan_managed') funding.planManager = { name: val(form, 'pmName'), email: val(form, 'pmEmail') };
  const body = {
    name: val(form, 'name'),
    contacts,
    paymentTermsDays: terms === '' ? null : Number.parseInt(terms, 10),
    taxRate: tax === '' ? null : tax,
    funding,
  };
  // The billing contact is sent only when it changes, so an edit that does
  // not touch it keeps it. A new contact has no id until saved: it is made
  // the billing contact by a second request (see save).
  const chosen = billing >= 0 ? contacts[billing] : null;
  let later = -1;
  const before = currentBillingId();
  if (chosen && chosen.id && chosen.id !== before) body.billingContactId = chosen.id;
  else if (chosen && !chosen.id && !(before === '' && chosen.primary)) later = billing;
  return { body, later };
}

// currentBillingId is the saved client's billing contact, "" for a new client.
function currentBillingId() {
  return current.client ? current.client.billingContactId || '' : '';
}

/**
 * Opens the dialog to add a client, or to edit one.
 * @param {{client?: object, onSaved: (client: object) => void}} opts
 */
export function openClientDialog({ client = null, onSaved }) {
  current = { client, onSaved };
  form.reset();
  clearErrors(form);
  list.replaceChildren();
  $('[data-client-dialog-title]', dialog).textContent = client ? `Edit ${client.name}` : 'Add client';
  $('[data-submit]', form).textContent = client ? 'Save changes' : 'Add client';
  if (client) {
    form.elements.namedItem('name').value = client.name;
    for (const c of client.contacts) addContact({ ...c, billing: c.id === client.billingContactId });
    form.elements.namedItem('paymentTermsDays').value = client.paymentTermsDays ?? '';
    form.elements.namedItem('taxRate').value = client.taxRate ?? '';
    const f = client.funding || {};
    form.elements.namedItem('fundingType').value = f.type || 'self_managed';
    form.elements.namedItem('ndisNumber').value = f.ndisNumber || '';
    form.elements.namedItem('pmName').value = (f.planManager && f.planManager.name) || '';
    form.elements.namedItem('pmEmail').value = (f.planManager && f.planManager.email) || '';
  }
  if (!list.children.length) addContact({ primary: true });
  showPlanManager();
  dialog.showModal();
  form.elements.namedItem('name').focus();
}

if (form) {
  $('[data-add-contact]', form).addEventListener('click', () => {
    $('[data-k="name"]', addContact()).focus();
  });
  $('[data-cancel]', form).addEventListener('click', () => dialog.close());
  form.elements.namedItem('fundingType').addEventListener('change', showPlanManager);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    const { body, later } = collect();
    if (!body.name) {
      showError(form, { field: 'name', message: 'Enter the client’s name.' });
      return;
    }
    busy($('[data-submit]', form), async () => {
      try {
        let saved = current.client
          ? await api('PATCH', `/v1/clients/${current.client.id}`, body)
          : await api('POST', '/v1/clients', body, { idempotencyKey: keys.for(body) });
        current.client = saved;
        if (later >= 0 && saved.contacts[later]) {
          saved = await api('PATCH', `/v1/clients/${saved.id}`, { billingContactId: saved.contacts[later].id });
        }
        dialog.close();
        current.onSaved(saved);
      } catch (err) {
        showError(form, err);
      }
    });
  });
}
