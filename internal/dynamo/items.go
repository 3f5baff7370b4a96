package dynamo

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
)

// Decimals are stored as DynamoDB Numbers (exact to 38 digits), which lets
// balances change with ADD; never as float.
type num = attributevalue.Number

func toNum(d decimal.Decimal) num { return num(d.String()) }

func fromNum(field string, n num) (decimal.Decimal, error) {
	if n == "" {
		return decimal.Zero, nil
	}
	d, err := decimal.NewFromString(string(n))
	if err != nil {
		return decimal.Zero, fmt.Errorf("stored %s %q: %w", field, n, err)
	}
	return d, nil
}

func fromDate(s string) (calendar.Date, error) {
	if s == "" {
		return calendar.Date{}, nil
	}
	return calendar.Parse(s)
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func fromTS(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// ----- org

type orgItem struct {
	PK, SK string
	// GSI2PK/GSI2SK put the org in the scheduler's due index (see
	// cycleDuePK): when its next billing cycle is due to close.
	GSI2PK, GSI2SK string `dynamodbav:",omitempty"`
	// GSI1PK/GSI1SK put the org in the reminder index while its reminders
	// are on (see reminderOrgsPK); absent otherwise.
	GSI1PK, GSI1SK   string            `dynamodbav:",omitempty"`
	Type             string            `dynamodbav:"type"`
	ID               string            `dynamodbav:"id"`
	Name             string            `dynamodbav:"name"`
	LegalName        string            `dynamodbav:"legalName"`
	TaxIDLabel       string            `dynamodbav:"taxIdLabel,omitempty"`
	TaxID            string            `dynamodbav:"taxId,omitempty"`
	Email            string            `dynamodbav:"email,omitempty"`
	Phone            string            `dynamodbav:"phone,omitempty"`
	Address          string            `dynamodbav:"address,omitempty"`
	Currency         string            `dynamodbav:"currency"`
	TaxRate          num               `dynamodbav:"taxRate"`
	PaymentTermsDays int               `dynamodbav:"paymentTermsDays"`
	NumberPrefix     string            `dynamodbav:"numberPrefix"`
	LogoURL          string            `dynamodbav:"logoUrl,omitempty"`
	Colour           string            `dynamodbav:"colour,omitempty"`
	Timezone         string            `dynamodbav:"timezone"`
	LockingPolicy    string            `dynamodbav:"lockingPolicy"`
	FeeMode          string            `dynamodbav:"feeMode,omitempty"`
	FeePercent       num               `dynamodbav:"feePercent,omitempty"`
	FeeFixed         num               `dynamodbav:"feeFixed,omitempty"`
	StripeAccountID  string            `dynamodbav:"stripeAccountId,omitempty"`
	Cycles           []cycleChangeItem `dynamodbav:"cycles,omitempty"`
	Reminders        *remindersItem    `dynamodbav:"reminders,omitempty"`
	ReissueSame      bool              `dynamodbav:"reissueSameNumber,omitempty"`
	ClosedThrough    string            `dynamodbav:"closedThrough,omitempty"`
	BankName         string            `dynamodbav:"bankAccountName,omitempty"`
	BankBSB          string            `dynamodbav:"bankBsb,omitempty"`
	BankAccount      string            `dynamodbav:"bankAccountNumber,omitempty"`
	BankIBAN         string            `dynamodbav:"bankIban,omitempty"`
	Version          int64             `dynamodbav:"version"`
	CreatedAt        string            `dynamodbav:"createdAt"`
	UpdatedAt        string            `dynamodbav:"updatedAt"`
	Accounting       *accountingItem   `dynamodbav:"accounting,omitempty"`
	AutoInvoice      *autoInvoiceItem  `dynamodbav:"autoInvoice,omitempty"`
	NoStandalone     bool              `dynamodbav:"noStandaloneInvoices,omitempty"`
	NoCardReceipts   bool              `dynamodbav:"noCardReceipts,omitempty"`
	AtClose          string            `dynamodbav:"statementsAtClose,omitempty"`
}

func orgToItem(o *org.Org) orgItem {
	s := o.Settings
	it := orgItem{
		PK: orgPK(o.ID), SK: profileSK(), Type: "org", ID: o.ID,
		Name: s.Name, LegalName: s.LegalName, TaxIDLabel: s.TaxIDLabel, TaxID: s.TaxID,
		Email: s.Email, Phone: s.Phone, Address: s.Address, Currency: s.Currency.Code(),
		TaxRate: toNum(s.TaxRate), PaymentTermsDays: s.PaymentTermsDays, NumberPrefix: s.NumberPrefix,
		LogoURL: s.LogoURL, Colour: s.Colour, Timezone: s.Timezone, LockingPolicy: string(s.LockingPolicy),
		FeeMode: string(s.FeePolicy.Mode), FeePercent: toNum(s.FeePolicy.Percent), FeeFixed: toNum(s.FeePolicy.Fixed),
		StripeAccountID: s.StripeAccountID,
		Version:         o.Version, CreatedAt: ts(o.CreatedAt), UpdatedAt: ts(o.UpdatedAt),
		Cycles: cyclesToItems(s.Cycles), Reminders: remindersToItem(s.Reminders),
		ReissueSame: s.ReissueSameNumber, ClosedThrough: o.ClosedThrough.String(),
		BankName: s.Bank.AccountName, BankBSB: s.Bank.BSB, BankAccount: s.Bank.AccountNumber, BankIBAN: s.Bank.IBAN,
		Accounting: accountingToItem(s.Accounting), NoStandalone: s.NoStandaloneInvoices, NoCardReceipts: s.NoCardReceipts,
		AtClose:     string(s.StatementsAtClose),
		AutoInvoice: &autoInvoiceItem{Enabled: s.AutoInvoice.Enabled, Mode: string(s.AutoInvoice.Mode), Send: s.AutoInvoice.Send},
	}
	_, due := o.NextToClose()
	it.GSI2PK, it.GSI2SK = cycleDuePK(o.ID), cycleDueSK(due, o.ID)
	if s.Reminders.Enabled {
		it.GSI1PK, it.GSI1SK = reminderOrgsPK(o.ID), o.ID
	}
	return it
}

func (it orgItem) toOrg() (*org.Org, error) {
	cur, err := money.ParseCurrency(it.Currency)
	if err != nil {
		return nil, fmt.Errorf("org %s: %w", it.ID, err)
	}
	rate, err := fromNum("taxRate", it.TaxRate)
	if err != nil {
		return nil, err
	}
	fees := org.FeePolicy{Mode: org.FeeMode(it.FeeMode)}
	if fees.Mode == "" { // stored before fee policies existed
		fees.Mode = org.FeeAbsorb
	}
	if fees.Percent, err = fromNum("feePercent", it.FeePercent); err != nil {
		return nil, err
	}
	if fees.Fixed, err = fromNum("feeFixed", it.FeeFixed); err != nil {
		return nil, err
	}
	cycles, err := cyclesFromItems(it.Cycles)
	if err != nil {
		return nil, fmt.Errorf("org %s: %w", it.ID, err)
	}
	closed, err := fromDate(it.ClosedThrough)
	if err != nil {
		return nil, fmt.Errorf("org %s closedThrough: %w", it.ID, err)
	}
	return &org.Org{
		ID: it.ID, ClosedThrough: closed,
		Settings: org.Settings{
			Cycles: cycles, Reminders: it.Reminders.toSchedule(), ReissueSameNumber: it.ReissueSame,
			Name: it.Name, LegalName: it.LegalName, TaxIDLabel: it.TaxIDLabel, TaxID: it.TaxID,
			Email: it.Email, Phone: it.Phone, Address: it.Address, Currency: cur, TaxRate: rate,
			PaymentTermsDays: it.PaymentTermsDays, NumberPrefix: it.NumberPrefix, LogoURL: it.LogoURL,
			Colour: it.Colour, Timezone: it.Timezone, LockingPolicy: org.LockingPolicy(it.LockingPolicy),
			FeePolicy: fees, StripeAccountID: it.StripeAccountID,
			Bank:       org.BankAccount{AccountName: it.BankName, BSB: it.BankBSB, AccountNumber: it.BankAccount, IBAN: it.BankIBAN},
			Accounting: it.Accounting.toAccounting(), AutoInvoice: it.AutoInvoice.toAutoInvoice(), NoStandaloneInvoices: it.NoStandalone, NoCardReceipts: it.NoCardReceipts,
			StatementsAtClose: org.StatementsAtClose(it.AtClose),
		},
		Version: it.Version, CreatedAt: fromTS(it.CreatedAt), UpdatedAt: fromTS(it.UpdatedAt),
	}, nil
}

// ----- client

type contactItem struct {
	ID      string `dynamodbav:"id"`
	Name    string `dynamodbav:"name"`
	Email   string `dynamodbav:"email,omitempty"`
	Phone   string `dynamodbav:"phone,omitempty"`
	Primary bool   `dynamodbav:"primary"`
}

type planManagerItem struct {
	Name  string `dynamodbav:"name"`
	Email string `dynamodbav:"email"`
}

type clientItem struct {
	PK, SK           string
	GSI1PK, GSI1SK   string
	Type             string                 `dynamodbav:"type"`
	ID               string                 `dynamodbav:"id"`
	OrgID            string                 `dynamodbav:"orgId"`
	Name             string                 `dynamodbav:"name"`
	Search           string                 `dynamodbav:"search"`
	Contacts         []contactItem          `dynamodbav:"contacts"`
	BillingContactID string                 `dynamodbav:"billingContactId,omitempty"`
	PaymentTermsDays *int                   `dynamodbav:"paymentTermsDays,omitempty"`
	TaxRate          *num                   `dynamodbav:"taxRate,omitempty"`
	FundingType      string                 `dynamodbav:"fundingType"`
	NDISNumber       string                 `dynamodbav:"ndisNumber,omitempty"`
	PlanManager      *planManagerItem       `dynamodbav:"planManager,omitempty"`
	NoReminders      bool                   `dynamodbav:"noReminders,omitempty"`
	Reopened         []string               `dynamodbav:"reopened,omitempty,stringset"`
	Owing            num                    `dynamodbav:"owing"`
	Credit           num                    `dynamodbav:"credit"`
	Currency         string                 `dynamodbav:"currency,omitempty"`
	LedgerSeq        int64                  `dynamodbav:"ledgerSeq,omitempty"`
	LedgerDate       string                 `dynamodbav:"ledgerDate,omitempty"`
	Balances         map[string]balanceItem `dynamodbav:"balances,omitempty"`
	Version          int64                  `dynamodbav:"version"`
	CreatedAt        string                 `dynamodbav:"createdAt"`
	UpdatedAt        string                 `dynamodbav:"updatedAt"`
}

// balanceItem is a client's owing and credit in one currency, the
// materialized sum of its ledger entries in that currency.
type balanceItem struct {
	Owing  num `dynamodbav:"owing"`
	Credit num `dynamodbav:"credit"`
}

// clientProfileAttrs are the attributes a profile edit may SET; balances
// and the ledger sequence are only ever written by posting entries.
var clientProfileAttrs = []string{
	"GSI1SK", "name", "search", "contacts", "billingContactId", "paymentTermsDays",
	"taxRate", "fundingType", "ndisNumber", "planManager", "currency", "noReminders", "updatedAt",
}

func clientToItem(c *client.Client) clientItem {
	p := c.Profile
	it := clientItem{
		PK: orgPK(c.OrgID), SK: clientSK(c.ID),
		GSI1PK: clientsByNamePK(c.OrgID), GSI1SK: searchText(p.Name) + "#" + c.ID,
		Type: "client", ID: c.ID, OrgID: c.OrgID, Name: p.Name,
		BillingContactID: p.BillingContactID, PaymentTermsDays: p.PaymentTermsDays,
		FundingType: string(p.Funding.Type), NDISNumber: p.Funding.NDISNumber, NoReminders: p.NoReminders,
		Owing: toNum(c.Balance.Owing), Credit: toNum(c.Balance.Credit), Currency: p.Currency.Code(),
		LedgerSeq: c.Account.Seq, LedgerDate: c.Account.Date.String(),
		Version: c.Version, CreatedAt: ts(c.CreatedAt), UpdatedAt: ts(c.UpdatedAt),
	}
	search := []string{p.Name, p.Funding.NDISNumber}
	it.Contacts = make([]contactItem, 0, len(p.Contacts))
	for _, ct := range p.Contacts {
		it.Contacts = append(it.Contacts, contactItem(ct))
		search = append(search, ct.Name, ct.Email)
	}
	if pm := p.Funding.PlanManager; pm != nil {
		search = append(search, pm.Name, pm.Email) // the portal finds a plan manager's clients by email
	}
	it.Search = searchText(search...)
	if p.TaxRate != nil {
		n := toNum(*p.TaxRate)
		it.TaxRate = &n
	}
	if pm := p.Funding.PlanManager; pm != nil {
		it.PlanManager = &planManagerItem{Name: pm.Name, Email: pm.Email}
	}
	return it
}

func (it clientItem) toClient() (*client.Client, error) {
	c := &client.Client{
		ID: it.ID, OrgID: it.OrgID, Version: it.Version, Reopened: it.Reopened,
		CreatedAt: fromTS(it.CreatedAt), UpdatedAt: fromTS(it.UpdatedAt),
		Profile: client.Profile{
			Name: it.Name, BillingContactID: it.BillingContactID, PaymentTermsDays: it.PaymentTermsDays, NoReminders: it.NoReminders,
			Funding: client.Funding{Type: client.FundingType(it.FundingType), NDISNumber: it.NDISNumber},
		},
	}
	for _, ct := range it.Contacts {
		c.Profile.Contacts = append(c.Profile.Contacts, client.Contact(ct))
	}
	if it.TaxRate != nil {
		r, err := fromNum("taxRate", *it.TaxRate)
		if err != nil {
			return nil, err
		}
		c.Profile.TaxRate = &r
	}
	if it.PlanManager != nil {
		c.Profile.Funding.PlanManager = &client.PlanManager{Name: it.PlanManager.Name, Email: it.PlanManager.Email}
	}
	var err error
	if c.Balance.Owing, err = fromNum("owing", it.Owing); err != nil {
		return nil, err
	}
	if c.Balance.Credit, err = fromNum("credit", it.Credit); err != nil {
		return nil, err
	}
	if it.Currency != "" {
		if c.Profile.Currency, err = money.ParseCurrency(it.Currency); err != nil {
			return nil, err
		}
	}
	c.Account.Seq = it.LedgerSeq
	if c.Account.Date, err = fromDate(it.LedgerDate); err != nil {
		return nil, err
	}
	c.Account.Balances = map[money.Currency]ledger.Balances{}
	for code, b := range it.Balances {
		cur, err := money.ParseCurrency(code)
		if err != nil {
			return nil, err
		}
		var lb ledger.Balances
		if lb.Owing, err = fromNum("owing", b.Owing); err != nil {
			return nil, err
		}
		if lb.Credit, err = fromNum("credit", b.Credit); err != nil {
			return nil, err
		}
		c.Account.Balances[cur] = lb
	}
	return c, nil
}

// ----- invoice

type lineItem struct {
	Type        string `dynamodbav:"type"`
	Description string `dynamodbav:"description"`
	PeriodStart string `dynamodbav:"periodStart,omitempty"`
	PeriodEnd   string `dynamodbav:"periodEnd,omitempty"`
	Quantity    num    `dynamodbav:"quantity,omitempty"`
	Unit        string `dynamodbav:"unit,omitempty"`
	Rate        num    `dynamodbav:"rate,omitempty"`
	Price       num    `dynamodbav:"price,omitempty"`
	Discount    num    `dynamodbav:"discount,omitempty"`
	TaxRate     num    `dynamodbav:"taxRate"`
	SupportItem string `dynamodbav:"supportItem,omitempty"`
}

type feeItem struct {
	Description string `dynamodbav:"description"`
	Amount      num    `dynamodbav:"amount"`
}

type invoiceItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string
	GSI2PK, GSI2SK string
	GSI3PK         string     `dynamodbav:",omitempty"` // issued invoices only (exports.go)
	GSI3SK         string     `dynamodbav:",omitempty"`
	ExportRows     int        `dynamodbav:"exportRows,omitempty"`
	Type           string     `dynamodbav:"type"`
	ID             string     `dynamodbav:"id"`
	OrgID          string     `dynamodbav:"orgId"`
	ClientID       string     `dynamodbav:"clientId"`
	ClientName     string     `dynamodbav:"clientName,omitempty"`
	Name           string     `dynamodbav:"name"`
	Search         string     `dynamodbav:"search"`
	Number         string     `dynamodbav:"number,omitempty"`
	Seq            int64      `dynamodbav:"seq,omitempty"`
	Status         string     `dynamodbav:"status"`
	Currency       string     `dynamodbav:"currency"`
	IssueDate      string     `dynamodbav:"issueDate,omitempty"`
	DueDate        string     `dynamodbav:"dueDate,omitempty"`
	TermsDays      int        `dynamodbav:"termsDays"`
	TaxRounding    string     `dynamodbav:"taxRounding,omitempty"`
	Memo           string     `dynamodbav:"memo,omitempty"`
	PONumber       string     `dynamodbav:"poNumber,omitempty"`
	Lines          []lineItem `dynamodbav:"lines"`
	Fees           []feeItem  `dynamodbav:"fees,omitempty"`
	Total          num        `dynamodbav:"total"`
	Balance        num        `dynamodbav:"balance"`
	Paid           num        `dynamodbav:"paid"`
	Credited       num        `dynamodbav:"credited"`
	CreditApplied  num        `dynamodbav:"creditApplied,omitempty"`
	Locked         bool       `dynamodbav:"locked"`
	LockedBy       string     `dynamodbav:"lockedBy,omitempty"`
	LockReason     string     `dynamodbav:"lockReason,omitempty"`
	Disputed       bool       `dynamodbav:"disputed,omitempty"`
	VoidReason     string     `dynamodbav:"voidReason,omitempty"`
	ReplacesID     string     `dynamodbav:"replacesId,omitempty"`
	ReplacedByID   string     `dynamodbav:"replacedById,omitempty"`
	KeepsNumber    bool       `dynamodbav:"keepsNumber,omitempty"`
	BaseNumber     string     `dynamodbav:"baseNumber,omitempty"`
	Revision       int        `dynamodbav:"revision,omitempty"`
	Origin         string     `dynamodbav:"origin,omitempty"`
	ExternalNumber string     `dynamodbav:"externalNumber,omitempty"`
	ExternalRef    string     `dynamodbav:"externalReference,omitempty"`
	Version        int64      `dynamodbav:"version"`
	CreatedAt      string     `dynamodbav:"createdAt"`
	UpdatedAt      string     `dynamodbav:"updatedAt"`
	FinalizedAt    string     `dynamodbav:"finalizedAt,omitempty"`
	SentAt         string     `dynamodbav:"sentAt,omitempty"`
	VoidedAt       string     `dynamodbav:"voidedAt,omitempty"`
}

func invoiceToItem(inv *invoice.Invoice) invoiceItem {
	s := inv.Spec
	due := s.DueDate.String()
	if due == "" {
		due = noDueDate
	}
	it := invoiceItem{
		PK: orgPK(inv.OrgID), SK: invoiceSK(inv.ID),
		GSI1PK: clientInvoicesPK(inv.OrgID, s.ClientID), GSI1SK: inv.ID,
		GSI2PK: invoicesByStatusPK(inv.OrgID, string(inv.Status())), GSI2SK: due + "#" + inv.ID,
		Type: "invoice", ID: inv.ID, OrgID: inv.OrgID, ClientID: s.ClientID, ClientName: inv.ClientName, Name: s.Name,
		Search: searchText(s.Name, inv.Number, inv.ClientName), Number: inv.Number, Seq: inv.Seq, Status: string(inv.Status()),
		Currency: s.Currency.Code(), IssueDate: s.IssueDate.String(), DueDate: s.DueDate.String(),
		TermsDays: s.TermsDays, TaxRounding: string(s.TaxRounding), Memo: s.Memo, PONumber: s.PONumber,
		Total: toNum(inv.Totals().Total), Balance: toNum(inv.Balance()),
		Paid: toNum(inv.Paid()), Credited: toNum(inv.Credit()), Locked: inv.Locked(), LockedBy: inv.LockedBy(), LockReason: inv.LockReason(), Disputed: inv.Disputed(),
		CreditApplied: toNum(inv.CreditApplied()),
		VoidReason:    inv.VoidReason, ReplacesID: inv.ReplacesID, Version: inv.Version,
		ReplacedByID: inv.ReplacedByID(), KeepsNumber: inv.KeepsNumber, BaseNumber: inv.BaseNumber, Revision: inv.Revision,
		Origin: string(inv.Origin), ExternalNumber: inv.ExternalNumber, ExternalRef: inv.ExternalReference,
		CreatedAt: ts(inv.CreatedAt), UpdatedAt: ts(inv.UpdatedAt),
		FinalizedAt: ts(inv.FinalizedAt), SentAt: ts(inv.SentAt), VoidedAt: ts(inv.VoidedAt),
	}
	it.GSI3PK, it.GSI3SK, it.ExportRows = issuedKeys(inv)
	it.Lines = make([]lineItem, 0, len(s.Lines))
	for _, l := range s.Lines {
		li := lineItem{
			Type: string(l.Type), Description: l.Description,
			PeriodStart: l.PeriodStart.String(), PeriodEnd: l.PeriodEnd.String(),
			Unit: string(l.Unit), TaxRate: toNum(l.TaxRate), SupportItem: l.SupportItem,
		}
		if l.Type == invoice.Variable {
			li.Quantity, li.Rate = toNum(l.Quantity), toNum(l.Rate)
		} else {
			li.Price = toNum(l.Price)
		}
		if !l.Discount.IsZero() {
			li.Discount = toNum(l.Discount)
		}
		it.Lines = append(it.Lines, li)
	}
	for _, f := range s.Fees {
		it.Fees = append(it.Fees, feeItem{Description: f.Description, Amount: toNum(f.Amount)})
	}
	return it
}

func (it invoiceItem) toInvoice() (*invoice.Invoice, error) {
	cur, err := money.ParseCurrency(it.Currency)
	if err != nil {
		return nil, fmt.Errorf("invoice %s: %w", it.ID, err)
	}
	// Every field but the lifecycle state, which only invoice.Restore sets
	// (and checks against the rest).
	inv := &invoice.Invoice{
		ID: it.ID, OrgID: it.OrgID, ClientName: it.ClientName, Number: it.Number, Seq: it.Seq,
		VoidReason: it.VoidReason, ReplacesID: it.ReplacesID, Version: it.Version,
		KeepsNumber: it.KeepsNumber, BaseNumber: it.BaseNumber, Revision: it.Revision,
		Origin: invoice.Origin(it.Origin), ExternalNumber: it.ExternalNumber, ExternalReference: it.ExternalRef,
		CreatedAt: fromTS(it.CreatedAt), UpdatedAt: fromTS(it.UpdatedAt),
		FinalizedAt: fromTS(it.FinalizedAt), SentAt: fromTS(it.SentAt), VoidedAt: fromTS(it.VoidedAt),
		Spec: invoice.Spec{
			ClientID: it.ClientID, Name: it.Name, Currency: cur, TermsDays: it.TermsDays,
			TaxRounding: invoice.TaxRounding(it.TaxRounding), Memo: it.Memo, PONumber: it.PONumber,
		},
	}
	if inv.Spec.IssueDate, err = fromDate(it.IssueDate); err != nil {
		return nil, err
	}
	if inv.Spec.DueDate, err = fromDate(it.DueDate); err != nil {
		return nil, err
	}
	st := invoice.State{Status: invoice.Status(it.Status), Locked: it.Locked, LockedBy: it.LockedBy, LockReason: it.LockReason,
		Disputed: it.Disputed, ReplacedByID: it.ReplacedByID}
	if st.Paid, err = fromNum("paid", it.Paid); err != nil {
		return nil, err
	}
	if st.Credit, err = fromNum("credited", it.Credited); err != nil {
		return nil, err
	}
	if st.CreditApplied, err = fromNum("creditApplied", it.CreditApplied); err != nil {
		return nil, err
	}
	for _, li := range it.Lines {
		l := invoice.Line{Type: invoice.LineType(li.Type), Description: li.Description, Unit: invoice.Unit(li.Unit), SupportItem: li.SupportItem}
		if l.PeriodStart, err = fromDate(li.PeriodStart); err != nil {
			return nil, err
		}
		if l.PeriodEnd, err = fromDate(li.PeriodEnd); err != nil {
			return nil, err
		}
		for _, f := range []struct {
			dst *decimal.Decimal
			n   num
		}{{&l.Quantity, li.Quantity}, {&l.Rate, li.Rate}, {&l.Price, li.Price}, {&l.Discount, li.Discount}, {&l.TaxRate, li.TaxRate}} {
			if *f.dst, err = fromNum("line", f.n); err != nil {
				return nil, err
			}
		}
		inv.Spec.Lines = append(inv.Spec.Lines, l)
	}
	for _, fi := range it.Fees {
		a, err := fromNum("fee", fi.Amount)
		if err != nil {
			return nil, err
		}
		inv.Spec.Fees = append(inv.Spec.Fees, invoice.Fee{Description: fi.Description, Amount: a})
	}
	return invoice.Restore(*inv, st)
}
