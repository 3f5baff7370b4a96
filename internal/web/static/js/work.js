// work.js: what the pages of billable work (sessions, tasks, cases) share:
// the client picker, client names for ids, and times in the org's zone.
import { api, query } from './api.js';
import { h } from './dom.js';

/** Fills a <select> with the org's clients (first 200 by name), keeping "" as the prompt. */
export async function fillClients(select, prompt = 'Choose a client') {
  const res = await api('GET', `/v1/clients${query({ limit: 200 })}`);
  select.replaceChildren(h('option', { value: '' }, prompt), ...res.data.map((c) => h('option', { value: c.id }, c.name)));
  return res.data;
}

/**
 * Whether a client is an NDIS participant: they have an NDIS number, or
 * their plan is plan- or NDIA-managed (the API requires a plan manager or
 * a number for those). A self-managed client with no number is private.
 */
export function isParticipant(c) {
  const f = c.funding || {};
  return Boolean(f.ndisNumber) || f.type === 'plan_managed' || f.type === 'ndia_managed';
}

/**
 * Fills a select with the org's NDIS participants (every page of GET
 * /v1/clients, the others left out); returns them.
 */
export async function fillParticipants(select, prompt = 'Choose a participant') {
  const found = [];
  let cursor = '';
  do {
    const res = await api('GET', `/v1/clients${query({ limit: 200, cursor })}`);
    found.push(...res.data.filter(isParticipant));
    cursor = res.nextCursor || '';
  } while (cursor);
  select.replaceChildren(h('option', { value: '' }, prompt), ...found.map((c) => h('option', { value: c.id }, c.name)));
  return found;
}

const names = new Map();

/** The names of the clients with these ids, fetched once each. */
export async function clientNames(ids) {
  await Promise.all([...new Set(ids)].filter((id) => !names.has(id)).map(async (id) => {
    names.set(id, await api('GET', `/v1/clients/${id}`).then((c) => c.name, () => id));
  }));
  return names;
}

function parts(date, zone) {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: zone || undefined, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const o = {};
  for (const p of f.formatToParts(date)) o[p.type] = p.value;
  return o;
}

/** Today's date (YYYY-MM-DD) in zone. */
export function todayIn(zone) {
  const p = parts(new Date(), zone);
  return `${p.year}-${p.month}-${p.day}`;
}

/**
 * The instant a wall-clock date and time ("2026-11-03", "09:30") names in
 * zone, as RFC 3339 UTC: the API takes any offset, and the org's zone (not
 * the viewer's) says what 9:30 means.
 */
export function zonedInstant(ymd, hm, zone) {
  const [y, mo, d] = ymd.split('-').map(Number);
  const [hh, mm] = hm.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, d, hh, mm);
  let t = wall;
  for (let i = 0; i < 2; i++) {
    const p = parts(new Date(t), zone);
    const seen = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
    t += wall - seen;
  }
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

/** "09:30" for an RFC 3339 time in zone. */
export function clock(ts, zone) {
  const p = parts(new Date(ts), zone);
  return `${p.hour}:${p.minute}`;
}

/** A YYYY-MM-DD date moved by n days. */
export function addDays(ymd, n) {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
