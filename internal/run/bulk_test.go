package run

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/validation"
)

var provider = Provider{LegalName: "Harbour", ABN: "51824753556", Registration: "4050012345"}

func claim(ref string) Claim {
	return Claim{Ref: ref, NDISNumber: "431234567", SupportItem: "07_002_0106_8_3", From: day("2026-11-05"), To: day("2026-11-05"),
		Minutes: 90, UnitPrice: amt("100.14"), Amount: amt("150.21"), GSTCode: GSTFree}
}

func readCSV(t *testing.T, f File) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(f.Data))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s is not a real CSV: %v", f.Name, err)
	}
	return recs
}

// TestBulkFileFollowsEveryRule checks each rule formats/README.md lists for
// the NDIA bulk payment request file.
func TestBulkFileFollowsEveryRule(t *testing.T) {
	t.Parallel()
	canc := claim("INV-00002-01")
	canc.ClaimType, canc.CancellationReason = ndis.Cancellation, "NSDH"
	tele := claim("INV-00002-02")
	tele.ClaimType, tele.Minutes = ndis.Telehealth, 50
	sil := claim("INV-00002-03")
	sil.ClaimType = ndis.IrregularSIL
	files, err := BulkFiles(provider, []Claim{claim("INV-00001-01"), canc, tele, sil}, FileOptions{}, "N261130ABCD")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Rows != 4 {
		t.Fatalf("files = %+v", files)
	}
	recs := readCSV(t, files[0])
	// Header row first, 16 columns in order.
	if got := strings.Join(recs[0], ","); got != "RegistrationNumber,NDISNumber,SupportsDeliveredFrom,SupportsDeliveredTo,SupportNumber,ClaimReference,Quantity,Hours,UnitPrice,GSTCode,AuthorisedBy,ParticipantApproved,InKindFundingProgram,ClaimType,CancellationReason,ABN of Support Provider" {
		t.Errorf("header = %s", got)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	refs := map[string]bool{}
	for _, r := range recs[1:] {
		if len(r) != 16 {
			t.Fatalf("row has %d columns", len(r))
		}
		get := func(h string) string { return r[col[h]] }
		if !regexp.MustCompile(`^\d+$`).MatchString(get("RegistrationNumber")) {
			t.Errorf("registration %q is not digits only", get("RegistrationNumber"))
		}
		if !regexp.MustCompile(`^\d{9}$`).MatchString(get("NDISNumber")) {
			t.Errorf("NDIS number %q", get("NDISNumber"))
		}
		// Dates yyyy/mm/dd by default, From ≤ To.
		if get("SupportsDeliveredFrom") != "2026/11/05" || get("SupportsDeliveredFrom") > get("SupportsDeliveredTo") {
			t.Errorf("dates %q %q", get("SupportsDeliveredFrom"), get("SupportsDeliveredTo"))
		}
		if !ndis.ValidSupportItem(get("SupportNumber")) {
			t.Errorf("support number %q", get("SupportNumber"))
		}
		ref := get("ClaimReference")
		if !regexp.MustCompile(`^[A-Za-z0-9/_-]{1,50}$`).MatchString(ref) || refs[ref] {
			t.Errorf("claim reference %q bad or repeated", ref)
		}
		refs[ref] = true
		// Exactly one of Quantity or Hours; Hours as H:MM of actual minutes.
		if (get("Quantity") == "") == (get("Hours") == "") {
			t.Errorf("%s: quantity %q and hours %q", ref, get("Quantity"), get("Hours"))
		}
		if !regexp.MustCompile(`^\d+:[0-5]\d$`).MatchString(get("Hours")) {
			t.Errorf("hours %q", get("Hours"))
		}
		if !regexp.MustCompile(`^\d{1,7}\.\d{2}$`).MatchString(get("UnitPrice")) {
			t.Errorf("unit price %q", get("UnitPrice"))
		}
		if g := get("GSTCode"); g != "P1" && g != "P2" && g != "P5" {
			t.Errorf("GST code %q", g)
		}
		for _, legacy := range []string{"AuthorisedBy", "ParticipantApproved", "InKindFundingProgram"} {
			if get(legacy) != "" {
				t.Errorf("legacy %s = %q", legacy, get(legacy))
			}
		}
		// Cancellation reasons only with cancellations.
		if (get("ClaimType") == "CANC") != (get("CancellationReason") != "") {
			t.Errorf("%s: claim type %q with reason %q", ref, get("ClaimType"), get("CancellationReason"))
		}
		if !org.ValidABN(get("ABN of Support Provider")) || len(get("ABN of Support Provider")) != 11 {
			t.Errorf("ABN %q", get("ABN of Support Provider"))
		}
	}
	types := []string{recs[1][13], recs[2][13], recs[3][13], recs[4][13]}
	if strings.Join(types, ",") != ",CANC,THLT,IRSS" || recs[2][14] != "NSDH" || recs[3][7] != "0:50" || recs[1][7] != "1:30" {
		t.Errorf("claim types %v, reason %q, hours %q %q", types, recs[2][14], recs[3][7], recs[1][7])
	}
	if len(files[0].Name) > MaxFileNameLen || !strings.HasSuffix(files[0].Name, ".csv") {
		t.Errorf("file name %q", files[0].Name)
	}
}

func TestBulkFileOptions(t *testing.T) {
	t.Parallel()
	files, err := BulkFiles(provider, []Claim{claim("INV-00001-01")}, FileOptions{DateFormat: DateDashes, PadHours: true}, "N1")
	if err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, files[0])
	if recs[1][2] != "2026-11-05" || recs[1][7] != "01:30" {
		t.Errorf("dashes and padded hours: %q %q", recs[1][2], recs[1][7])
	}
	if _, err := BulkFiles(provider, nil, FileOptions{DateFormat: "dd/mm/yyyy"}, "N1"); err == nil {
		t.Error("an unknown date format was accepted")
	}
}

