// Package usecase holds what every use case (billing's, the client
// portal's) does the same way.
package usecase

import (
	"fmt"
	"strings"
)

// Name puts a use case's name in front of its error ("finalize invoice
// in_1: invoice is locked"), so the one log line an unexpected error gets
// says which use case failed and for what. The error stays wrapped (%w):
// errors.Is and errors.As still reach the sentinel the HTTP error map
// answers by. An error that already begins with the name, because it was
// wrapped where it arose, is not named twice. A nil error stays nil.
//
// Every exported use-case method defers it on its named error result:
//
//	func (s *Service) FinalizeInvoice(…) (_ InvoiceView, err error) {
//		defer usecase.Name(&err, "finalize invoice %s", id)
//
// Names carry ids, never secrets (tokens) or personal data (emails).
func Name(err *error, format string, args ...any) {
	if *err == nil {
		return
	}
	name := fmt.Sprintf(format, args...)
	if strings.HasPrefix((*err).Error(), name+":") {
		return
	}
	*err = fmt.Errorf("%s: %w", name, *err)
}
