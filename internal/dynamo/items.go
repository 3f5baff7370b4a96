package dynamo

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
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
	PK, SK           string
	Type             string           `dynamodbav:"type"`
	ID               string           `dynamodbav:"id"`
	Name             string           `dynamodbav:"name"`
	LegalName        string           `dynamodbav:"legalName"`
	TaxIDLabel       string           `dynamodbav:"taxIdLabel,omitempty"`
	TaxID            string           `dynamodbav:"taxId,omitempty"`
	Email            string           `dynamodbav:"email,omitempty"`
	Phone            string           `dynamodbav:"phone,omitempty"`
	Address          string           `dynamodbav:"address,omitempty"`
	Currency         string           `dynamodbav:"currency"`
	TaxRate          num              `dynamodbav:"taxRate"`
	PaymentTermsDays int              `dynamodbav:"paymentTermsDays"`
	NumberPrefix     string           `dynamodbav:"numberPrefix"`
	LogoURL          string           `dynamodbav:"logoUrl,omitempty"`
	Colour           string           `dynamodbav:"colour,omitempty"`
	Timezone         string           `dynamodbav:"timezone"`
	LockingPolicy    string           `dynamodbav:"lockingPolicy"`
	FeeMode          string           `dynamodbav:"feeMode,omitempty"`
	FeePercent       num              `dynamodbav:"feePercent,omitempty"`
	FeeFixed         num              `dynamodbav:"feeFixed,omitempty"`
	StripeAccountID  string           `dynamodbav:"stripeAccountId,omitempty"`
	Accounting       *accountingItem  `dynamodbav:"accounting,omitempty"`
	AutoInvoice      *autoInvoiceItem `dynamodbav:"autoInvoice,omitempty"`
	NoStandalone     bool             `dynamodbav:"noStandaloneInvoices,omitempty"`
	Version          int64            `dynamodbav:"version"`
	CreatedAt        string           `dynamodbav:"createdAt"`
	UpdatedAt        string           `dynamodbav:"updatedAt"`
}

