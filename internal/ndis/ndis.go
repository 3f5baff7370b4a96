// Package ndis is NDIS support coordination work: tasks claimed in actual
// minutes against a support item, each participant's plan (dates, budget
// per support category, remoteness), the price limits as dated data, and
// the alerts that say why a task cannot be invoiced yet. It knows nothing
// of AWS or HTTP.
package ndis

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

// Expected outcomes callers act on.
var (
	ErrTaskNotFound = errors.New("task not found")
	ErrPlanNotFound = errors.New("the participant has no NDIS plan recorded")
	ErrConflict     = errors.New("changed by someone else; reload and try again")
	// ErrTaskInvoiced refuses changing or deleting a task an invoice
	// claimed: the invoice's line is the record now.
	ErrTaskInvoiced = errors.New("the task is on an invoice; it can no longer be changed or deleted (credit the invoice line instead)")
)

// Remoteness is the participant's location class under the NDIS Pricing
// Arrangements (Modified Monash Model 6 remote, 7 very remote).
type Remoteness string

// Remoteness classes.
const (
	National   Remoteness = "national"
	Remote     Remoteness = "remote"
	VeryRemote Remoteness = "very_remote"
)

func (r Remoteness) valid() bool { return r == National || r == Remote || r == VeryRemote }

// supportItemRE is a support catalogue number such as 07_002_0106_8_3.
var supportItemRE = regexp.MustCompile(`^\d{2}_\d{3}_\d{4}_\d_\d(_T)?$`)

// ValidSupportItem reports whether s is a support catalogue number.
func ValidSupportItem(s string) bool { return supportItemRE.MatchString(s) }

// Category is a support item's support category, its first two digits
// ("07" support coordination).
func Category(item string) string {
	if len(item) < 2 {
		return ""
	}
	return item[:2]
}

// PriceLimit is one support item's hourly price limit from a date on,
// national / remote / very remote. Limits change each July: they are
// data the org loads and updates, never constants.
type PriceLimit struct {
	SupportItem string
	From        calendar.Date
	National    decimal.Decimal
	Remote      decimal.Decimal
	VeryRemote  decimal.Decimal
}

// For is the limit for a remoteness.
func (p PriceLimit) For(r Remoteness) decimal.Decimal {
	switch r {
	case Remote:
		return p.Remote
	case VeryRemote:
		return p.VeryRemote
	}
	return p.National
}

// DefaultPriceLimits are the 2025–26 support coordination limits as
// providers quote them (national / remote / very remote), from 1 July
// 2025: what a new org starts from until it loads its own.
func DefaultPriceLimits() []PriceLimit {
	from := calendar.MustParse("2025-07-01")
	d := decimal.RequireFromString
	return []PriceLimit{
		{"07_001_0106_8_3", from, d("80.06"), d("112.08"), d("120.09")},
		{"07_002_0106_8_3", from, d("100.14"), d("140.19"), d("150.21")},
		{"07_004_0132_8_3", from, d("190.54"), d("266.75"), d("285.80")},
	}
}

// MaxPriceLimits bounds one org's price list.
const MaxPriceLimits = 2000

// ValidatePriceLimits checks a price list: valid items, positive limits
// with at most two decimals, no item listed twice for one date.
func ValidatePriceLimits(ls []PriceLimit) error {
	if len(ls) > MaxPriceLimits {
		return validation.Errorf("items", "at most %d price limits", MaxPriceLimits)
	}
	seen := map[string]bool{}
	for i, l := range ls {
		f := fmt.Sprintf("items[%d]", i)
		if !ValidSupportItem(l.SupportItem) {
			return validation.Errorf(f+".supportItem", "must be a support catalogue number such as 07_002_0106_8_3")
		}
		if l.From.IsZero() {
			return validation.Errorf(f+".from", "is required (YYYY-MM-DD)")
		}
		for name, v := range map[string]decimal.Decimal{"national": l.National, "remote": l.Remote, "veryRemote": l.VeryRemote} {
			if !v.IsPositive() || !v.Equal(v.Truncate(2)) || v.GreaterThan(decimal.NewFromInt(10_000)) {
				return validation.Errorf(f+"."+name, "must be a price above 0 with at most 2 decimals")
			}
		}
		k := l.SupportItem + "@" + l.From.String()
		if seen[k] {
			return validation.Errorf(f, "%s from %s is listed twice", l.SupportItem, l.From)
		}
		seen[k] = true
	}
	return nil
}