func TestBulkFilesSplitAt5000Rows(t *testing.T) {
	t.Parallel()
	claims := make([]Claim, 10_001)
	for i := range claims {
		claims[i] = claim(fmt.Sprintf("INV-%05d-01", i+1))
	}
	files, err := BulkFiles(provider, claims, FileOptions{}, "N261130ABCD")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 || files[0].Rows != 5000 || files[1].Rows != 5000 || files[2].Rows != 1 {
		t.Fatalf("split into %d files", len(files))
	}
	names := map[string]bool{}
	for _, f := range files {
		if n := len(readCSV(t, f)) - 1; n != f.Rows || n > MaxRowsPerFile {
			t.Errorf("%s has %d rows", f.Name, n)
		}
		if len(f.Name) > MaxFileNameLen || names[f.Name] {
			t.Errorf("name %q too long or repeated", f.Name)
		}
		names[f.Name] = true
	}
	if _, err := BulkFiles(provider, claims[:1], FileOptions{}, "ABCDEFGHIJKLMN"); err == nil {
		t.Error("a 21-character file name was accepted")
	}
}

func TestBulkFileRefusesWhatTheNDIAWouldReject(t *testing.T) {
	t.Parallel()
	bad := map[string]func(*Claim){
		"claimReference":     func(c *Claim) { c.Ref = "INV 1" },
		"long reference":     func(c *Claim) { c.Ref = strings.Repeat("A", 51) },
		"ndisNumber":         func(c *Claim) { c.NDISNumber = "43123456" },
		"dates":              func(c *Claim) { c.To = day("2026-11-04") },
		"supportNumber":      func(c *Claim) { c.SupportItem = "07-002" },
		"unitPrice":          func(c *Claim) { c.UnitPrice = amt("100.145") },
		"price too large":    func(c *Claim) { c.UnitPrice = amt("10000000") },
		"gstCode":            func(c *Claim) { c.GSTCode = "P3" },
		"claimType":          func(c *Claim) { c.ClaimType = "XXXX" },
		"cancel w/o reason":  func(c *Claim) { c.ClaimType = ndis.Cancellation },
		"reason w/o cancel":  func(c *Claim) { c.CancellationReason = "NSDH" },
		"hours not positive": func(c *Claim) { c.Minutes = 0 },
	}
	for name, edit := range bad {
		c := claim("INV-00001-01")
		edit(&c)
		if _, err := BulkFiles(provider, []Claim{c}, FileOptions{}, "N1"); !isValidation(err) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	for name, p := range map[string]Provider{
		"abn checksum": {ABN: "51824753557", Registration: "4050012345"},
		"registration": {ABN: "51824753556", Registration: "4050-012345"},
	} {
		if _, err := BulkFiles(p, []Claim{claim("INV-00001-01")}, FileOptions{}, "N1"); !isValidation(err) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestClaimRefsAreUniquePerLineAndReclaim(t *testing.T) {
	t.Parallel()
	if ClaimRef("INV-00042", 3) != "INV-00042-03" || ReclaimRef("INV-00042-03", 1) != "INV-00042-03-R1" {
		t.Errorf("refs %s %s", ClaimRef("INV-00042", 3), ReclaimRef("INV-00042-03", 1))
	}
}

func isValidation(err error) bool { _, ok := validation.As(err); return ok }

// An ABN the org typed with spaces (org settings accept "51 824 753 556")
// goes in the file as its 11 digits.
func TestBulkFileTakesAnABNTypedWithSpaces(t *testing.T) {
	t.Parallel()
	p := provider
	p.ABN = "51 824 753 556"
	files, err := BulkFiles(p, []Claim{claim("INV-00001-01")}, FileOptions{}, "N1")
	if err != nil {
		t.Fatalf("spaced ABN: %v", err)
	}
	recs, err := csv.NewReader(bytes.NewReader(files[0].Data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := recs[1][len(recs[1])-1]; got != "51824753556" {
		t.Errorf("ABN column %q, want 51824753556", got)
	}
}
