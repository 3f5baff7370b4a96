// login.js: sign in (POST /auth/login sets the session cookie),
// then go back to the page that asked for it.
import { api } from './api.js';
import { $, busy, clearErrors, showError, val } from './dom.js';

const form = $('[data-login-form]');

/** Where to go after signing in: only pages of this app, never elsewhere. */
function next() {
  const n = new URLSearchParams(location.search).get('next') || '';
  if (!n.startsWith('/app/') || n.startsWith('/app/login') || n.startsWith('/app/signup')) return '/app/dashboard';
  return n;
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(form);
  const body = { email: val(form, 'email'), password: form.elements.namedItem('password').value };
  if (!body.email) {
    showError(form, { field: 'email', message: 'Enter your email address.' });
    return;
  }
  if (!body.password) {
    showError(form, { field: 'password', message: 'Enter your password.' });
    return;
  }
  busy(form.querySelector('[type=submit]'), async () => {
    try {
      await api('POST', '/auth/login', body);
      location.assign(next());
    } catch (err) {
      showError(form, err);
    }
  });
});

form.elements.namedItem('email').focus();
