// activity.js renders a page of the append-only activity log with "more".
import { api, query } from './api.js';
import { $, h, showError } from './dom.js';
import { dateTime } from './format.js';
import { org } from './layout.js';

/**
 * Loads an activity list into the page's [data-activity] list.
 * @param {string} path e.g. "/v1/invoices/inv_…/activity"
 * @param {{linkInvoices?: boolean, params?: () => object}} [opts] params adds
 *   query parameters (a search) read at each load
 * @returns {() => Promise<void>} reload from the newest event
 */
export function activityList(path, opts = {}) {
  const list = $('[data-activity]');
  const empty = $('[data-activity-empty]');
  const more = $('[data-activity-more]');
  let cursor = '';
  let seq = 0;
  let zone = '';

  function item(e) {
    const what = opts.linkInvoices && e.invoiceId
      ? h('a', { href: `/app/invoices/${e.invoiceId}` }, e.summary)
      : h('span', {}, e.summary);
    const meta = [h('time', { datetime: e.at }, dateTime(e.at, zone))];
    if (e.actor) meta.push(' · ', e.actor);
    if (opts.linkInvoices && e.clientId && e.clientName) meta.push(' · ', h('a', { href: `/app/clients/${e.clientId}` }, e.clientName));
    return h('li', {}, h('p', {}, what), e.detail && !e.summary.includes(e.detail) ? h('p', { class: 'activity-detail' }, e.detail) : null, h('p', { class: 'activity-meta' }, meta));
  }

  async function load(reset) {
    if (reset) cursor = '';
    const mine = ++seq;
    try {
      // Times read in the organisation's time zone, whoever looks.
      if (!zone) zone = await org().then((o) => o.timezone || '', () => '');
      const extra = opts.params ? opts.params() : {};
      const res = await api('GET', `${path}${query({ ...extra, cursor, limit: 20 })}`);
      if (mine !== seq) return;
      if (reset) list.replaceChildren();
      list.append(...res.data.map(item));
      cursor = res.nextCursor || '';
      more.hidden = !cursor;
      empty.hidden = list.children.length > 0;
      const q = opts.params ? opts.params().q : '';
      empty.textContent = q ? `Nothing matches “${q}”.` : 'Nothing has happened yet.';
    } catch (err) {
      empty.hidden = true;
      showError(document, err);
    }
  }

  more.addEventListener('click', () => load(false));
  load(true);
  return () => load(true);
}
