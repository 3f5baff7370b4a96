// layout.js runs on every signed-in page: the organisation's name in the
// top bar and signing out.
import { api } from './api.js';
import { $, toast } from './dom.js';
import './can.js';

let orgPromise = null;

/** The signed-in organisation (GET /v1/org), fetched once per page. */
export function org() {
  if (!orgPromise) orgPromise = api('GET', '/v1/org');
  return orgPromise;
}

/** Puts a fresh copy of the organisation in place after a change. */
export function setOrg(o) {
  orgPromise = Promise.resolve(o);
  showOrgName(o);
}

function showOrgName(o) {
  const el = $('[data-org-name]');
  if (el) el.textContent = o.name;
}

if ($('[data-org-name]')) {
  org().then(showOrgName, () => {});
}

const signout = $('[data-signout]');
if (signout) {
  signout.addEventListener('click', async () => {
    try {
      await api('POST', '/auth/logout');
      location.assign('/app/login');
    } catch (err) {
      toast(err.message);
    }
  });
}
