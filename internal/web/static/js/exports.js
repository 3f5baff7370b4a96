// exports.js: the accounting export (GET /v1/invoices/export.csv?format=&from=&to=),
// downloaded straight from the API with the session cookie. The range
// defaults to this month in the org's time zone. Exports are admins'
// (auth's export permission): other members see why there is no Download.
import { query } from './api.js';
import { may } from './can.js';
import { $, $$ } from './dom.js';
import { period } from './format.js';
import { org } from './layout.js';
import { todayIn } from './work.js';

const form = $('[data-export-form]');
const link = $('[data-download]');

function update() {
  const format = $('[name=format]:checked', form).value;
  const from = form.elements.namedItem('from').value;
  const to = form.elements.namedItem('to').value;
  link.href = `/v1/invoices/export.csv${query({ format, from, to })}`;
  link.textContent = `Download ${format === 'xero' ? 'Xero' : 'QuickBooks'} CSV`;
  $('[data-export-hint]').textContent = from && to ? `Invoices issued ${period(from, to)}.` : 'Choose the dates the invoices were issued.';
}

for (const el of $$('input', form)) el.addEventListener('change', update);

may('export').then((ok) => { $('[data-export-admins]').hidden = ok; }, () => {});

(async () => {
  let zone = '';
  try {
    zone = (await org()).timezone || '';
  } catch {
    zone = '';
  }
  const today = todayIn(zone);
  form.elements.namedItem('from').value = `${today.slice(0, 8)}01`;
  form.elements.namedItem('to').value = today;
  update();
})();
