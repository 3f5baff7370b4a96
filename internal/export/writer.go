package export

import (
	"archive/zip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// ErrRangeChanged is returned when a range yields more invoices than it
// was planned with, so the files already promised cannot hold them.
var ErrRangeChanged = errors.New("export: the range changed while it was being written; download it again")

// Plan is how a range of invoices splits into files.
type Plan struct {
	Invoices int
	Rows     int
	Files    int
}

// Zipped reports whether the export is a zip of several files.
func (p Plan) Zipped() bool { return p.Files > 1 }

// Planner folds invoices' row counts, in export order, into a Plan: a new
// file starts when the current one holds MaxInvoices invoices, or when the
// next invoice's rows would pass MaxRows.
type Planner struct {
	f          Format
	plan       Plan
	inFile     int
	rowsInFile int
}

// Planner starts a plan for this format.
func (f Format) Planner() *Planner { return &Planner{f: f} }

// Add counts an invoice of rows rows and reports whether it starts a new
// file.
func (p *Planner) Add(rows int) (newFile bool) {
	full := p.inFile > 0 && ((p.f.MaxInvoices > 0 && p.inFile >= p.f.MaxInvoices) ||
		(p.f.MaxRows > 0 && p.rowsInFile+rows > p.f.MaxRows))
	if p.plan.Files == 0 || full {
		p.plan.Files++
		p.inFile, p.rowsInFile = 0, 0
		newFile = true
	}
	p.inFile++
	p.rowsInFile += rows
	p.plan.Invoices++
	p.plan.Rows += rows
	return newFile
}

// Plan is the plan so far.
func (p *Planner) Plan() Plan { return p.plan }

// Writer writes invoices as planned: one CSV straight to the output, or a
// zip of CSVs named <base>-01.csv, <base>-02.csv … Each row is written
// as it is made, so memory does not grow with the range.
type Writer struct {
	out     io.Writer
	f       Format
	plan    Plan
	base    string
	planner *Planner
	zip     *zip.Writer
	csv     *csv.Writer
}

// NewWriter writes the files of plan to out; base names the files in a zip.
func NewWriter(out io.Writer, f Format, plan Plan, base string) *Writer {
	w := &Writer{out: out, f: f, plan: plan, base: base, planner: f.Planner()}
	if plan.Zipped() {
		w.zip = zip.NewWriter(out)
	}
	return w
}

// Write adds one invoice's rows.
func (w *Writer) Write(e Invoice) error {
	rows := w.f.Rows(e)
	if w.planner.Add(len(rows)) {
		if err := w.startFile(); err != nil {
			return err
		}
	}
	if p := w.planner.Plan(); p.Files > max(w.plan.Files, 1) {
		return ErrRangeChanged
	}
	for _, r := range rows {
		if err := w.csv.Write(r); err != nil {
			return fmt.Errorf("export: write invoice %s: %w", e.ID, err)
		}
	}
	return nil
}

func (w *Writer) startFile() error {
	if w.csv != nil {
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	dst := w.out
	if w.zip != nil {
		n := w.planner.Plan().Files
		if n > w.plan.Files {
			return ErrRangeChanged
		}
		f, err := w.zip.Create(fmt.Sprintf("%s-%02d.csv", w.base, n))
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		dst = f
	} else if w.csv != nil {
		return ErrRangeChanged
	}
	w.csv = csv.NewWriter(dst)
	w.csv.UseCRLF = true
	return w.csv.Write(w.f.header)
}

// Flush pushes buffered rows to the output (between pages of invoices).
func (w *Writer) Flush() error {
	if w.csv == nil {
		return nil
	}
	w.csv.Flush()
	return w.csv.Error()
}

// Close finishes the last file and the zip; a range with no invoices is
// one CSV holding the header alone.
func (w *Writer) Close() error {
	if w.csv == nil {
		if err := w.startFile(); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if w.zip != nil {
		if err := w.zip.Close(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	return nil
}
