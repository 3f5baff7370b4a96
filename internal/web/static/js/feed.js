// feed.js: the organisation's whole activity log, newest first, searchable
// ("invoices", a client's name, a number); the search is kept in the URL.
import { activityList } from './activity.js';
import { $, debounce } from './dom.js';
import './layout.js';

const input = $('[data-activity-search]');
const params = new URLSearchParams(location.search);
input.value = params.get('q') || '';

const reload = activityList('/v1/activity', { linkInvoices: true, params: () => ({ q: input.value.trim() }) });

input.addEventListener('input', debounce(() => {
  const q = input.value.trim();
  history.replaceState(null, '', q ? `/app/activity?q=${encodeURIComponent(q)}` : '/app/activity');
  reload();
}, 300));
