package run

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"slices"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/validation"
)

// The NDIA bulk payment request file (formats/ "NDIA bulk payment
// request"): a header row of these 16 columns in this order, then one row
// per claim line.
var BulkHeader = []string{
	"RegistrationNumber", "NDISNumber", "SupportsDeliveredFrom", "SupportsDeliveredTo", "SupportNumber",
	"ClaimReference", "Quantity", "Hours", "UnitPrice", "GSTCode", "AuthorisedBy", "ParticipantApproved",
	"InKindFundingProgram", "ClaimType", "CancellationReason", "ABN of Support Provider",
}

// File limits the NDIA's myplace portal enforces.
const (
	MaxRowsPerFile  = 5000
	MaxFileNameLen  = 20 // including ".csv"
	MaxClaimRefLen  = 50
	GSTTaxable      = "P1" // tax claimable (10%)
	GSTFree         = "P2"
	GSTOutOfScope   = "P5"
	DateSlashes     = "yyyy/mm/dd" // the default, per NDIS-citing help pages
	DateDashes      = "yyyy-mm-dd" // as some generators write it
	maxUnitPriceInt = 9_999_999
)

// ClaimTypeCodes are the ClaimType column's codes ("" = direct service),
// kept as data: the NDIA adds codes (THLT telehealth and IRSS irregular
// SIL come from provider guides).
var ClaimTypeCodes = []ndis.ClaimType{ndis.Direct, ndis.Cancellation, ndis.ReportWriting, ndis.ProviderTravel,
	ndis.NonFaceToFace, ndis.Telehealth, ndis.IrregularSIL}

// CancellationReasons go with CANC only: no show due to health (NSDH),
// family (NSDF), transport (NSDT), other (NSDO).
var CancellationReasons = []string{"NSDH", "NSDF", "NSDT", "NSDO"}

var (
	digitsRE   = regexp.MustCompile(`^[0-9]+$`)
	ndisNumRE  = regexp.MustCompile(`^[0-9]{9}$`)
	claimRefRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9/_-]{1,50}$`) })
	fileNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+\.csv$`)
)

// FileOptions are the org's choices where sources disagree.
type FileOptions struct {
	DateFormat string // DateSlashes (default) or DateDashes
	PadHours   bool   // Hours as "01:30" instead of "1:30"
}

// File is one bulk upload file.
type File struct {
	Name string
	Rows int
	Data []byte
}

// ClaimRef is the claim reference of an invoice's line n (1-based):
// "<invoice number>-<nn>", unique per line because invoice numbers are;
// a re-claim appends "-R<k>" (ReclaimRef), so no reference is ever
// emitted twice (the NDIA holds a claim duplicating another within 14
// days for review).
func ClaimRef(number string, n int) string { return fmt.Sprintf("%s-%02d", number, n) }

// ReclaimRef is the reference of the k-th re-claim of a rejected line.
func ReclaimRef(ref string, k int) string { return fmt.Sprintf("%s-R%d", ref, k) }

// FormatHours writes minutes as the Hours column's H:MM (90 → "1:30"),
// or HH:MM when padded.
func FormatHours(minutes int, pad bool) string {
	if pad {
		return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60)
	}
	return fmt.Sprintf("%d:%02d", minutes/60, minutes%60)
}