// LimitOn is the limit in force for item on day: the one with the latest
// From not after day.
func LimitOn(ls []PriceLimit, item string, day calendar.Date) (PriceLimit, bool) {
	var best PriceLimit
	found := false
	for _, l := range ls {
		if l.SupportItem == item && !day.Before(l.From) && (!found || l.From.After(best.From)) {
			best, found = l, true
		}
	}
	return best, found
}

// Plan is a participant's NDIS plan: its dates, funding per support
// category, and the participant's remoteness.
type Plan struct {
	ClientID   string
	Start, End calendar.Date
	Remoteness Remoteness
	Budgets    map[string]decimal.Decimal // support category ("07") → funding
	Version    int64
	UpdatedAt  time.Time
}

// Validate checks a plan.
func (p Plan) Validate() error {
	switch {
	case p.Start.IsZero() || p.End.IsZero():
		return validation.Errorf("start", "start and end are required (YYYY-MM-DD)")
	case p.End.Before(p.Start):
		return validation.Errorf("end", "is before start")
	case !p.Remoteness.valid():
		return validation.Errorf("remoteness", "must be national, remote or very_remote")
	case len(p.Budgets) > 20:
		return validation.Errorf("budgets", "at most 20 support categories")
	}
	for cat, amt := range p.Budgets {
		if len(cat) != 2 || cat[0] < '0' || cat[0] > '9' || cat[1] < '0' || cat[1] > '9' {
			return validation.Errorf("budgets", "%q is not a two-digit support category such as 07", cat)
		}
		if amt.IsNegative() || !amt.Equal(amt.Truncate(2)) || amt.GreaterThan(decimal.NewFromInt(10_000_000)) {
			return validation.Errorf("budgets."+cat, "must be an amount of at least 0 with at most 2 decimals")
		}
	}
	return nil
}

// ClaimType is how a task is claimed: "" is a direct service.
type ClaimType string

// Claim types and their NDIA bulk upload codes.
const (
	Direct         ClaimType = ""
	NonFaceToFace  ClaimType = "NF2F"
	ProviderTravel ClaimType = "TRAN"
	ReportWriting  ClaimType = "REPW"
	Cancellation   ClaimType = "CANC"
	Telehealth     ClaimType = "THLT"
	IrregularSIL   ClaimType = "IRSS"
	maxTaskMinutes           = 24 * 60
)

// claimTypes by API name.
var claimTypes = map[string]ClaimType{
	"direct": Direct, "non_face_to_face": NonFaceToFace, "travel": ProviderTravel,
	"report_writing": ReportWriting, "cancellation": Cancellation, "telehealth": Telehealth,
	"irregular_sil": IrregularSIL,
}

// ParseClaimType reads an API claim type name.
func ParseClaimType(s string) (ClaimType, error) {
	if s == "" {
		return Direct, nil
	}
	ct, ok := claimTypes[s]
	if !ok {
		return "", validation.Errorf("claimType", "must be direct, non_face_to_face, travel, report_writing, cancellation, telehealth or irregular_sil")
	}
	return ct, nil
}

// Name is the claim type's API name.
func (c ClaimType) Name() string {
	for k, v := range claimTypes {
		if v == c {
			return k
		}
	}
	return "direct"
}

// Task is one piece of support coordination work, claimed in its actual
// minutes (no rounding up) at an hourly rate.
type Task struct {
	ID                 string
	OrgID              string
	ClientID           string
	SupportItem        string
	Date               calendar.Date
	Minutes            int
	ClaimType          ClaimType
	CancellationReason string          // NSDH, NSDF, NSDT, NSDO with Cancellation
	Rate               decimal.Decimal // per hour; zero = not set (an alert)
	Notes              string
	// InvoiceID is the invoice that claimed the task (an invoice run sets
	// it in the same transaction that creates the invoice's draft); ""
	// while the task is uninvoiced. A task is claimed once.
	InvoiceID string
	Version   int64
	CreatedAt time.Time
}

