package httpapi

import (
	"cmp"
	"net/http"
	"time"

	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/validation"
)

type brandingJSON struct {
	LogoURL string `json:"logoUrl,omitempty"`
	Colour  string `json:"colour,omitempty"`
}

// feePolicyJSON is who pays card processing fees: "absorb", or
// "pass_through" with percent ("1.75" = 1.75%) and fixed ("0.30") parts.
type feePolicyJSON struct {
	Mode    string `json:"mode"`
	Percent string `json:"percent,omitempty"`
	Fixed   string `json:"fixed,omitempty"`
}

type orgResponse struct {
	ID                 string           `json:"id"`
	Name               string           `json:"name"`
	LegalName          string           `json:"legalName"`
	TaxIDLabel         string           `json:"taxIdLabel,omitempty"`
	TaxID              string           `json:"taxId,omitempty"`
	Email              string           `json:"email,omitempty"`
	Phone              string           `json:"phone,omitempty"`
	Address            string           `json:"address,omitempty"`
	Currency           string           `json:"currency"`
	TaxRate            string           `json:"taxRate"`
	PaymentTermsDays   int              `json:"paymentTermsDays"`
	NumberPrefix       string           `json:"numberPrefix"`
	Branding           brandingJSON     `json:"branding"`
	Timezone           string           `json:"timezone"`
	LockingPolicy      string           `json:"lockingPolicy"`
	FeePolicy          feePolicyJSON    `json:"feePolicy"`
	StripeAccountID    string           `json:"stripeAccountId,omitempty"` // read-only: operators connect accounts
	BillingCycle       billingCycleJSON `json:"billingCycle"`              // the schedule new cycles follow
	Reminders          remindersJSON    `json:"reminders"`
	ReissueSame        bool             `json:"reissueSameNumber"`
	ClosedThrough      string           `json:"closedThrough,omitempty"` // read-only: last day of the last closed cycle
	BankAccount        *bankJSON        `json:"bankAccount,omitempty"`
	CreatedAt          time.Time        `json:"createdAt"`
	UpdatedAt          time.Time        `json:"updatedAt"`
	Accounting         accountingJSON   `json:"accounting"`
	AutoInvoice        autoInvoiceJSON  `json:"autoInvoice"`
	StandaloneInvoices bool             `json:"standaloneInvoices"`
	EmailCardReceipts  bool             `json:"emailCardReceipts"`
	// SendStatementsAtClose: off, email, or email_and_text: whether a
	// cycle's close sends each statement it writes to the client's
	// billing contact (PDF and pay-all link by email; the link by text).
	SendStatementsAtClose string `json:"sendStatementsAtClose"`
}

func orgJSON(o *org.Org) orgResponse {
	st := o.Settings
	return orgResponse{
		ID: o.ID, Name: st.Name, LegalName: st.LegalName, TaxIDLabel: st.TaxIDLabel, TaxID: st.TaxID,
		Email: st.Email, Phone: st.Phone, Address: st.Address, Currency: st.Currency.Code(),
		TaxRate: st.TaxRate.String(), PaymentTermsDays: st.PaymentTermsDays, NumberPrefix: st.NumberPrefix,
		Branding: brandingJSON{LogoURL: st.LogoURL, Colour: st.Colour}, Timezone: st.Timezone,
		LockingPolicy: string(st.LockingPolicy), FeePolicy: feePolicyOf(st), StripeAccountID: st.StripeAccountID,
		BankAccount: bankOf(st),
		CreatedAt:   o.CreatedAt, UpdatedAt: o.UpdatedAt,
		BillingCycle: billingCycleOf(o.Plan().Current()), Reminders: remindersOf(st.Reminders),
		ReissueSame: st.ReissueSameNumber, ClosedThrough: o.ClosedThrough.String(),
		Accounting: accountingOf(st.Accounting), AutoInvoice: autoInvoiceOf(st.AutoInvoice), StandaloneInvoices: !st.NoStandaloneInvoices, EmailCardReceipts: !st.NoCardReceipts,
		SendStatementsAtClose: string(cmp.Or(st.StatementsAtClose, org.StatementsKept)),
	}
}

func feePolicyOf(st org.Settings) feePolicyJSON {
	p := st.FeePolicy
	if p.Mode != org.FeePassThrough {
		return feePolicyJSON{Mode: string(org.FeeAbsorb)}
	}
	return feePolicyJSON{Mode: string(p.Mode), Percent: p.Percent.String(), Fixed: st.Currency.String(p.Fixed)}
}

