// undopayment.js: Reverse and Refund for a recorded payment, in one dialog
// (template "undo-payment-dialog"). Reverse takes the whole payment back as
// entered in error (POST /v1/payments/{id}/reverse {reason}); Refund gives
// part or all of it back to the client (POST /v1/payments/{id}/refund
// {amount, reason}). The API decides what is allowed and says why not
// (422 credit_spent, over_refund…); the dialog shows its words.
import { api, IdempotencyKeys } from './api.js';
import { $, busy, clearErrors, h, showError } from './dom.js';
import { amountInput, isZero, money } from './format.js';

const keys = new IdempotencyKeys();

/** Whether anything of payment p is still with the business to reverse or refund. */
export function undoable(p) {
  return !p.reversed && !isZero(p.left);
}

/**
 * Opens the dialog to reverse or refund payment p.
 * @param {object} p the payment as the API returns it
 * @param {'reverse'|'refund'} kind
 * @returns {Promise<object|null>} the payment after, or null if cancelled
 */
export function undoPayment(p, kind) {
  const dialog = $('[data-undo-dialog]');
  const form = $('[data-undo-form]', dialog);
  const refund = kind === 'refund';
  form.reset();
  clearErrors(form);
  $('[data-undo-title]', form).textContent = `${refund ? 'Refund' : 'Reverse'} receipt ${p.receiptNumber}`;
  $('[data-undo-body]', form).textContent = refund
    ? `Give money back to the client: up to ${money(p.left, p.currency)}, taken first from the credit it left, then from the invoices it paid (newest first).`
    : `Take back the whole ${money(p.amount, p.currency)} as entered in error: the invoices it paid are owing again and any credit it left is removed.`;
  $('[data-undo-amount]', form).hidden = !refund;
  if (refund) form.elements.namedItem('amount').value = p.left;
  $('[data-undo-submit]', form).textContent = refund ? 'Refund' : 'Reverse payment';
  dialog.showModal();
  form.elements.namedItem(refund ? 'amount' : 'reason').focus();
  return new Promise((resolve) => {
    let done = null;
    const cancel = $('[data-cancel]', form);
    const onCancel = () => dialog.close();
    const onSubmit = (e) => {
      e.preventDefault();
      clearErrors(form);
      const body = { reason: form.elements.namedItem('reason').value.trim() };
      if (refund) body.amount = amountInput(form.elements.namedItem('amount').value);
      busy($('[data-undo-submit]', form), async () => {
        try {
          done = await api('POST', `/v1/payments/${p.id}/${kind}`, body, { idempotencyKey: keys.for({ id: p.id, kind, ...body }) });
          dialog.close();
        } catch (err) {
          showError(form, err);
        }
      });
    };
    cancel.addEventListener('click', onCancel);
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('close', () => {
      cancel.removeEventListener('click', onCancel);
      form.removeEventListener('submit', onSubmit);
      resolve(done);
    }, { once: true });
  });
}

/**
 * The Reverse and Refund buttons for payment p (none once nothing is
 * left, each only if its availableActions offer it: admins'), and a note
 * of what was undone. onDone gets the payment after.
 */
export function undoControls(p, onDone) {
  const note = p.reversed
    ? h('span', { class: 'chip', 'data-payment-state': 'reversed' }, 'Reversed')
    : (!isZero(p.refunded) ? h('span', { class: 'chip', 'data-payment-state': 'refunded' }, `Refunded ${money(p.refunded, p.currency)}`) : null);
  if (!undoable(p)) return [note];
  const may = p.availableActions || [];
  const button = (kind, label) => h('button', {
    type: 'button', class: 'btn btn-small', [`data-${kind}-payment`]: p.id,
    onclick: async () => {
      const after = await undoPayment(p, kind);
      if (after) onDone(after, kind);
    },
  }, label);
  return [note, may.includes('refund') ? button('refund', 'Refund') : null, may.includes('reverse') ? button('reverse', 'Reverse') : null];
}