func orgToItem(o *org.Org) orgItem {
	s := o.Settings
	return orgItem{
		PK: orgPK(o.ID), SK: profileSK(), Type: "org", ID: o.ID,
		Name: s.Name, LegalName: s.LegalName, TaxIDLabel: s.TaxIDLabel, TaxID: s.TaxID,
		Email: s.Email, Phone: s.Phone, Address: s.Address, Currency: s.Currency.Code(),
		TaxRate: toNum(s.TaxRate), PaymentTermsDays: s.PaymentTermsDays, NumberPrefix: s.NumberPrefix,
		LogoURL: s.LogoURL, Colour: s.Colour, Timezone: s.Timezone, LockingPolicy: string(s.LockingPolicy),
		FeeMode: string(s.FeePolicy.Mode), FeePercent: toNum(s.FeePolicy.Percent), FeeFixed: toNum(s.FeePolicy.Fixed),
		StripeAccountID: s.StripeAccountID, Accounting: accountingToItem(s.Accounting),
		NoStandalone: s.NoStandaloneInvoices,
		AutoInvoice:  &autoInvoiceItem{Enabled: s.AutoInvoice.Enabled, Mode: string(s.AutoInvoice.Mode), Send: s.AutoInvoice.Send},
		Version:      o.Version, CreatedAt: ts(o.CreatedAt), UpdatedAt: ts(o.UpdatedAt),
	}
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
	return &org.Org{
		ID: it.ID,
		Settings: org.Settings{
			Name: it.Name, LegalName: it.LegalName, TaxIDLabel: it.TaxIDLabel, TaxID: it.TaxID,
			Email: it.Email, Phone: it.Phone, Address: it.Address, Currency: cur, TaxRate: rate,
			PaymentTermsDays: it.PaymentTermsDays, NumberPrefix: it.NumberPrefix, LogoURL: it.LogoURL,
			Colour: it.Colour, Timezone: it.Timezone, LockingPolicy: org.LockingPolicy(it.LockingPolicy),
			FeePolicy: fees, StripeAccountID: it.StripeAccountID, Accounting: it.Accounting.toAccounting(),
			AutoInvoice: it.AutoInvoice.toAutoInvoice(), NoStandaloneInvoices: it.NoStandalone,
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
	Type             string           `dynamodbav:"type"`
	ID               string           `dynamodbav:"id"`
	OrgID            string           `dynamodbav:"orgId"`
	Name             string           `dynamodbav:"name"`
	Search           string           `dynamodbav:"search"`
	Contacts         []contactItem    `dynamodbav:"contacts"`
	BillingContactID string           `dynamodbav:"billingContactId,omitempty"`
	PaymentTermsDays *int             `dynamodbav:"paymentTermsDays,omitempty"`
	TaxRate          *num             `dynamodbav:"taxRate,omitempty"`
	FundingType      string           `dynamodbav:"fundingType"`
	NDISNumber       string           `dynamodbav:"ndisNumber,omitempty"`
	PlanManager      *planManagerItem `dynamodbav:"planManager,omitempty"`
	Owing            num              `dynamodbav:"owing"`
	Credit           num              `dynamodbav:"credit"`
	Version          int64            `dynamodbav:"version"`
	CreatedAt        string           `dynamodbav:"createdAt"`
	UpdatedAt        string           `dynamodbav:"updatedAt"`
}

// clientProfileAttrs are the attributes a profile edit may SET; balances
// are left to ADD.
var clientProfileAttrs = []string{
	"GSI1SK", "name", "search", "contacts", "billingContactId", "paymentTermsDays",
	"taxRate", "fundingType", "ndisNumber", "planManager", "updatedAt",
}

func clientToItem(c *client.Client) clientItem {
	p := c.Profile
	it := clientItem{
		PK: orgPK(c.OrgID), SK: clientSK(c.ID),
		GSI1PK: clientsByNamePK(c.OrgID), GSI1SK: searchText(p.Name) + "#" + c.ID,
		Type: "client", ID: c.ID, OrgID: c.OrgID, Name: p.Name,
		BillingContactID: p.BillingContactID, PaymentTermsDays: p.PaymentTermsDays,
		FundingType: string(p.Funding.Type), NDISNumber: p.Funding.NDISNumber,
		Owing: toNum(c.Balance.Owing), Credit: toNum(c.Balance.Credit),
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
		ID: it.ID, OrgID: it.OrgID, Version: it.Version,
		CreatedAt: fromTS(it.CreatedAt), UpdatedAt: fromTS(it.UpdatedAt),
		Profile: client.Profile{
			Name: it.Name, BillingContactID: it.BillingContactID, PaymentTermsDays: it.PaymentTermsDays,
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
	Locked         bool       `dynamodbav:"locked"`
	VoidReason     string     `dynamodbav:"voidReason,omitempty"`
	ReplacesID     string     `dynamodbav:"replacesId,omitempty"`
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
		GSI2PK: invoicesByStatusPK(inv.OrgID, string(inv.Status)), GSI2SK: due + "#" + inv.ID,
		Type: "invoice", ID: inv.ID, OrgID: inv.OrgID, ClientID: s.ClientID, ClientName: inv.ClientName, Name: s.Name,
		Search: searchText(s.Name, inv.Number), Number: inv.Number, Seq: inv.Seq, Status: string(inv.Status),
		Currency: s.Currency.Code(), IssueDate: s.IssueDate.String(), DueDate: s.DueDate.String(),
		TermsDays: s.TermsDays, TaxRounding: string(s.TaxRounding), Memo: s.Memo, PONumber: s.PONumber,
		Total: toNum(inv.Totals().Total), Balance: toNum(inv.Balance()),
		Paid: toNum(inv.Paid), Credited: toNum(inv.Credit), Locked: inv.Locked,
		VoidReason: inv.VoidReason, ReplacesID: inv.ReplacesID, Version: inv.Version,
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
	inv := &invoice.Invoice{
		ID: it.ID, OrgID: it.OrgID, ClientName: it.ClientName, Number: it.Number, Seq: it.Seq, Status: invoice.Status(it.Status),
		Locked: it.Locked, VoidReason: it.VoidReason, ReplacesID: it.ReplacesID, Version: it.Version,
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
	if inv.Paid, err = fromNum("paid", it.Paid); err != nil {
		return nil, err
	}
	if inv.Credit, err = fromNum("credited", it.Credited); err != nil {
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
	return inv, nil
}
