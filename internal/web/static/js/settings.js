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
  fillCycles(o);
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
    // A cleared field keeps the saved terms rather than becoming 0.
    ...(terms === '' ? {} : { paymentTermsDays: Number.parseInt(terms, 10) }),
    numberPrefix: val(form, 'numberPrefix'),
    timezone: val(form, 'timezone'),
    branding: { colour: val(form, 'colour').toUpperCase(), logoUrl: val(form, 'logoUrl') },
    ...collectCycles(),
  };
}

// The billing cycle, locking, re-issue and reminder settings.
function showCycleFields() {
  const monthly = val(form, 'cycleFrequency') === 'monthly';
  $('[data-cycle-monthly]', form).hidden = !monthly;
  $('[data-cycle-weekly]', form).hidden = monthly;
}

function fillCycles(o) {
  const el = (n) => form.elements.namedItem(n);
  const bc = o.billingCycle || { frequency: 'monthly', dayOfMonth: 1, graceDays: 0 };
  el('cycleFrequency').value = bc.frequency;
  el('cycleDay').value = bc.dayOfMonth || 1;
  el('cycleWeekday').value = bc.weekday || 'monday';
  el('cycleGrace').value = bc.graceDays || 0;
  el('lockingPolicy').value = o.lockingPolicy || 'manual';
  el('sendStatementsAtClose').value = o.sendStatementsAtClose || 'off';
  el('reissueSameNumber').checked = !!o.reissueSameNumber;
  const r = o.reminders || { enabled: false, steps: [], hours: { from: 9, to: 17 } };
  el('remindersEnabled').checked = r.enabled;
  el('reminderDays').value = r.steps.map((s) => s.days).join(', ');
  const chans = new Set(r.steps.flatMap((s) => s.channels));
  el('remindEmail').checked = chans.size === 0 || chans.has('email');
  el('remindSms').checked = chans.has('sms');
  el('remindFrom').value = r.hours.from;
  el('remindTo').value = r.hours.to;
  showCycleFields();
}

function collectCycles() {
  const int = (n, dflt) => {
    const v = val(form, n);
    return v === '' ? dflt : Number.parseInt(v, 10);
  };
  const freq = val(form, 'cycleFrequency');
  const billingCycle = { frequency: freq, graceDays: int('cycleGrace', 0) };
  if (freq === 'monthly') billingCycle.dayOfMonth = int('cycleDay', 1);
  else billingCycle.weekday = val(form, 'cycleWeekday');
  const channels = [];
  if (form.elements.namedItem('remindEmail').checked) channels.push('email');
  if (form.elements.namedItem('remindSms').checked) channels.push('sms');
  // Day numbers as typed ("-3, 0, 7"); the API says which one is wrong.
  const tokens = val(form, 'reminderDays').split(/[,\s]+/).filter(Boolean).map((d) => d.replace('−', '-'));
  const bad = tokens.find((d) => !/^[+-]?\d+$/.test(d));
  if (bad !== undefined) throw Object.assign(new Error(`“${bad}” is not a number of days: use whole numbers such as -3, 0, 7`), { field: 'reminders.steps' });
  const steps = tokens.map((d) => ({ days: Number.parseInt(d, 10), channels }));
  return {
    billingCycle,
    lockingPolicy: val(form, 'lockingPolicy'),
    sendStatementsAtClose: val(form, 'sendStatementsAtClose'),
    reissueSameNumber: form.elements.namedItem('reissueSameNumber').checked,
    reminders: { enabled: form.elements.namedItem('remindersEnabled').checked, steps, hours: { from: int('remindFrom', 9), to: int('remindTo', 17) } },
  };
}

form.elements.namedItem('cycleFrequency').addEventListener('change', showCycleFields);

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
