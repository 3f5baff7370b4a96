// signup.js: create an organisation and its admin (POST /auth/signup), sign
// straight in, and open the dashboard.
import { api, IdempotencyKeys } from './api.js';
import { $, busy, clearErrors, showError, val } from './dom.js';

const form = $('[data-signup-form]');
const keys = new IdempotencyKeys();

form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(form);
  const body = { orgName: val(form, 'orgName'), email: val(form, 'email'), password: form.elements.namedItem('password').value };
  const missing = [['orgName', 'Enter your business name.'], ['email', 'Enter your email address.'], ['password', 'Choose a password.']]
    .find(([k]) => !body[k]);
  if (missing) {
    showError(form, { field: missing[0], message: missing[1] });
    return;
  }
  busy(form.querySelector('[type=submit]'), async () => {
    try {
      await api('POST', '/auth/signup', body, { idempotencyKey: keys.for(body) });
      await api('POST', '/auth/login', { email: body.email, password: body.password });
      location.assign('/app/dashboard');
    } catch (err) {
      showError(form, err);
    }
  });
});

form.elements.namedItem('orgName').focus();
