package invoice

import (
	"errors"

	"github.com/carebill/carebill/internal/validation"
)

// ErrExternalNumberTaken is a synced invoice whose accounting-system
// number another invoice of the org already carries (compared without
// case): an invoice number identifies one invoice, synced or not.
var ErrExternalNumberTaken = errors.New("another invoice already has this number in the accounting system")

// Origin is where an invoice came from when not from work or a person's
// hand: exactly the three kinds a case-based business allows beside
// invoices from its cases (the Pilot invoices guide). The zero Origin is a
// standard invoice.
type Origin string

// Invoice origins.
const (
	Standard Origin = ""
	// InitialBalance is what a billing account owed when it was created:
	// finalized without a number (the series is not touched), it opens the
	// client's ledger and balance.
	InitialBalance Origin = "initial_balance"
	// ProcessingFee bills a payment processing fee; numbered like any invoice.
	ProcessingFee Origin = "processing_fee"
	// Synced was issued in the accounting system and synced in: it keeps
	// that system's number (ExternalNumber) and takes none from the series.
	Synced Origin = "synced"
)

// ParseOrigin reads an API kind ("standard" or "" for Standard).
func ParseOrigin(s string) (Origin, error) {
	switch o := Origin(s); o {
	case "standard", Standard:
		return Standard, nil
	case InitialBalance, ProcessingFee, Synced:
		return o, nil
	}
	return "", validation.Errorf("kind", "must be standard, initial_balance, processing_fee or synced")
}

// Name is the origin's API name.
func (o Origin) Name() string {
	if o == Standard {
		return "standard"
	}
	return string(o)
}

// Numbered reports whether finalizing takes a number from the org's series.
func (o Origin) Numbered() bool { return o == Standard || o == ProcessingFee }

// CheckOrigin checks an invoice's origin against its external number: a
// synced invoice needs the number it carries in the accounting system, and
// only a synced one has one.
func CheckOrigin(o Origin, externalNumber string) error {
	switch {
	case o == Synced && externalNumber == "":
		return validation.Errorf("externalNumber", "a synced invoice needs its number in the accounting system")
	case o != Synced && externalNumber != "":
		return validation.Errorf("externalNumber", "is only for synced invoices")
	}
	return validation.Text("externalNumber", externalNumber, false, 60)
}