// BulkFiles writes claims as NDIA bulk upload files of at most
// MaxRowsPerFile rows each (none for no claims), named prefix + "-NN.csv" (prefix at most 13
// characters, so a name stays within MaxFileNameLen). Every row is
// checked against the file's rules first (formats/README.md): a file the
// NDIA would reject whole, or a row it would reject, is refused here with
// a validation error naming the claim reference and the rule.
func BulkFiles(p Provider, claims []Claim, opt FileOptions, prefix string) ([]File, error) {
	layout := "2006/01/02"
	switch opt.DateFormat {
	case "", DateSlashes:
	case DateDashes:
		layout = "2006-01-02"
	default:
		return nil, validation.Errorf("dateFormat", "must be %s or %s", DateSlashes, DateDashes)
	}
	if len(prefix)+len("-00.csv") > MaxFileNameLen || !fileNameRE.MatchString(prefix+".csv") {
		return nil, validation.Errorf("fileName", "%q makes file names longer than %d characters", prefix, MaxFileNameLen)
	}
	if !digitsRE.MatchString(p.Registration) {
		return nil, validation.Errorf("registrationNumber", "set the provider's NDIS registration number (digits only) before claiming")
	}
	p.ABN = org.NormalizeABN(p.ABN) // the org's settings keep it as typed, spaces and all
	if !org.ValidABN(p.ABN) || len(p.ABN) != 11 {
		return nil, validation.Errorf("taxId", "the org's ABN must be 11 digits passing the ABN checksum")
	}
	var files []File
	for start := 0; start < len(claims); start += MaxRowsPerFile {
		end := min(start+MaxRowsPerFile, len(claims))
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.UseCRLF = true
		if err := w.Write(BulkHeader); err != nil {
			return nil, err
		}
		for _, c := range claims[start:end] {
			if err := CheckClaim(c); err != nil {
				return nil, err
			}
			qty, hours := "", FormatHours(c.Minutes, opt.PadHours)
			if !c.Quantity.IsZero() {
				qty, hours = c.Quantity.String(), ""
			}
			if err := w.Write([]string{
				p.Registration, c.NDISNumber, c.From.Format(layout), c.To.Format(layout), c.SupportItem, c.Ref,
				qty, hours, c.UnitPrice.StringFixed(2), c.GSTCode, "", "", "",
				string(c.ClaimType), c.CancellationReason, p.ABN,
			}); err != nil {
				return nil, err
			}
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return nil, err
		}
		files = append(files, File{Name: fmt.Sprintf("%s-%02d.csv", prefix, len(files)+1), Rows: end - start, Data: buf.Bytes()})
	}
	return files, nil
}

// CheckClaim checks one line against the bulk file's per-row rules.
func CheckClaim(c Claim) error {
	f := func(field, format string, args ...any) error {
		return validation.Errorf(field, "claim %s: "+format, append([]any{c.Ref}, args...)...)
	}
	switch {
	case !claimRefRE().MatchString(c.Ref):
		return f("claimReference", "letters, digits, /, _ and - only, at most %d characters", MaxClaimRefLen)
	case !ndisNumRE.MatchString(c.NDISNumber):
		return f("ndisNumber", "the participant's NDIS number must be 9 digits")
	case c.From.IsZero() || c.To.IsZero() || c.To.Before(c.From):
		return f("supportsDeliveredFrom", "delivery dates must be given, from on or before to")
	case !ndis.ValidSupportItem(c.SupportItem):
		return f("supportNumber", "%q is not a support catalogue number", c.SupportItem)
	case !c.Quantity.IsZero() && (!c.Quantity.IsPositive() || !c.Quantity.Equal(c.Quantity.Truncate(2)) || c.Quantity.GreaterThanOrEqual(decimal.NewFromInt(100_000))):
		return f("quantity", "must be above 0 with up to 5 digits and 2 decimals")
	case c.Quantity.IsZero() && c.Minutes < 1:
		return f("hours", "must be at least one minute")
	case !c.UnitPrice.IsPositive() || !c.UnitPrice.Equal(c.UnitPrice.Truncate(2)) || c.UnitPrice.GreaterThan(decimal.NewFromInt(maxUnitPriceInt)):
		return f("unitPrice", "must be above 0 with up to 7 digits and 2 decimals")
	case !slices.Contains([]string{GSTTaxable, GSTFree, GSTOutOfScope}, c.GSTCode):
		return f("gstCode", "must be P1, P2 or P5")
	case !slices.Contains(ClaimTypeCodes, c.ClaimType):
		return f("claimType", "%q is not a bulk upload claim type", c.ClaimType)
	case c.ClaimType == ndis.Cancellation && !slices.Contains(CancellationReasons, c.CancellationReason):
		return f("cancellationReason", "a cancellation needs NSDH, NSDF, NSDT or NSDO")
	case c.ClaimType != ndis.Cancellation && c.CancellationReason != "":
		return f("cancellationReason", "only cancellations carry a reason")
	}
	return nil
}
