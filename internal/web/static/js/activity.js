// activity.js renders a page of the append-only activity log with "more".
import { api, query } from './api.js';
import { $, h, showError } from './dom.js';
import { dateTime } from './format.js';

/**
 * Loads an activity list into the page's [data-activity] list.
 * @param {string} path e.g. "/v1/invoices/inv_…/activity"
 * @param {{linkInvoices?: boolean}} [opts]
 * @returns {() => Promise<void>} reload from the newest event
 */
export function activityList(path, opts = {}) {
  const list = $('[data-activity]');
  const empty = $('[data-activity-empty]');
  const more = $('[data-activity-more]');
  let cursor = '';

  function item(e) {
    const what = opts.linkInvoices && e.invoiceId
      ? h('a', { href: `/app/invoices/${e.invoiceId}` }, e.summary)
      : h('span', {}, e.summary);
    const meta = [h('time', { datetime: e.at }, dateTime(e.at))];
    if (e.actor) meta.push(' · ', e.actor);
    return h('li', {}, h('p', {}, what), e.detail && !e.summary.includes(e.detail) ? h('p', { class: 'activity-detail' }, e.detail) : null, h('p', { class: 'activity-meta' }, meta));
  }

  async function load(reset) {
    if (reset) cursor = '';
    try {
      const res = await api('GET', `${path}${query({ cursor, limit: 20 })}`);
      if (reset) list.replaceChildren();
      list.append(...res.data.map(item));
      cursor = res.nextCursor || '';
      more.hidden = !cursor;
      empty.hidden = list.children.length > 0;
      empty.textContent = 'Nothing has happened yet.';
    } catch (err) {
      empty.hidden = true;
      showError(document, err);
    }
  }

  more.addEventListener('click', () => load(false));
  load(true);
  return () => load(true);
}
