// can.js: what the signed-in member's role allows, for every page. It asks
// GET /v1/me once and writes the permissions (view, bill, void, unlock,
// refund, reverse, change_settings, export, manage_users) on <html
// data-may>; app.css hides every element marked data-needs="<permission>"
// until the member has it, so a control a role may not use is never shown
// (the API still answers 403). Per-record actions come from the record's
// own availableActions (invoices, payments), not from here.
import { api } from './api.js';

let mePromise = null;

/** The signed-in member (GET /v1/me), fetched once per page. */
export function me() {
  if (!mePromise) mePromise = api('GET', '/v1/me');
  return mePromise;
}

/** Resolves whether the member may take action (an auth action name). */
export async function may(action) {
  return (await me()).permissions.includes(action);
}

if (document.querySelector('[data-signout]')) {
  me().then((m) => { document.documentElement.dataset.may = m.permissions.join(' '); }, () => {});
}
