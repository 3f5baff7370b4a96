// Package card holds what callers of a card processor must recognise
// without linking the processor's SDK: the errors cardpay (Stripe) returns,
// which the HTTP layer maps to replies.
package card

import "errors"

// ErrUnavailable is returned when the card processor cannot be reached or
// refuses a request; the detail is in the wrapping error, for the logs only.
var ErrUnavailable = errors.New("card payments are unavailable just now; try again shortly")

// ErrBadSignature is returned for a webhook whose signature is missing,
// wrong, or made too long ago (or in the future): a forgery or a replay,
// never to be acted on.
var ErrBadSignature = errors.New("the Stripe signature is missing, invalid or expired")

// ErrMalformed is returned for a correctly signed event carebill cannot
// read.
var ErrMalformed = errors.New("the Stripe event cannot be read")
