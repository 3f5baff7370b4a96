package org

import (
	"errors"

	"github.com/carebill/carebill/internal/validation"
)

// AutoInvoiceMode says what marking a session attended does to invoices.
type AutoInvoiceMode string

// Auto-invoicing modes.
const (
	// AutoFinalize makes the session its own invoice and finalizes it at
	// once (numbered, on the client's balance owing).
	AutoFinalize AutoInvoiceMode = "finalize"
	// AutoDraft adds the session as a line to the client's open draft for
	// the session's month, started if there is none.
	AutoDraft AutoInvoiceMode = "draft"
)

// AutoInvoice is the org's choice about billing attended sessions.
type AutoInvoice struct {
	Enabled bool
	Mode    AutoInvoiceMode
	Send    bool // email a finalized session invoice to the client at once
}

// DefaultAutoInvoice is on, one finalized invoice per session, not sent:
// therapy practice software switches auto-invoicing on by default.
func DefaultAutoInvoice() AutoInvoice {
	return AutoInvoice{Enabled: true, Mode: AutoFinalize}
}

// Validate checks the settings.
func (a AutoInvoice) Validate() error {
	switch a.Mode {
	case AutoFinalize:
	case AutoDraft:
		if a.Send {
			return validation.Errorf("autoInvoice.send", "drafts are not sent; send only goes with mode finalize")
		}
	default:
		return validation.Errorf("autoInvoice.mode", "must be finalize or draft")
	}
	return nil
}

// ErrStandaloneOff refuses an invoice made by hand in an org whose invoices
// come only from its work (case-based labs).
var ErrStandaloneOff = errors.New("this organisation invoices only from its work (sessions, tasks, cases); standalone invoices are turned off in its settings")
