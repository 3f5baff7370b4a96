package run

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/validation"
)

// MaxReconcileRows bounds one uploaded results or remittance file.
const MaxReconcileRows = 50_000

// Result is one line of the NDIA's results file: the outcome of one claim
// reference.
type Result struct {
	Ref        string
	Successful bool
	Code       string // rejection code (A01, C12 …): its own column, else found in the message
	Message    string // the NDIA's error message, as written
	Paid       decimal.Decimal
	Capped     bool
}

// Remittance is one paid line of the NDIA's payee payment remittance advice.
type Remittance struct {
	Ref         string // ProvClaimRef: our claim reference
	Claimed     decimal.Decimal
	Paid        decimal.Decimal
	DocDate     calendar.Date // PayReqDocDate, zero when absent
	BulkClaimID string        // BulkClmId: the uploaded file
}

// Fixes say in plain words what to do about each rejection code seen in
// provider guides.
var Fixes = map[string]string{
	"A01": "the payment request was rejected: check the participant, item and dates, then claim again",
	"C01": "no service booking for this support: create or extend the service booking",
	"C02": "the service booking has ended: extend it or claim within its dates",
	"C03": "the service booking's funds are used up: increase the booking",
	"C09": "the service booking does not cover this item: add the item to the booking",
	"C12": "the claim is missing its invoice number (claim reference)",
	"C13": "the claim is missing its unit of measure: give Quantity or Hours",
	"C14": "the NDIA has no bank account for the provider: add one in myplace",
	"C15": "the provider is not registered for this support item: check the registration groups",
	"C17": "the unit price is not valid for the delivery dates: check the price limit in force then",
	"C22": "the participant has no plan covering the dates: check the plan dates",
}

var codeRE = regexp.MustCompile(`\b([AC][0-9]{2})\b`)

// norm is a header reduced to lower-case letters and digits, so columns
// match by name whatever their spacing, case or punctuation.
func norm(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// column is one wanted column of an uploaded file: match tells a
// normalised header (see norm) that names it; accepts lists, for the
// error, the header names it takes.
type column struct {
	name     string
	match    func(string) bool
	accepts  string
	required bool
}

// columns finds each wanted column: every header goes to the first wanted
// column, in the order given, that is still free and accepts it (so a
// more specific column such as "error code" is listed before a looser one
// such as "error message"). A missing required column is a validation
// error naming the header names that column accepts.
func columns(header []string, want []column) (map[string]int, error) {
	idx := map[string]int{}
	for i, h := range header {
		n := norm(strings.TrimPrefix(h, "\ufeff"))
		for _, c := range want {
			if _, taken := idx[c.name]; !taken && c.match(n) {
				idx[c.name] = i
				break
			}
		}
	}
	for _, c := range want {
		if _, ok := idx[c.name]; c.required && !ok {
			return nil, validation.Errorf("file", "no %s column in the header row: accepted names are %s", c.name, c.accepts)
		}
	}
	return idx, nil
}

func has(subs ...string) func(string) bool {
	return func(n string) bool {
		for _, s := range subs {
			if strings.Contains(n, s) {
				return true
			}
		}
		return false
	}
}

// isCode accepts a rejection code header: Code, Error Code, Rejection
// Code, Reason Code, Result Code, Message Code.
func isCode(n string) bool {
	if n == "code" || n == "codes" {
		return true
	}
	return (strings.HasSuffix(n, "code") || strings.HasSuffix(n, "codes")) && has("error", "reject", "reason", "result", "message")(n)
}

// isMessage accepts an error message header: any naming a message or
// an error (Message, Error, Error Message, Error Description, Error
// Details …) but not a code, or one of Reason, Rejection Reason,
// Description, Details, Comments. Bulk-file columns echoed back
// (Cancellation Reason, Support Description) are not the message.
func isMessage(n string) bool {
	switch n {
	case "reason", "rejectionreason", "rejectreason", "description", "details", "comment", "comments", "rejection":
		return true
	}
	return has("message", "error")(n) && !isCode(n)
}

// readRows reads a CSV with a header row, at most MaxReconcileRows rows.
func readRows(r io.Reader, want []column) (map[string]int, [][]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, validation.Errorf("file", "is empty")
	}
	if err != nil {
		return nil, nil, validation.Errorf("file", "is not a CSV file: %v", err)
	}
	idx, err := columns(header, want)
	if err != nil {
		return nil, nil, err
	}
	var rows [][]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, validation.Errorf("file", "is not a CSV file: %v", err)
		}
		if len(rows) == MaxReconcileRows {
			return nil, nil, validation.Errorf("file", "has more than %d rows", MaxReconcileRows)
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		rows = append(rows, rec)
	}
	return idx, rows, nil
}

