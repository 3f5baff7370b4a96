// settings.js edits the organisation (GET/PATCH /v1/org): names and tax id
// for invoices, currency, tax rate, terms, number prefix, time zone and
// branding.
import { api } from './api.js';
import { $, busy, clearErrors, h, showError, toast, val } from './dom.js';
import { currencyCodes } from './format.js';
import { org as loadOrg, setOrg } from './layout.js';

const form = $('[data-settings-form]');
const submit = $('[data-submit]', form);
const saveState = $('[data-save-state]');
const logo = $('[data-logo-preview]');

function options(select, values, current) {
  const all = values.includes(current) || !current ? values : [current, ...values];
  select.replaceChildren(...all.map((v) => h('option', { value: v }, v)));
  select.value = current;
}

function zones() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['Australia/Sydney', 'Australia/Melbourne', 'Australia/Brisbane', 'Australia/Adelaide', 'Australia/Perth', 'Australia/Hobart', 'Australia/Darwin', 'Pacific/Auckland', 'UTC'];
  }
}

function showLogo() {
  const url = val(form, 'logoUrl');
  logo.hidden = !url.startsWith('https://');
  if (!logo.hidden) $('[data-logo-img]', logo).src = url;
}

function fill(o) {
  const set = (name, value) => {
    form.elements.namedItem(name).value = value ?? '';
  };
  for (const k of ['name', 'legalName', 'taxIdLabel', 'taxId', 'email', 'phone', 'address', 'taxRate', 'paymentTermsDays', 'numberPrefix']) set(k, o[k]);
  options(form.elements.namedItem('currency'), currencyCodes(), o.currency);
  options(form.elements.namedItem('timezone'), zones(), o.timezone);
  set('colour', (o.branding.colour || '#1f6feb').toLowerCase());
  set('logoUrl', o.branding.logoUrl);
  showLogo();
}

function collect() {
  const terms = val(form, 'paymentTermsDays');
  return {
    name: val(form, 'name'),
    legalName: val(form, 'legalName'),
    taxIdLabel: val(form, 'taxIdLabel'),
    taxId: val(form, 'taxId').replace(/\s/g, ''),
    email: val(form, 'email'),
    phone: val(form, 'phone'),
    address: val(form, 'address'),
    currency: val(form, 'currency'),
    taxRate: val(form, 'taxRate').replace(/%$/, '').trim(),
    paymentTermsDays: terms === '' ? 0 : Number.parseInt(terms, 10),
    numberPrefix: val(form, 'numberPrefix'),
    timezone: val(form, 'timezone'),
    branding: { colour: val(form, 'colour').toUpperCase(), logoUrl: val(form, 'logoUrl') },
  };
}

form.addEventListener('input', () => {
  saveState.textContent = 'Unsaved changes';
});
form.elements.namedItem('logoUrl').addEventListener('change', showLogo);
form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(form);
  busy(submit, async () => {
    try {
      const o = await api('PATCH', '/v1/org', collect());
      setOrg(o);
      fill(o);
      saveState.textContent = 'All changes saved';
      toast('Settings saved.');
    } catch (err) {
      saveState.textContent = 'Not saved';
      showError(form, err);
    }
  });
});

loadOrg().then((o) => {
  fill(o);
  submit.disabled = false;
}, (err) => showError(form, err));
