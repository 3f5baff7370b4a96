// senddialog.js is the "Send invoice" dialog of the invoice page and the
// builder: channels (email, text message), the email's recipient, reply-to,
// subject and message, and a preview of what goes out. Recipients and
// wording come from the API (POST …/send-preview), never worked out here:
// the plan manager of a plan-managed client, nothing for NDIA-managed.
import { api, IdempotencyKeys } from './api.js';
import { $, $$, busy, clearErrors, debounce, h, showError } from './dom.js';

const channelNames = { email: 'Email', sms: 'Text message' };

/**
 * Opens the page's send dialog for an invoice.
 * @param {{invoiceId: string, resend?: boolean, channel?: string, to?: string}} opts
 *   channel preselects one channel alone (Resend beside a failed delivery);
 *   to prefills the email recipient.
 * @returns {Promise<object|null>} the send's answer (the invoice and its new
 *   deliveries), or null when the dialog was cancelled
 */
export function sendDialog(opts) {
  const dialog = $('[data-send-dialog]');
  const form = $('[data-send-form]', dialog);
  const preview = $('[data-send-preview]', dialog);
  const notes = $('[data-channel-notes]', dialog);
  const submit = $('[data-send-submit]', dialog);
  const keys = new IdempotencyKeys();
  const field = (name) => form.elements.namedItem(name);
  const checked = () => $$('[data-channel]', form).filter((el) => el.checked).map((el) => el.value);
  let seq = 0;
  let answer = null;

  form.reset();
  clearErrors(form);
  $('[data-send-title]', dialog).textContent = opts.resend ? 'Resend invoice' : 'Send invoice';
  submit.textContent = opts.resend ? 'Resend' : 'Send';
  $('[data-rotate-field]', dialog).hidden = !opts.resend;
  preview.replaceChildren(h('p', { class: 'subtle' }, 'Working out the message…'));
  notes.replaceChildren();

  function body() {
    const channels = checked();
    const b = { channels };
    if (channels.includes('email')) {
      const email = {};
      for (const k of ['to', 'replyTo', 'subject', 'body']) {
        const v = field(k).value.trim();
        if (v) email[k] = v;
      }
      if (Object.keys(email).length) b.email = email;
    }
    if (opts.resend && field('rotateLink').checked) b.rotateLink = true;
    return b;
  }

  function showEmailFields() {
    $('[data-email-fields]', dialog).hidden = !checked().includes('email');
  }

  function message(title, m) {
    const rows = [];
    if (m.to) rows.push(h('dt', {}, 'To'), h('dd', { 'data-preview-to': '' }, m.to));
    if (m.replyTo) rows.push(h('dt', {}, 'Reply-to'), h('dd', {}, m.replyTo));
    if (m.subject) rows.push(h('dt', {}, 'Subject'), h('dd', { 'data-preview-subject': '' }, m.subject));
    return h('div', { class: 'preview-message' }, h('h4', {}, title),
      rows.length ? h('dl', { class: 'preview-head' }, rows) : null,
      h('pre', { class: 'preview-text' }, m.text));
  }

  function render(pv) {
    notes.replaceChildren(...pv.channels.map((c) => c.error
      ? h('li', { class: 'channel-problem', 'data-channel-problem': c.channel }, `${channelNames[c.channel]}: ${c.error.message}`)
      : h('li', {}, `${channelNames[c.channel]} to ${c.recipient}`)));
    const parts = [];
    if (!pv.numbered) parts.push(h('p', { class: 'hint' }, 'Sending finalizes the draft: it gets the next number and can no longer be edited.'));
    if (pv.email && !pv.channels.find((c) => c.channel === 'email').error) parts.push(message('Email', pv.email));
    if (pv.sms && !pv.channels.find((c) => c.channel === 'sms').error) parts.push(message('Text message', pv.sms));
    if (parts.length === (pv.numbered ? 0 : 1)) parts.push(h('p', { class: 'subtle' }, 'Choose a channel that can reach this client.'));
    preview.replaceChildren(...parts);
    submit.disabled = pv.channels.length === 0 || pv.channels.some((c) => c.error);
  }

  async function refresh() {
    const mine = ++seq;
    clearErrors(form);
    const b = body();
    if (!b.channels.length) {
      notes.replaceChildren();
      preview.replaceChildren(h('p', { class: 'subtle' }, 'Choose email, text message, or both.'));
      submit.disabled = true;
      return;
    }
    try {
      const pv = await api('POST', `/v1/invoices/${opts.invoiceId}/send-preview`, { ...b, resend: Boolean(opts.resend) });
      if (mine === seq) render(pv);
    } catch (err) {
      if (mine !== seq) return;
      submit.disabled = true;
      showError(form, err, { focus: false });
    }
  }

  // Prefill from what the API would do with no choices made.
  async function prefill() {
    try {
      const pv = await api('POST', `/v1/invoices/${opts.invoiceId}/send-preview`, { channels: ['email', 'sms'], resend: Boolean(opts.resend) });
      const email = pv.channels.find((c) => c.channel === 'email');
      const sms = pv.channels.find((c) => c.channel === 'sms');
      if (opts.channel) {
        $(`[data-channel="${opts.channel}"]`, form).checked = true;
      } else {
        $('[data-channel="email"]', form).checked = !email.error || Boolean(sms.error);
        $('[data-channel="sms"]', form).checked = Boolean(email.error) && !sms.error;
      }
      field('to').value = opts.to || email.recipient || '';
      field('replyTo').value = pv.email.replyTo || '';
      if (pv.numbered) field('subject').value = pv.email.subject;
      else field('subject').placeholder = pv.email.subject;
    } catch (err) {
      showError(form, err, { focus: false });
    }
    showEmailFields();
    await refresh();
  }

  const later = debounce(refresh, 300);
  const onInput = (e) => {
    if (e.target.matches('[data-channel]')) showEmailFields();
    later();
  };
  form.addEventListener('input', onInput);
  form.addEventListener('change', onInput);

  const onSubmit = (e) => {
    e.preventDefault();
    const b = body();
    busy(submit, async () => {
      clearErrors(form);
      try {
        answer = await api('POST', `/v1/invoices/${opts.invoiceId}/${opts.resend ? 'resend' : 'send'}`, b, { idempotencyKey: keys.for(b) });
        dialog.close();
      } catch (err) {
        showError(form, err);
      }
    });
  };
  form.addEventListener('submit', onSubmit);
  const cancel = $('[data-cancel]', form);
  const onCancel = () => dialog.close();
  cancel.addEventListener('click', onCancel);

  dialog.showModal();
  prefill();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      seq++;
      form.removeEventListener('input', onInput);
      form.removeEventListener('change', onInput);
      form.removeEventListener('submit', onSubmit);
      cancel.removeEventListener('click', onCancel);
      resolve(answer);
    }, { once: true });
  });
}

/** "Email to zoe@example.com and text message to +61412345678". */
export function sentSummary(deliveries) {
  return deliveries.map((d) => `${channelNames[d.channel].toLowerCase()} to ${d.recipient}`).join(' and ');
}

export { channelNames };