func cell(rec []string, idx map[string]int, name string) string {
	i, ok := idx[name]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func amount(s, field string, line int) (decimal.Decimal, error) {
	s = strings.NewReplacer("$", "", ",", "").Replace(s)
	if s == "" {
		return decimal.Zero, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil || d.IsNegative() || !d.Equal(d.Truncate(2)) {
		return decimal.Zero, validation.Errorf("file", "row %d: %s %q is not an amount", line, field, s)
	}
	return d, nil
}

// resultColumns are the results file's columns and the header names each
// accepts (compared ignoring case, spaces and punctuation).
var resultColumns = []column{
	{name: "claim reference", match: has("claimreference", "claimref"), required: true,
		accepts: "ClaimReference, Claim Reference, ClaimRef, ProvClaimRef"},
	{name: "status", match: has("status"), required: true,
		accepts: "Status, Payment Request Status, Claim Status"},
	{name: "error code", match: isCode,
		accepts: "Code, Error Code, Rejection Code, Reason Code, Result Code"},
	{name: "error message", match: isMessage,
		accepts: "Error, Error Message, Message, Error Description, Error Details, Reason, Rejection Reason, Description"},
	{name: "paid amount", match: has("paid", "totalamount"), accepts: "Paid Total Amount, Amount Paid, Paid"},
	{name: "capped price", match: has("capped"), accepts: "Capped Price Applied, Capped"},
}

// ParseResults reads the NDIA's results file, matching columns loosely by
// name (the headers vary between copies; see resultColumns): the claim
// reference, the payment request status (SUCCESSFUL or ERROR), the
// rejection code, the error message, the paid total amount and whether a
// capped price applied. Without a code column the code is the first A01 …
// C99 found in the message. A header without a claim reference or status
// column is a validation error naming the header names accepted.
func ParseResults(r io.Reader) ([]Result, error) {
	idx, rows, err := readRows(r, resultColumns)
	if err != nil {
		return nil, fmt.Errorf("results file: %w", err)
	}
	out := make([]Result, 0, len(rows))
	for i, rec := range rows {
		line := i + 2
		res := Result{Ref: cell(rec, idx, "claim reference"), Message: cell(rec, idx, "error message")}
		if res.Ref == "" {
			return nil, validation.Errorf("file", "row %d has no claim reference", line)
		}
		switch st := strings.ToUpper(cell(rec, idx, "status")); {
		case strings.HasPrefix(st, "SUCCESS"):
			res.Successful = true
		case strings.HasPrefix(st, "ERROR"), strings.HasPrefix(st, "REJECT"), strings.HasPrefix(st, "FAIL"):
		default:
			return nil, validation.Errorf("file", "row %d: status %q is neither SUCCESSFUL nor ERROR", line, st)
		}
		if res.Paid, err = amount(cell(rec, idx, "paid amount"), "paid amount", line); err != nil {
			return nil, err
		}
		switch strings.ToUpper(cell(rec, idx, "capped price")) {
		case "Y", "YES", "TRUE", "1":
			res.Capped = true
		}
		if c := strings.ToUpper(cell(rec, idx, "error code")); c != "" {
			res.Code = c
		} else if m := codeRE.FindStringSubmatch(res.Message); m != nil {
			res.Code = m[1]
		}
		out = append(out, res)
	}
	return out, nil
}

// ParseRemittance reads the NDIA's payee payment remittance advice (paid
// lines only), matching columns by header name: ProvClaimRef,
// AmountClaimed, AmountPaid, PayReqDocDate (DDMMYYYY or YYYYMMDD: the one
// that makes a real date) and BulkClmId.
func ParseRemittance(r io.Reader) ([]Remittance, error) {
	idx, rows, err := readRows(r, []column{
		{name: "ProvClaimRef", match: has("provclaimref", "claimreference"), required: true, accepts: "ProvClaimRef, Claim Reference"},
		{name: "AmountClaimed", match: has("amountclaimed"), accepts: "AmountClaimed"},
		{name: "AmountPaid", match: has("amountpaid"), required: true, accepts: "AmountPaid, Amount Paid"},
		{name: "PayReqDocDate", match: has("payreqdocdate"), accepts: "PayReqDocDate"},
		{name: "BulkClmId", match: has("bulkclmid", "bulkclaimid"), accepts: "BulkClmId, Bulk Claim Id"},
	})
	if err != nil {
		return nil, fmt.Errorf("remittance file: %w", err)
	}
	out := make([]Remittance, 0, len(rows))
	for i, rec := range rows {
		line := i + 2
		rm := Remittance{Ref: cell(rec, idx, "ProvClaimRef"), BulkClaimID: cell(rec, idx, "BulkClmId")}
		if rm.Ref == "" {
			return nil, validation.Errorf("file", "row %d has no ProvClaimRef", line)
		}
		if rm.Claimed, err = amount(cell(rec, idx, "AmountClaimed"), "AmountClaimed", line); err != nil {
			return nil, err
		}
		if rm.Paid, err = amount(cell(rec, idx, "AmountPaid"), "AmountPaid", line); err != nil {
			return nil, err
		}
		if d := cell(rec, idx, "PayReqDocDate"); d != "" {
			if rm.DocDate, err = docDate(d); err != nil {
				return nil, validation.Errorf("file", "row %d: PayReqDocDate %q is not DDMMYYYY or YYYYMMDD", line, d)
			}
		}
		out = append(out, rm)
	}
	return out, nil
}

// docDate reads PayReqDocDate, seen as both DDMMYYYY and YYYYMMDD.
func docDate(s string) (calendar.Date, error) {
	s = strings.NewReplacer("/", "", "-", "").Replace(s)
	if len(s) != 8 || !digitsRE.MatchString(s) {
		return calendar.Date{}, errors.New("not 8 digits")
	}
	if d, err := calendar.Parse(s[0:4] + "-" + s[4:6] + "-" + s[6:8]); err == nil && d.Year() >= 2000 {
		return d, nil
	}
	return calendar.Parse(s[4:8] + "-" + s[2:4] + "-" + s[0:2])
}

// LineState is where one claim line stands with the NDIA.
type LineState string

// Line states: the results file says accepted or rejected; the remittance
// says paid.
const (
	LineAccepted LineState = "accepted"
	LineRejected LineState = "rejected"
	LinePaid     LineState = "paid"
)

// Line is one claim line's outcome, kept per run: rejected lines are the
// run's fix list.
type Line struct {
	RunID     string
	Ref       string
	Root      string // the line's first claim reference (Ref, unless Ref re-claims it)
	ClientID  string
	Client    string // the participant's name
	InvoiceID string
	Number    string // the invoice number
	State     LineState
	Code      string // rejection code
	Message   string // the NDIA's words
	Fix       string // what to do, in plain words
	Claimed   decimal.Decimal
	Paid      decimal.Decimal
	Capped    bool
	Reclaim   *Reclaim // on a fix list: the line's re-claim, nil until queued
}