type orgPatch struct {
	Name               opt[string]           `json:"name"`
	LegalName          opt[string]           `json:"legalName"`
	TaxIDLabel         opt[string]           `json:"taxIdLabel"`
	TaxID              opt[string]           `json:"taxId"`
	Email              opt[string]           `json:"email"`
	Phone              opt[string]           `json:"phone"`
	Address            opt[paragraph]        `json:"address"`
	Currency           opt[string]           `json:"currency"`
	TaxRate            opt[string]           `json:"taxRate"`
	PaymentTermsDays   opt[int]              `json:"paymentTermsDays"`
	NumberPrefix       opt[string]           `json:"numberPrefix"`
	Branding           opt[brandingPatch]    `json:"branding"`
	Timezone           opt[string]           `json:"timezone"`
	LockingPolicy      opt[string]           `json:"lockingPolicy"`
	FeePolicy          opt[feePolicyJSON]    `json:"feePolicy"`
	BillingCycle       opt[billingCycleJSON] `json:"billingCycle"`
	Reminders          opt[remindersJSON]    `json:"reminders"`
	ReissueSameNumber  opt[bool]             `json:"reissueSameNumber"`
	BankAccount        opt[bankJSON]         `json:"bankAccount"`
	Accounting         opt[accountingPatch]  `json:"accounting"`
	AutoInvoice        opt[autoInvoicePatch] `json:"autoInvoice"`
	StandaloneInvoices opt[bool]             `json:"standaloneInvoices"`
	EmailCardReceipts  opt[bool]             `json:"emailCardReceipts"`
	// SendStatementsAtClose: off, email or email_and_text; null is off.
	SendStatementsAtClose opt[string] `json:"sendStatementsAtClose"`
}

type brandingPatch struct {
	LogoURL opt[string] `json:"logoUrl"`
	Colour  opt[string] `json:"colour"`
}

func setStr(dst *string, o opt[string]) {
	if o.Set {
		*dst = o.V // null clears
	}
}

func setText(dst *string, o opt[paragraph]) {
	if o.Set {
		*dst = string(o.V) // null clears
	}
}

func (p orgPatch) apply(st *org.Settings) error {
	setStr(&st.Name, p.Name)
	setStr(&st.LegalName, p.LegalName)
	setStr(&st.TaxIDLabel, p.TaxIDLabel)
	setStr(&st.TaxID, p.TaxID)
	setStr(&st.Email, p.Email)
	setStr(&st.Phone, p.Phone)
	setText(&st.Address, p.Address)
	setStr(&st.NumberPrefix, p.NumberPrefix)
	setStr(&st.Timezone, p.Timezone)
	if p.LockingPolicy.Set {
		st.LockingPolicy = org.LockingPolicy(p.LockingPolicy.V)
	}
	if p.Currency.Set {
		c, err := parseCurrency("currency", p.Currency.V)
		if err != nil {
			return err
		}
		st.Currency = c
	}
	if p.TaxRate.Set {
		r, err := parseDec("taxRate", p.TaxRate.V, rateLimits)
		if err != nil {
			return err
		}
		st.TaxRate = r
	}
	if p.FeePolicy.Set {
		fp := org.FeePolicy{Mode: org.FeeMode(p.FeePolicy.V.Mode)}
		switch {
		case p.FeePolicy.Null:
			fp.Mode = org.FeeAbsorb
		case fp.Mode == "":
			return validation.Errorf("feePolicy.mode", "is required: absorb or pass_through")
		}
		var err error
		if fp.Percent, err = parseOptDec("feePolicy.percent", p.FeePolicy.V.Percent, rateLimits); err != nil {
			return err
		}
		if fp.Fixed, err = parseOptDec("feePolicy.fixed", p.FeePolicy.V.Fixed, amountLimits); err != nil {
			return err
		}
		st.FeePolicy = fp
	}
	applyBank(st, p.BankAccount)
	applyAccounting(p.Accounting, &st.Accounting)
	applyAutoInvoice(p.AutoInvoice, &st.AutoInvoice)
	if p.StandaloneInvoices.Set {
		st.NoStandaloneInvoices = p.StandaloneInvoices.Null || !p.StandaloneInvoices.V
	}
	if p.EmailCardReceipts.Set {
		st.NoCardReceipts = p.EmailCardReceipts.Null || !p.EmailCardReceipts.V
	}
	if p.SendStatementsAtClose.Set {
		st.StatementsAtClose = org.StatementsAtClose(p.SendStatementsAtClose.V) // null clears: off
	}
	if p.PaymentTermsDays.Set {
		if p.PaymentTermsDays.Null {
			return validation.Errorf("paymentTermsDays", "cannot be null: give a number of days, 0 for due on issue")
		}
		st.PaymentTermsDays = p.PaymentTermsDays.V
	}
	if p.Branding.Set {
		setStr(&st.LogoURL, p.Branding.V.LogoURL)
		setStr(&st.Colour, p.Branding.V.Colour)
	}
	return nil
}

func (s *server) getOrg(w http.ResponseWriter, r *http.Request) {
	o, err := s.billing.Org(r.Context(), principal(r.Context()))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orgJSON(o))
}

func (s *server) patchOrg(w http.ResponseWriter, r *http.Request) {
	var p orgPatch
	if err := decode(r, &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.billing.EditOrg(r.Context(), principal(r.Context()), func(o *org.Org, now time.Time) error {
		if err := p.apply(&o.Settings); err != nil {
			return err
		}
		return p.applyCycles(o, now)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orgJSON(o))
}
