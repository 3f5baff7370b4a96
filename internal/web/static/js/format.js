// format.js writes the API's values for people. Amounts arrive as decimal
// strings ("2055.00") and are formatted by string manipulation only, with
// the prefix and minor units the server derived from money.Display (the
// page's data-currencies), so the screen, the PDF and the emails agree.
import { h } from './dom.js';

const currencies = (() => {
  try {
    return JSON.parse(document.documentElement.dataset.currencies || '{}');
  } catch {
    return {};
  }
})();

/** The currency codes the server described, for pickers. */
export function currencyCodes() {
  return Object.keys(currencies);
}

function group(int) {
  let out = '';
  for (let i = 0; i < int.length; i++) {
    if (i > 0 && (int.length - i) % 3 === 0) out += ',';
    out += int[i];
  }
  return out;
}

/**
 * Formats a decimal string in a currency: money("2055.00", "AUD") →
 * "$2,055.00". Shorter fractions are padded to the currency's minor units,
 * longer ones (a rate of "0.125") are kept: nothing is ever rounded here.
 */
export function money(amount, currency) {
  if (amount === null || amount === undefined || amount === '') return '—';
  let s = String(amount).trim();
  let sign = '';
  if (s.startsWith('-')) {
    sign = '-';
    s = s.slice(1);
  }
  const parts = s.split('.');
  const int = parts[0].replace(/^0+(?=\d)/, '') || '0';
  let frac = parts[1] || '';
  const f = currencies[currency];
  if (f && frac.length < f.minor) frac = frac.padEnd(f.minor, '0');
  const digits = frac ? `${group(int)}.${frac}` : group(int);
  if (/^[0,.]*$/.test(digits)) sign = '';
  return sign + (f ? f.prefix : `${currency} `) + digits;
}

/** Whether a decimal string is zero ("0", "0.00", "-0.00"). */
export function isZero(amount) {
  return /^-?0*(\.0*)?$/.test(String(amount || '0'));
}

/** "10" → "10%". */
export function percent(rate) {
  return rate === undefined || rate === null || rate === '' ? '' : `${rate}%`;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2026-11-01" → "1 Nov 2026"; the civil date is never shifted by a time zone. */
export function date(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || '');
  if (!m) return '';
  return `${Number(m[3])} ${months[Number(m[2]) - 1]} ${m[1]}`;
}

/** "1 Nov 2026 – 30 Nov 2026", or one end alone. */
export function period(start, end) {
  if (start && end) return start === end ? date(start) : `${date(start)} – ${date(end)}`;
  if (start) return `From ${date(start)}`;
  if (end) return `Until ${date(end)}`;
  return '';
}

const stamps = new Map();

function stamp(zone) {
  if (!stamps.has(zone)) {
    const opts = { day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit' };
    let f;
    try {
      f = new Intl.DateTimeFormat('en-AU', zone ? { ...opts, timeZone: zone } : opts);
    } catch {
      f = new Intl.DateTimeFormat('en-AU', opts); // an unknown zone: the viewer's
    }
    stamps.set(zone, f);
  }
  return stamps.get(zone);
}

/**
 * An RFC 3339 timestamp as a date and time in zone (an IANA name such as
 * the organisation's "Australia/Sydney"), or the viewer's zone when none.
 */
export function dateTime(ts, zone = '') {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? '' : stamp(zone).format(d);
}

const statusLabels = { draft: 'Draft', open: 'Open', overdue: 'Overdue', paid: 'Paid', void: 'Void' };

/** The status a person sees: open and past due is overdue. */
export function statusOf(inv) {
  return inv.status === 'open' && inv.overdue ? 'overdue' : inv.status;
}

/** A status chip for an invoice. */
export function chip(inv) {
  const s = statusOf(inv);
  return h('span', { class: `chip chip-${s}` }, statusLabels[s] || s);
}

const fundingLabels = {
  self_managed: 'Self-managed',
  plan_managed: 'Plan-managed',
  ndia_managed: 'NDIA-managed',
};

/** "Plan-managed · NDIS 430000001", or "" for a private client without an NDIS number. */
export function funding(f) {
  if (!f) return '';
  const parts = [];
  if (f.type && (f.type !== 'self_managed' || f.ndisNumber)) parts.push(fundingLabels[f.type] || f.type);
  if (f.ndisNumber) parts.push(`NDIS ${f.ndisNumber}`);
  return parts.join(' · ');
}

/** The contact invoices go to: the billing contact, else the primary. */
export function billingContact(client) {
  const cs = client.contacts || [];
  return cs.find((c) => c.id === client.billingContactId) || cs.find((c) => c.primary) || cs[0] || null;
}

/** "40 hours", "2.5 km", "3" for each. */
export function quantity(q, unit) {
  if (!q) return '';
  return unit && unit !== 'each' ? `${q} ${unit}` : q;
}

/**
 * An amount as typed ("$1,000.50", " 50 ") made into the API's decimal
 * string ("1000.50", "50"): the currency sign, thousands separators and
 * spaces are dropped, nothing else is touched, and the API judges the rest.
 */
export function amountInput(s) {
  return String(s || '').trim().replace(/^([-−]?)\s*(?:[A-Z]{1,3}\$|\$)?\s*/, '$1').replace(/[,\s]/g, '').replace('−', '-');
}

/**
 * A tax id as it is printed: an Australian Business Number in its standard
 * 11 222 333 444 grouping; anything else as given.
 */
export function taxId(label, id) {
  const digits = String(id || '').replace(/\s/g, '');
  if (label === 'ABN' && /^\d{11}$/.test(digits)) {
    return `${digits.slice(0, 2)} ${digits.slice(2, 5)} ${digits.slice(5, 8)} ${digits.slice(8)}`;
  }
  return id;
}

/** What an invoice is called in lists: its number, "Initial balance" (which has none), or "Draft". */
export function invoiceLabel(inv) {
  if (inv.number) return inv.number;
  return inv.kind === 'initial_balance' ? 'Initial balance' : 'Draft';
}
