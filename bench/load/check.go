package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// checkReport is what the checks after a load run found.
type checkReport struct {
	Clients, Invoices, Payments int // acknowledged writes read back
	Ledgers                     int // ledgers verified
	Numbers, Receipts           int // invoice and receipt numbers checked, over all orgs
	Problems                    []string
}

func (c *checkReport) fail(format string, args ...any) {
	c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
}

func dec(v any) decimal.Decimal {
	d, err := decimal.NewFromString(fmt.Sprint(v))
	if err != nil {
		return decimal.NewFromInt(-1) // no amount reads as a wrong amount
	}
	return d
}

// check reads back every write the load run saw acknowledged and checks
// the data: each client, invoice and payment is there with the values the
// API answered; every client's ledger verifies; each org's invoice and
// receipt numbers run 1…n with no gap and none twice, and include every
// number handed out; and for each org the payments recorded equal what
// they allocated plus the credit they left, which equal the invoices'
// amounts paid plus the clients' credit.
func check(ctx context.Context, a *api, res *result) (*checkReport, error) {
	rep := &checkReport{}
	for _, w := range res.Unresolved {
		rep.fail("a write's outcome never became known: %s", w)
	}
	token := map[string]string{}
	for _, o := range res.Orgs {
		token[o.ID] = o.Token
	}
	get := func(org, path string) (map[string]any, error) {
		r, err := a.do(ctx, "GET", path, token[org], "", nil)
		if err != nil {
			return nil, err
		}
		if !r.ok() {
			return nil, fmt.Errorf("GET %s: %d %s", path, r.status, r.body)
		}
		return r.json(), nil
	}

	// Clients: there, named as written, owing and credit as the payments left them.
	owing, credit := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
	for _, inv := range res.Invoices {
		if inv.Number != "" {
			owing[inv.Client] = owing[inv.Client].Add(inv.Total.Sub(inv.Paid))
		}
	}
	for _, p := range res.Payments {
		credit[p.Client] = credit[p.Client].Add(p.Amount.Sub(p.Allocated))
	}
	for _, c := range res.Clients {
		m, err := get(c.Org, "/v1/clients/"+c.ID)
		if err != nil {
			rep.fail("client %s: %v", c.ID, err)
			continue
		}
		rep.Clients++
		bal, _ := m["balance"].(map[string]any)
		if m["name"] != c.Name {
			rep.fail("client %s: name %v, written %q", c.ID, m["name"], c.Name)
		}
		if !dec(bal["owing"]).Equal(owing[c.ID]) || !dec(bal["credit"]).Equal(credit[c.ID]) {
			rep.fail("client %s: owing %v credit %v, want %s and %s", c.ID, bal["owing"], bal["credit"], owing[c.ID], credit[c.ID])
		}
		r, err := a.do(ctx, "POST", "/v1/clients/"+c.ID+"/ledger/verify", token[c.Org], "", nil)
		if err != nil || !r.ok() {
			rep.fail("verify the ledger of %s: %d %s %v", c.ID, r.status, r.body, err)
			continue
		}
		v := r.json()
		if v["ok"] != true {
			rep.fail("ledger of %s does not verify: %s", c.ID, r.body)
		}
		rep.Ledgers++
	}

	// Invoices: number, total, amount paid and status as acknowledged.
	for _, inv := range res.Invoices {
		m, err := get(inv.Org, "/v1/invoices/"+inv.ID)
		if err != nil {
			rep.fail("invoice %s: %v", inv.ID, err)
			continue
		}
		rep.Invoices++
		want := "draft"
		if inv.Number != "" {
			want = "open"
			if inv.Paid.Equal(inv.Total) {
				want = "paid"
			}
			if m["number"] != inv.Number || !dec(m["total"]).Equal(inv.Total) {
				rep.fail("invoice %s: number %v total %v, acknowledged %s and %s", inv.ID, m["number"], m["total"], inv.Number, inv.Total)
			}
		}
		if m["status"] != want || !dec(m["amountPaid"]).Equal(inv.Paid) {
			rep.fail("invoice %s: %v with %v paid, want %s with %s", inv.ID, m["status"], m["amountPaid"], want, inv.Paid)
		}
	}

	// Payments: amount, receipt, allocation and credit as acknowledged;
	// allocated + credit = amount.
	for _, p := range res.Payments {
		m, err := get(p.Org, "/v1/payments/"+p.ID)
		if err != nil {
			rep.fail("payment %s: %v", p.ID, err)
			continue
		}
		rep.Payments++
		alloc := decimal.Zero
		allocs, _ := m["allocations"].([]any)
		for _, x := range allocs {
			al, _ := x.(map[string]any)
			alloc = alloc.Add(dec(al["amount"]))
		}
		got := dec(m["amount"])
		if !got.Equal(p.Amount) || m["receiptNumber"] != p.Receipt || !alloc.Equal(p.Allocated) || !dec(m["credit"]).Equal(p.Credit) {
			rep.fail("payment %s: %v %v allocated %s credit %v, acknowledged %s %s allocated %s credit %s",
				p.ID, m["amount"], m["receiptNumber"], alloc, m["credit"], p.Amount, p.Receipt, p.Allocated, p.Credit)
		}
		if !alloc.Add(dec(m["credit"])).Equal(got) {
			rep.fail("payment %s: allocated %s + credit %v ≠ amount %v", p.ID, alloc, m["credit"], m["amount"])
		}
	}

	// Per org: numbers gapless and unique, and money in = money placed.
	for _, o := range res.Orgs {
		invs, err := listAll(ctx, a, o.Token, "/v1/invoices")
		if err != nil {
			return nil, err
		}
		pays, err := listAll(ctx, a, o.Token, "/v1/payments")
		if err != nil {
			return nil, err
		}
		var numbers, receipts []string
		paid := decimal.Zero
		for _, m := range invs {
			if n, _ := m["number"].(string); n != "" {
				numbers = append(numbers, n)
			}
			paid = paid.Add(dec(m["amountPaid"]))
		}
		recorded, placed := decimal.Zero, decimal.Zero
		for _, m := range pays {
			receipts = append(receipts, fmt.Sprint(m["receiptNumber"]))
			recorded = recorded.Add(dec(m["amount"]))
			placed = placed.Add(dec(m["credit"]))
			allocs, _ := m["allocations"].([]any)
			for _, x := range allocs {
				al, _ := x.(map[string]any)
				placed = placed.Add(dec(al["amount"]))
			}
		}
		rep.Numbers += gapless(rep, o.Name+" invoice", numbers, handedOut(res.Invoices, o.ID))
		rep.Receipts += gapless(rep, o.Name+" receipt", receipts, receiptsOf(res.Payments, o.ID))
		ack, credits := decimal.Zero, decimal.Zero
		for _, p := range res.Payments {
			if p.Org == o.ID {
				ack = ack.Add(p.Amount)
				credits = credits.Add(p.Credit)
			}
		}
		if !recorded.Equal(ack) {
			rep.fail("%s: payments on record total %s, acknowledged %s", o.Name, recorded, ack)
		}
		if !placed.Equal(recorded) {
			rep.fail("%s: allocated + credit %s ≠ payments recorded %s", o.Name, placed, recorded)
		}
		if !paid.Add(credits).Equal(recorded) {
			rep.fail("%s: invoices' amount paid %s + credit %s ≠ payments recorded %s", o.Name, paid, credits, recorded)
		}
	}
	return rep, nil
}

