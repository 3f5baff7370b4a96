package billing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/export"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/usecase"
	"github.com/carebill/carebill/internal/validation"
)

// ExportStore is what accounting exports read (internal/dynamo).
type ExportStore interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	IssuedInvoiceSizes(ctx context.Context, orgID string, r export.Range, each func(rows int) error) error
	IssuedInvoices(ctx context.Context, orgID string, r export.Range, each func([]export.Invoice) error) error
}

// Exporter writes invoice ranges as accounting import files.
type Exporter struct {
	store ExportStore
	now   func() time.Time
}

// NewExporter builds the export use cases.
func NewExporter(store ExportStore, now func() time.Time) (*Exporter, error) {
	if store == nil || now == nil {
		return nil, errors.New("billing: exports need a store and a clock")
	}
	return &Exporter{store: store, now: now}, nil
}

// ExportRequest is what a coordinator asks for: a format ("xero" or
// "quickbooks") and a range of issue dates, both ends included.
type ExportRequest struct {
	Format   string
	From, To calendar.Date
}

// Export is a planned export: its plan and file name are known before a
// byte is written, so the caller can choose the content type.
type Export struct {
	// FileName is "<format>-invoices-<from>-to-<to>.csv", or ".zip" when
	// the range needs several files.
	FileName string
	Plan     export.Plan

	x      *Exporter
	orgID  string
	rng    export.Range
	format export.Format
	base   string
}

// PlanExport validates the request and counts the range (reading only row
// counts) to learn how many files it needs. Any role may export.
func (x *Exporter) PlanExport(ctx context.Context, p auth.Principal, req ExportRequest) (_ *Export, err error) {
	defer usecase.Name(&err, "plan export")
	if err := allow(p, auth.Export); err != nil {
		return nil, err
	}
	switch {
	case req.From.IsZero():
		return nil, validation.Errorf("from", "is required (YYYY-MM-DD)")
	case req.To.IsZero():
		return nil, validation.Errorf("to", "is required (YYYY-MM-DD)")
	case req.To.Before(req.From):
		return nil, validation.Errorf("to", "is before from")
	case req.From.AddDays(export.MaxRangeDays).Before(req.To):
		return nil, validation.Errorf("to", "the range is longer than %d days; export it in parts", export.MaxRangeDays)
	}
	o, err := x.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return nil, fmt.Errorf("plan export: %w", err)
	}
	f, err := export.Lookup(req.Format, o.Settings.Accounting, o.Settings.Currency.Code() == "USD")
	if err != nil {
		return nil, err
	}
	rng := export.Range{From: req.From, To: req.To, AsOf: x.now()}
	pl := f.Planner()
	if err := x.store.IssuedInvoiceSizes(ctx, p.OrgID, rng, func(rows int) error { pl.Add(rows); return nil }); err != nil {
		return nil, fmt.Errorf("plan export: %w", err)
	}
	e := &Export{
		Plan: pl.Plan(), x: x, orgID: p.OrgID, rng: rng, format: f,
		base: fmt.Sprintf("%s-invoices-%s-to-%s", f.Name, req.From, req.To),
	}
	e.FileName = e.base + ".csv"
	if e.Plan.Zipped() {
		e.FileName = e.base + ".zip"
	}
	return e, nil
}

// WriteTo streams the export to w a page of invoices at a time. An error
// after the first byte leaves w incomplete; the caller must abort the
// response rather than end it normally.
func (e *Export) WriteTo(ctx context.Context, w io.Writer) (err error) {
	defer usecase.Name(&err, "export invoices")
	out := export.NewWriter(w, e.format, e.Plan, e.base)
	err = e.x.store.IssuedInvoices(ctx, e.orgID, e.rng, func(page []export.Invoice) error {
		for _, inv := range page {
			if err := out.Write(inv); err != nil {
				return err
			}
		}
		return out.Flush()
	})
	if err != nil {
		return err
	}
	return out.Close()
}
