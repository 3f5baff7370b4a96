package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
)

var moto *testenv.Moto

func TestMain(m *testing.M) { testenv.MainWithMoto(m, &moto) }

// api is the invoicing API over one provisioned stack, signed in as the
// admin of a fresh org.
type api struct {
	t     *testing.T
	url   string
	token string
	orgID string
}

func (a *api) do(status int, method, path string, body any) map[string]any {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		js, _ := json.Marshal(body)
		rd = bytes.NewReader(js)
	}
	req, _ := http.NewRequest(method, a.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		a.t.Fatalf("%s %s = %d %s, want %d", method, path, res.StatusCode, raw, status)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// oldData writes items as the code before the ledger and member records
// wrote them: clients with owing and credit but no ledger, invoices whose
// credited amount holds their credit notes and applied client credit
// together, payments and credit notes, and users in the pool with their
// org and group but no member record.
type oldData struct {
	t     *testing.T
	db    *dynamodb.Client
	table string
	org   string
	n     int
}

func (o *oldData) put(item map[string]any) {
	o.t.Helper()
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		o.t.Fatal(err)
	}
	if _, err := o.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &o.table, Item: av}); err != nil {
		o.t.Fatal(err)
	}
}

func (o *oldData) id(prefix string, at time.Time) string { return id.New(prefix, at) }

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s+"T02:00:00Z")
	if err != nil {
		panic(err)
	}
	return t
}

func (o *oldData) client(name, owing, credit string) string {
	cid := o.id("cli", day("2026-08-01"))
	o.put(map[string]any{
		"PK": "ORG#" + o.org, "SK": "CLIENT#" + cid, "GSI1PK": "ORG#" + o.org + "#CLIENTS", "GSI1SK": strings.ToLower(name) + "#" + cid,
		"type": "client", "id": cid, "orgId": o.org, "name": name, "search": strings.ToLower(name), "contacts": []any{},
		"fundingType": "self_managed", "owing": num(owing), "credit": num(credit), "version": 3,
		"createdAt": "2026-08-01T00:00:00Z", "updatedAt": "2026-11-01T00:00:00Z",
	})
	return cid
}

func num(s string) attributevalue.Number { return attributevalue.Number(s) }

// invoice writes a finalized invoice of one fixed line of total (tax 0):
// status open, paid or void, with paid and credited as the old code kept
// them.
func (o *oldData) invoice(cid, total, status, paid, credited, finalized, voided string) (string, string) {
	o.n++
	fin := day(finalized)
	iid := o.id("inv", fin)
	number := fmt.Sprintf("INV-%04d", o.n)
	balance := "0"
	if status == "open" {
		balance = fmt.Sprint(mustDec(total) - mustDec(paid) - mustDec(credited))
	}
	item := map[string]any{
		"PK": "ORG#" + o.org, "SK": "INV#" + iid, "GSI1PK": "ORG#" + o.org + "#CLIENT#" + cid + "#INV", "GSI1SK": iid,
		"GSI2PK": "ORG#" + o.org + "#STATUS#" + status, "GSI2SK": "2026-12-31#" + iid,
		"type": "invoice", "id": iid, "orgId": o.org, "clientId": cid, "clientName": "Legacy", "name": "Sessions " + number,
		"search": strings.ToLower(number), "number": number, "seq": o.n, "status": status, "currency": "AUD",
		"issueDate": finalized, "dueDate": "2026-12-31", "termsDays": 14,
		"lines": []any{map[string]any{"type": "fixed", "description": "Support coordination", "price": num(total), "taxRate": num("0")}},
		"total": num(total), "balance": num(balance), "paid": num(paid), "credited": num(credited), "locked": false,
		"version": 4, "createdAt": fin.Format(time.RFC3339), "updatedAt": fin.Format(time.RFC3339), "finalizedAt": fin.Format(time.RFC3339),
	}
	if voided != "" {
		item["voidedAt"], item["voidReason"] = day(voided).Format(time.RFC3339), "entered twice"
	}
	o.put(item)
	return iid, number
}

func mustDec(s string) int {
	var n int
	if _, err := fmt.Sscanf(strings.TrimSuffix(s, ".00"), "%d", &n); err != nil {
		panic(s)
	}
	return n
}

