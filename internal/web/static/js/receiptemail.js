// receiptemail.js: "Email receipt" beside a payment's receipt. It asks
// the API to email the receipt, PDF attached, to the client's billing
// contact (POST /v1/payments/{id}/email-receipt); the notifier sends it.
// The API answers the delivery, whose recipient and status the note
// beside the button shows. A reversed payment's receipt is not emailed,
// so it gets no button.
import { api } from './api.js';
import { busy, h, showError, toast } from './dom.js';

/**
 * The "Email receipt" button and its status note for payment p.
 * @param {object} p the payment as the API returns it
 * @returns {Array<HTMLElement>} nothing for a reversed payment, or when
 *   its availableActions do not offer email_receipt (a viewer)
 */
export function emailReceiptControl(p) {
  if (p.reversed || !(p.availableActions || []).includes('email_receipt')) return [];
  const note = h('span', { class: 'subtle', 'data-receipt-email-status': p.id });
  const button = h('button', { type: 'button', class: 'btn btn-small', 'data-email-receipt': p.id }, 'Email receipt');
  button.addEventListener('click', () => busy(button, async () => {
    try {
      const d = await api('POST', `/v1/payments/${p.id}/email-receipt`, undefined, { idempotencyKey: crypto.randomUUID() });
      note.textContent = `Emailed to ${d.recipient} (${d.status})`;
      toast(`Receipt ${p.receiptNumber} is being emailed to ${d.recipient}.`);
    } catch (err) {
      showError(document, err);
    }
  }));
  return [button, note];
}
