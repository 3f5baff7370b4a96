// login.js: sign in (POST /auth/login sets the session cookie),
// then go back to the page that asked for it. An invited member's first
// sign-in with their temporary password answers 409
// new_password_required: the page then asks them to choose their own
// password and sends the same sign-in again with newPassword.
import { api } from './api.js';
import { $, busy, clearErrors, showError, val } from './dom.js';

const form = $('[data-login-form]');
const choose = $('[data-new-password]', form);
const submit = $('[data-submit]', form);

/** Where to go after signing in: only pages of this app, never elsewhere. */
function next() {
  const n = new URLSearchParams(location.search).get('next') || '';
  if (!n.startsWith('/app/') || n.startsWith('/app/login') || n.startsWith('/app/signup')) return '/app/dashboard';
  return n;
}

/** Shows the "Choose your password" step, the temporary password kept. */
function askNewPassword() {
  choose.hidden = false;
  submit.textContent = 'Set password and sign in';
  form.elements.namedItem('newPassword').focus();
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
  if (!choose.hidden) {
    body.newPassword = form.elements.namedItem('newPassword').value;
    if (!body.newPassword) {
      showError(form, { field: 'newPassword', message: 'Choose your own password.' });
      return;
    }
  }
  busy(submit, async () => {
    try {
      await api('POST', '/auth/login', body);
      location.assign(next());
    } catch (err) {
      if (err.code === 'new_password_required' && choose.hidden) {
        askNewPassword();
        return;
      }
      if (err.code === 'weak_password' && body.newPassword) {
        showError(form, { field: 'newPassword', message: err.message });
        return;
      }
      showError(form, err);
    }
  });
});

form.elements.namedItem('email').focus();