// Validate checks a task. A missing rate or support item is not refused:
// the task is kept and its alert blocks invoicing until it is fixed.
func (t Task) Validate() error {
	switch {
	case t.ClientID == "":
		return validation.Errorf("clientId", "is required")
	case t.Date.IsZero():
		return validation.Errorf("date", "is required (YYYY-MM-DD)")
	case t.Minutes < 1 || t.Minutes > maxTaskMinutes:
		return validation.Errorf("durationMinutes", "must be between 1 and %d (or give start and end)", maxTaskMinutes)
	case t.SupportItem != "" && !ValidSupportItem(t.SupportItem):
		return validation.Errorf("supportItem", "must be a support catalogue number such as 07_002_0106_8_3")
	case t.Rate.IsNegative() || !t.Rate.Equal(t.Rate.Truncate(2)) || t.Rate.GreaterThan(decimal.NewFromInt(10_000)):
		return validation.Errorf("rate", "must be an hourly rate of at least 0 with at most 2 decimals")
	}
	if t.ClaimType == Cancellation {
		if !slices.Contains([]string{"NSDH", "NSDF", "NSDT", "NSDO"}, t.CancellationReason) {
			return validation.Errorf("cancellationReason", "a cancellation needs NSDH, NSDF, NSDT or NSDO")
		}
	} else if t.CancellationReason != "" {
		return validation.Errorf("cancellationReason", "is only for cancellation claims")
	}
	return validation.Text("notes", t.Notes, false, 2000)
}

// Amount is rate × actual minutes ÷ 60, rounded once to the cent.
func (t Task) Amount(cur money.Currency) decimal.Decimal {
	return cur.Round(t.Rate.Mul(decimal.NewFromInt(int64(t.Minutes))).Div(decimal.NewFromInt(60)))
}

// Alert is why a task cannot be invoiced yet.
type Alert struct {
	Code    string // stable: missing_rate, missing_support_item, missing_ndis_number, no_plan, outside_plan, no_price_limit, above_price_limit, budget_exceeded, claim_too_old
	Message string
}

// Context is what a task's alerts are judged against.
type Context struct {
	NDISNumber string
	Plan       *Plan // nil when none is recorded
	Limits     []PriceLimit
	Spent      decimal.Decimal // the category's tasks in the plan up to and including this one
	Today      calendar.Date
	Currency   money.Currency
}

// Alerts are the reasons t cannot be invoiced, empty when it can. Claims
// must be made within 2 years of delivery (NDIS Act s45A(5)); the rate
// must be at or under the price limit in force on the day for the
// participant's remoteness.
func Alerts(t Task, c Context) []Alert {
	var out []Alert
	add := func(code, format string, args ...any) {
		out = append(out, Alert{Code: code, Message: fmt.Sprintf(format, args...)})
	}
	if t.Rate.IsZero() {
		add("missing_rate", "set an hourly rate for this task")
	}
	if t.SupportItem == "" {
		add("missing_support_item", "choose the support item this task is claimed against")
	}
	if c.NDISNumber == "" {
		add("missing_ndis_number", "add the participant's NDIS number")
	}
	if c.Plan == nil {
		add("no_plan", "record the participant's NDIS plan (dates, budgets, remoteness)")
	} else if t.Date.Before(c.Plan.Start) || t.Date.After(c.Plan.End) {
		add("outside_plan", "%s is outside the plan (%s to %s)", t.Date, c.Plan.Start, c.Plan.End)
	}
	if t.SupportItem != "" && !t.Rate.IsZero() {
		rem := National
		if c.Plan != nil {
			rem = c.Plan.Remoteness
		}
		if l, ok := LimitOn(c.Limits, t.SupportItem, t.Date); !ok {
			add("no_price_limit", "no price limit is loaded for %s on %s; load the price guide", t.SupportItem, t.Date)
		} else if lim := l.For(rem); t.Rate.GreaterThan(lim) {
			add("above_price_limit", "rate %s is above the %s price limit of %s for %s", c.Currency.DisplayRate(t.Rate), rem, c.Currency.DisplayRate(lim), t.SupportItem)
		}
	}
	if c.Plan != nil && t.SupportItem != "" {
		cat := Category(t.SupportItem)
		if budget, ok := c.Plan.Budgets[cat]; !ok || c.Spent.GreaterThan(budget) {
			add("budget_exceeded", "category %s: %s claimed against a budget of %s", cat, c.Currency.String(c.Spent), c.Currency.String(budget))
		}
	}
	if !c.Today.IsZero() && t.Date.AddDays(730).Before(c.Today) {
		add("claim_too_old", "delivered %s: claims must be made within 2 years of the support", t.Date)
	}
	return out
}