// payment writes a recorded payment, allocated as given, the rest credit.
func (o *oldData) payment(cid, amount, credit, at string, allocs map[string]string) string {
	o.n++
	t := day(at)
	pid := o.id("pay", t)
	var as []any
	keys := make([]string, 0, len(allocs))
	for k := range allocs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, inv := range keys {
		as = append(as, map[string]any{"invoiceId": inv, "amount": num(allocs[inv])})
	}
	o.put(map[string]any{
		"PK": "ORG#" + o.org, "SK": "PAY#" + pid, "GSI1PK": "ORG#" + o.org + "#CLIENT#" + cid + "#PAY", "GSI1SK": pid,
		"type": "payment", "id": pid, "orgId": o.org, "clientId": cid, "amount": num(amount), "currency": "AUD",
		"date": at, "method": "bank_transfer", "allocations": as, "credit": num(credit),
		"receiptNumber": fmt.Sprintf("RCT-%04d", o.n), "receiptSeq": o.n, "createdAt": t.Format(time.RFC3339),
	})
	return pid
}

// note writes a credit note against an invoice.
func (o *oldData) note(cid, invID, invNumber, amount, at string) {
	o.n++
	t := day(at)
	nid := o.id("crn", t)
	o.put(map[string]any{
		"PK": "ORG#" + o.org, "SK": "CRN#" + nid, "GSI1PK": "ORG#" + o.org + "#INV#" + invID + "#ACT#CRN", "GSI1SK": nid,
		"type": "credit", "id": nid, "orgId": o.org, "invoiceId": invID, "invoiceNumber": invNumber, "clientId": cid,
		"amount": num(amount), "currency": "AUD", "reason": "Session cancelled", "number": fmt.Sprintf("CN-%04d", o.n),
		"seq": o.n, "createdAt": t.Format(time.RFC3339),
	})
}

// failNth fails the nth TransactWriteItems call a config makes: the run
// stops there as a crash or a lost connection would stop it.
type failNth struct {
	mu   sync.Mutex
	n    int
	seen int
}

func (f *failNth) add(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("fail-nth", func(
		ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
	) (middleware.InitializeOutput, middleware.Metadata, error) {
		if middleware.GetOperationName(ctx) == "TransactWriteItems" {
			f.mu.Lock()
			f.seen++
			stop := f.seen == f.n
			f.mu.Unlock()
			if stop {
				return middleware.InitializeOutput{}, middleware.Metadata{}, errors.New("connection lost (test)")
			}
		}
		return next.HandleInitialize(ctx, in)
	}), middleware.After)
}

// snapshot is every item of the table, as comparable text.
func snapshot(t *testing.T, db *dynamodb.Client, table string) []string {
	t.Helper()
	var out []string
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: &table, ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(it, &m); err != nil {
				t.Fatal(err)
			}
			js, _ := json.Marshal(m)
			out = append(out, string(js))
		}
	}
	sort.Strings(out)
	return out
}