func handedOut(invs []invoiceRec, org string) []string {
	var out []string
	for _, i := range invs {
		if i.Org == org && i.Number != "" {
			out = append(out, i.Number)
		}
	}
	return out
}

func receiptsOf(ps []paymentRec, org string) []string {
	var out []string
	for _, p := range ps {
		if p.Org == org {
			out = append(out, p.Receipt)
		}
	}
	return out
}

// gapless checks that numbers (PREFIX-00001 …) are 1…n, each once, and
// hold every acknowledged one; it answers n.
func gapless(rep *checkReport, what string, numbers, acknowledged []string) int {
	seen := map[int]string{}
	var prefix string
	for _, n := range numbers {
		i := strings.LastIndexAny(n, "-")
		v, err := strconv.Atoi(n[i+1:])
		if i < 0 || err != nil {
			rep.fail("%s number %q is not PREFIX-n", what, n)
			continue
		}
		if prefix == "" {
			prefix = n[:i+1]
		}
		if n[:i+1] != prefix {
			rep.fail("%s number %q has another prefix than %q", what, n, prefix)
		}
		if seen[v] != "" {
			rep.fail("%s number %d given twice (%s)", what, v, n)
		}
		seen[v] = n
	}
	keys := make([]int, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for i, k := range keys {
		if k != i+1 {
			rep.fail("%s numbers have a gap: %d follows %d", what, k, i)
			break
		}
	}
	have := map[string]bool{}
	for _, n := range numbers {
		have[n] = true
	}
	for _, n := range acknowledged {
		if !have[n] {
			rep.fail("%s number %s was acknowledged but is not on record", what, n)
		}
	}
	return len(numbers)
}

// listAll reads every page of a list route.
func listAll(ctx context.Context, a *api, token, path string) ([]map[string]any, error) {
	var out []map[string]any
	cursor := ""
	for {
		q := url.Values{"limit": {"200"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		r, err := a.do(ctx, "GET", path+"?"+q.Encode(), token, "", nil)
		if err != nil {
			return nil, err
		}
		if !r.ok() {
			return nil, fmt.Errorf("GET %s: %d %s", path, r.status, r.body)
		}
		var page struct {
			Data       []map[string]any `json:"data"`
			NextCursor string           `json:"nextCursor"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			return nil, fmt.Errorf("GET %s: %w", path, err)
		}
		out = append(out, page.Data...)
		if page.NextCursor == "" {
			return out, nil
		}
		cursor = page.NextCursor
	}
}
