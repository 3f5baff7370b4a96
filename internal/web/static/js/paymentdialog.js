// paymentdialog.js is the "Record payment" dialog of the client and invoice
// pages: amount, date, method, reference, comments, and where the money
// goes (the oldest invoices first, or amounts on invoices chosen here).
// Before saving it shows what the API would do with the payment
// (POST /v1/payments?preview=true): each invoice settled and what is kept
// as credit. Nothing is added up here.
import { api, IdempotencyKeys, query } from './api.js';
import { $, $$, busy, clearErrors, debounce, h, showError } from './dom.js';
import { amountInput, date, money } from './format.js';

/**
 * Opens the page's payment dialog for a client.
 * @param {{client: object, invoice?: object}} opts invoice preselects that
 *   invoice with its balance.
 * @returns {Promise<object|null>} the recorded payment, or null if cancelled
 */
export function paymentDialog({ client, invoice = null }) {
  const dialog = $('[data-payment-dialog]');
  const form = $('[data-payment-form]', dialog);
  const list = $('[data-alloc-list]', form);
  const preview = $('[data-payment-preview]', form);
  const submit = $('[data-payment-submit]', form);
  const keys = new IdempotencyKeys();
  const field = (n) => form.elements.namedItem(n);
  const cur = client.balance.currency;
  let seq = 0;
  let recorded = null;

  form.reset();
  clearErrors(form);
  list.replaceChildren();
  $('[data-payment-client]', dialog).textContent = `From ${client.name}`;
  preview.replaceChildren(h('p', { class: 'subtle' }, 'Enter an amount to see where it goes.'));

  const chosen = () => form.elements.namedItem('allocation').value === 'chosen';

  function body() {
    const b = { clientId: client.id, amount: amountInput(field('amount').value), method: field('method').value };
    for (const k of ['date', 'reference', 'comments']) {
      const v = field(k).value.trim();
      if (v) b[k] = v;
    }
    if (chosen()) {
      b.allocations = [];
      for (const li of $$('[data-alloc]', list)) {
        const input = $('input', li);
        const v = amountInput(input.value);
        input.dataset.field = '';
        if (!v) continue;
        input.dataset.field = `allocations[${b.allocations.length}].amount`;
        li.dataset.field = `allocations[${b.allocations.length}]`;
        b.allocations.push({ invoiceId: li.dataset.alloc, amount: v });
      }
    }
    return b;
  }

  function render(p) {
    const rows = p.allocations.map((a) => h('li', {},
      `${money(a.amount, cur)} to `, h('a', { href: `/app/invoices/${a.invoiceId}` }, a.number || 'invoice')));
    const out = [rows.length ? h('ul', { class: 'plain', 'data-preview-allocations': '' }, rows) : h('p', {}, 'Settles no invoice.')];
    out.push(h('p', { class: 'strong', 'data-preview-credit': '' }, `Kept as client credit: ${money(p.credit, cur)}`));
    preview.replaceChildren(...out);
  }

  async function refresh() {
    const mine = ++seq;
    clearErrors(form);
    const b = body();
    // Wait while an amount is empty or still being typed ("1,000."); any
    // other amount goes to the API, which judges it and says what is wrong.
    const typing = (v) => v === '' || /^-?\d*[.]$/.test(v);
    if (typing(b.amount)) {
      preview.replaceChildren(h('p', { class: 'subtle' }, 'Enter an amount to see where it goes.'));
      return;
    }
    if ((b.allocations || []).some((a) => typing(a.amount))) return;
    try {
      const p = await api('POST', '/v1/payments?preview=true', b);
      if (mine === seq) render(p);
    } catch (err) {
      if (mine !== seq) return;
      preview.replaceChildren(h('p', { class: 'subtle', 'data-preview-problem': '' }, problem(err)));
      showError(form, err, { focus: false });
    }
  }

  // problem says, in the hint under the form, what the API found wrong
  // and with which field: "Check the amount: "12.345" has more than 2
  // decimal places."
  function problem(err) {
    const f = err.field || '';
    let msg = String(err.message || 'the payment was refused');
    if (f && msg.startsWith(`${f}: `)) msg = msg.slice(f.length + 2);
    const alloc = /^allocations\[(\d+)\]/.exec(f);
    let what = f ? `the ${f}` : 'the payment';
    if (f === 'amount') what = 'the amount';
    if (alloc) {
      const li = $(`[data-field="allocations[${alloc[1]}]"]`, list);
      const inv = li && $('span', li);
      what = `the amount for ${inv ? inv.textContent.split(' · ')[0] : 'that invoice'}`;
    }
    // "has more decimal places…" reads as "it has more decimal places…".
    if (/^(has|is|must|cannot|exceeds|needs)\b/.test(msg)) msg = `it ${msg}`;
    return `Check ${what}: ${msg.replace(/[.]?$/, '.')}`;
  }

  async function loadOpen() {
    try {
      const res = await api('GET', `/v1/invoices${query({ clientId: client.id, status: 'open', limit: 50 })}`);
      list.replaceChildren(...res.data.map((inv) => h('li', { class: 'alloc', 'data-alloc': inv.id, 'data-balance': inv.balance },
        h('label', { class: 'field' },
          h('span', {}, `${inv.number} · ${inv.name} · due ${date(inv.dueDate)} · owing ${money(inv.balance, inv.currency)}`),
          h('input', { inputmode: 'decimal', autocomplete: 'off', placeholder: '0.00', 'aria-label': `Amount for ${inv.number}` })))));
      if (!res.data.length) list.replaceChildren(h('li', { class: 'subtle' }, 'No open invoices: the whole payment becomes credit.'));
      if (invoice) {
        const li = $(`[data-alloc="${invoice.id}"]`, list);
        if (li) $('input', li).value = invoice.balance;
      }
    } catch (err) {
      showError(form, err, { focus: false });
    }
  }

  if (invoice) {
    field('amount').value = invoice.balance;
    $('[name=allocation][value=chosen]', form).checked = true;
  }
  list.hidden = !chosen();
  loadOpen().then(refresh);

  // A single allocation the person has not typed into follows the amount
  // (up to that invoice's balance): opened from an invoice with its whole
  // balance allocated, lowering the amount to $50 used to leave $120
  // allocated and the API refusing "more than the payment".
  const follow = () => {
    const filled = $$('[data-alloc]', list).filter((li) => $('input', li).value.trim() !== '');
    if (filled.length !== 1) return;
    const input = $('input', filled[0]);
    const amount = amountInput(field('amount').value);
    const want = cents(amount);
    const balance = cents(filled[0].dataset.balance);
    if (input.dataset.edited || want === null || balance === null) return;
    input.value = want > balance ? filled[0].dataset.balance : amount;
  };
  const later = debounce(refresh, 300);
  const onInput = (e) => {
    if (e.target.name === 'allocation') list.hidden = !chosen();
    if (e.type === 'input' && list.contains(e.target)) e.target.dataset.edited = 'yes';
    if (e.target === field('amount')) follow();
    later();
  };
  const onSubmit = (e) => {
    e.preventDefault();
    const b = body();
    busy(submit, async () => {
      clearErrors(form);
      try {
        recorded = await api('POST', '/v1/payments', b, { idempotencyKey: keys.for(b) });
        dialog.close();
      } catch (err) {
        showError(form, err);
      }
    });
  };
  const cancel = $('[data-cancel]', form);
  const onCancel = () => dialog.close();
  form.addEventListener('input', onInput);
  form.addEventListener('change', onInput);
  form.addEventListener('submit', onSubmit);
  cancel.addEventListener('click', onCancel);
  dialog.showModal();
  field('amount').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      seq++;
      form.removeEventListener('input', onInput);
      form.removeEventListener('change', onInput);
      form.removeEventListener('submit', onSubmit);
      cancel.removeEventListener('click', onCancel);
      resolve(recorded);
    }, { once: true });
  });
}

// cents reads a plain amount ("50", "120.5", "120.50") as whole cents, a
// BigInt (never a float); null for anything else, such as one being typed.
function cents(s) {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(s || ''));
  return m ? BigInt(m[1]) * 100n + BigInt((m[2] || '').padEnd(2, '0')) : null;
}

const methodLabels = { bank_transfer: 'Bank transfer', cash: 'Cash', cheque: 'Cheque', card: 'Card', other: 'Other' };

/** "Bank transfer", "Card". */
export function methodLabel(m) {
  return methodLabels[m] || m;
}