// TestBackfill writes data in the shape the code before the ledger and
// member records wrote, then runs the backfill: a first run stopped
// part-way (a transaction fails), a second that finishes, a third that
// changes nothing. Every old client's ledger then verifies with zero
// drift and holds the history in the order it happened, the credit the
// old void lost is back, and the users the old code made can use their
// org.
func TestBackfill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := teststack.New(t, moto)
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	st.BaseURL = "http://" + srv.Listener.Addr().String()
	env := st.Env(t, "InvoicingFunction")
	h, err := invoicingwire.New(ctx, env, st.AWSFor("InvoicingFunction"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	admin := &api{t: t, url: srv.URL}
	adminEmail := fmt.Sprintf("admin%d@example.com", time.Now().UnixNano())
	admin.do(201, "POST", "/auth/signup", map[string]any{"orgName": "Legacy Care", "email": adminEmail, "password": "Correct-Horse-9"})
	admin.token, _ = admin.do(200, "POST", "/auth/login", map[string]any{"email": adminEmail, "password": "Correct-Horse-9"})["token"].(string)
	admin.orgID, _ = admin.do(200, "GET", "/v1/org", nil)["id"].(string)

	db := dynamodb.NewFromConfig(st.AWS)
	table := env("TABLE_NAME")
	old := &oldData{t: t, db: db, table: table, org: admin.orgID}

	// Lee: 30.00 paid ahead; A (50.00) took that credit at finalization
	// and was paid off; B (100.00) has a 25.00 credit note and owes 75.00;
	// C (40.00) was paid by a 50.00 payment, leaving 10.00 credit, which D
	// (60.00) took, then D was voided, and the old code lost the 10.00.
	lee := old.client("Lee Legacy", "75.00", "0")
	old.payment(lee, "30.00", "30.00", "2026-09-01", nil)
	a, _ := old.invoice(lee, "50.00", "paid", "20.00", "30.00", "2026-09-10", "")
	old.payment(lee, "20.00", "0", "2026-09-20", map[string]string{a: "20.00"})
	b, bNo := old.invoice(lee, "100.00", "open", "0", "25.00", "2026-10-01", "")
	old.note(lee, b, bNo, "25.00", "2026-10-05")
	c, _ := old.invoice(lee, "40.00", "paid", "40.00", "0", "2026-10-10", "")
	old.payment(lee, "50.00", "10.00", "2026-10-12", map[string]string{c: "40.00"})
	old.invoice(lee, "60.00", "void", "0", "10.00", "2026-10-20", "2026-10-21")
	// Kim: F (100.00) was finalized with no credit; a 15.00 payment a day
	// later became credit and was then applied to F (apply-credit).
	kim := old.client("Kim Legacy", "85.00", "0")
	old.invoice(kim, "100.00", "open", "0", "15.00", "2026-11-01", "")
	old.payment(kim, "15.00", "15.00", "2026-11-02", nil)
	// Nia never had a document.
	nia := old.client("Nia Legacy", "0", "0")
	// A client made by today's code, with its own ledger, is not touched.
	fresh, _ := admin.do(201, "POST", "/v1/clients", map[string]any{"name": "Fresh Client"})["id"].(string)
	freshInv, _ := admin.do(201, "POST", "/v1/invoices", map[string]any{"clientId": fresh, "name": "Now", "lineItems": []any{map[string]any{"type": "fixed", "description": "Session", "amount": "10"}}})["id"].(string)
	admin.do(200, "POST", "/v1/invoices/"+freshInv+"/finalize", nil)

	// Users the old code made: an org attribute and a group, no member
	// record, so today they are refused.
	pool := env("USER_POOL_ID")
	cognitoAPI := cip.NewFromConfig(st.AWS)
	oldUser := func(email, group string) {
		_, err := cognitoAPI.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: &email, MessageAction: ciptypes.MessageActionTypeSuppress,
			UserAttributes: []ciptypes.AttributeType{
				{Name: aws.String("email"), Value: &email}, {Name: aws.String("email_verified"), Value: aws.String("true")},
				{Name: aws.String("custom:org"), Value: &admin.orgID},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cognitoAPI.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &pool, Username: &email, Password: aws.String("Correct-Horse-9"), Permanent: true}); err != nil {
			t.Fatal(err)
		}
		if group != "" {
			if _, err := cognitoAPI.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &pool, Username: &email, GroupName: &group}); err != nil {
				t.Fatal(err)
			}
		}
	}
	coordEmail := fmt.Sprintf("coord%d@example.com", time.Now().UnixNano())
	oldUser(coordEmail, "coordinator")
	oldUser(fmt.Sprintf("nogroup%d@example.com", time.Now().UnixNano()), "")
	coord := &api{t: t, url: srv.URL}
	coord.token, _ = coord.do(200, "POST", "/auth/login", map[string]any{"email": coordEmail, "password": "Correct-Horse-9"})["token"].(string)
	coord.do(401, "GET", "/v1/invoices", nil)

	backfillEnv := func(k string) string { return env(k) }
	// Run 1 stops at its fifth transaction, in chunks of 2 entries: Lee's
	// 12 entries take 6 transactions and the other old clients 3 in all,
	// so whatever order the scan finds them in, Lee's backfill is cut off
	// part-way.
	fail := &failNth{n: 5}
	broken := st.AWS.Copy()
	broken.APIOptions = append(broken.APIOptions, fail.add)
	var out bytes.Buffer
	if err := run(ctx, []string{"-chunk", "2"}, backfillEnv, broken, &out); err == nil {
		t.Fatalf("the interrupted run reported success:\n%s", out.String())
	}
	// Lee's kept credit was 0 (the old void lost 10.00): the report says
	// the documents' figure replaced it.
	if want := "balances corrected to what the documents say: " + admin.orgID + "/" + lee + ": owing 75 → 75, credit 0 → 10"; !strings.Contains(out.String(), want) {
		t.Errorf("the report lacks %q:\n%s", want, out.String())
	}
	partial, running := 0, 0
	for _, it := range snapshot(t, db, table) {
		if strings.Contains(it, `"type":"ledger"`) && strings.Contains(it, `"clientId":"`+lee+`"`) {
			partial++
		}
		if strings.Contains(it, `"backfill":"running"`) {
			running++
			if !strings.Contains(it, `"id":"`+lee+`"`) {
				t.Fatalf("a client other than Lee was left part-way: %s", it)
			}
		}
	}
	if running != 1 || partial < 2 || partial >= 12 || partial%2 != 0 {
		t.Fatalf("the interrupted run left %d of Lee's entries (running: %d), want some whole chunks", partial, running)
	}

	// Run 2 resumes and finishes.
	out.Reset()
	if err := run(ctx, []string{"-chunk", "2"}, backfillEnv, st.AWS, &out); err != nil {
		t.Fatalf("second run: %v\n%s", err, out.String())
	}
	report := out.String()
	// (The clients run 1 finished are not counted again.)
	for _, want := range []string{"ledgers written and verified: ", "member records written: 1 (already there: 1)", "needs attention: user"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}

	// Run 3 changes nothing at all.
	before := snapshot(t, db, table)
	out.Reset()
	if err := run(ctx, nil, backfillEnv, st.AWS, &out); err != nil {
		t.Fatalf("third run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "ledgers written and verified: 0 clients, 0 entries") || !strings.Contains(out.String(), "member records written: 0 (already there: 2)") {
		t.Errorf("third run did something:\n%s", out.String())
	}
	if after := snapshot(t, db, table); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Fatalf("the third run changed the table (%d items before, %d after)", len(before), len(after))
	}

	// Every client verifies with zero drift; balances are the documents'.
	for _, tc := range []struct {
		name, id, owing, credit string
		entries                 float64
	}{
		{"Lee", lee, "75.00", "10.00", 12}, {"Kim", kim, "85.00", "0.00", 3}, {"Nia", nia, "0.00", "0.00", 0}, {"Fresh", fresh, "11.00", "0.00", 1},
	} {
		v := admin.do(200, "POST", "/v1/clients/"+tc.id+"/ledger/verify", nil)
		if v["ok"] != true || v["entries"] != tc.entries {
			t.Errorf("%s: verify %v", tc.name, v)
		}
		bal, _ := admin.do(200, "GET", "/v1/clients/"+tc.id, nil)["balance"].(map[string]any)
		if got := fmt.Sprint(bal["owing"], " ", bal["credit"]); got != tc.owing+" "+tc.credit {
			t.Errorf("%s owes/holds %s, want %s %s", tc.name, got, tc.owing, tc.credit)
		}
	}

	// Lee's history, in the order it happened, with running balances.
	led := admin.do(200, "GET", "/v1/clients/"+lee+"/ledger?limit=50", nil)
	var got []string
	for _, e := range led["data"].([]any) {
		m := e.(map[string]any)
		got = append(got, fmt.Sprintf("%s %s %s %s", m["date"], m["kind"], m["amount"], m["balance"]))
	}
	want := []string{
		"2026-09-01 payment_received -30.00 -30.00",
		"2026-09-10 invoice_finalized 50.00 20.00",
		"2026-09-10 credit_applied 0.00 20.00",
		"2026-09-20 payment_received -20.00 0.00",
		"2026-10-01 invoice_finalized 100.00 100.00",
		"2026-10-05 credit_note -25.00 75.00",
		"2026-10-10 invoice_finalized 40.00 115.00",
		"2026-10-12 payment_received -50.00 65.00",
		"2026-10-20 invoice_finalized 60.00 125.00",
		"2026-10-20 credit_applied 0.00 125.00",
		"2026-10-21 credit_returned 0.00 125.00",
		"2026-10-21 invoice_voided -60.00 65.00",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Lee's ledger:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The coordinator the old code made can now work in the org.
	coord.do(200, "GET", "/v1/invoices", nil)
	users := admin.do(200, "GET", "/v1/users", nil)
	if !strings.Contains(fmt.Sprint(users), coordEmail) || !strings.Contains(fmt.Sprint(users), "coordinator") {
		t.Errorf("members after the backfill: %v", users)
	}
}
