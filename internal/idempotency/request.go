package idempotency

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync/atomic"
	"time"
)

// Request names one POST with an Idempotency-Key for the store, so the
// write that takes the request's effect can carry a marker of it in the
// same transaction. The key's record (Store) answers repeats while it
// lives; the marker answers the repeat the record cannot: the function
// died after its write committed and before the reply was stored, the
// record stayed in progress, expired after InProgressExpiry, and the
// client's retry runs the request again. That retry meets the marker and
// takes no effect a second time (ErrApplied).
//
// One execution of a request may write its marker in several
// transactions (a marker written by the same Run is not a repeat); a
// later execution, with another Run, is one.
type Request struct {
	// Scope is the key space the key was given in: the org id for
	// coordinator routes. A store writes the marker only in the partition
	// of the org that Scope names.
	Scope string
	// Key is the Idempotency-Key and a digest of the method, path and
	// body ("key#digest"): the same key with another body, once the
	// key's record has gone, is another request.
	Key string
	// Run is this execution's random id.
	Run string
	// At is when the middleware took the request (its clock). A store
	// gives the marker an expiry of At plus TTL and treats a marker whose
	// expiry has passed as absent, as the key's record is by then.
	At time.Time

	applied atomic.Bool
}

// Applied records that the store found the request's marker from an
// earlier execution: the middleware then keeps this execution's reply
// for the key, as it would a success, instead of releasing the key.
func (r *Request) Applied() { r.applied.Store(true) }

type requestOf struct{}

// RequestFrom returns the request ctx serves, or nil when it carries no
// Idempotency-Key (or did not come through Middleware).
func RequestFrom(ctx context.Context) *Request {
	r, _ := ctx.Value(requestOf{}).(*Request)
	return r
}

// WithRequest returns ctx serving r; Middleware does this for every POST
// with a key.
func WithRequest(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, requestOf{}, r)
}

// ErrApplied is a repeat of a request that already took effect in an
// earlier execution whose reply was lost: nothing was done again.
var ErrApplied = errors.New("a request with this Idempotency-Key already took effect; its reply was lost, and nothing was done again")

// AppliedError is ErrApplied naming what the earlier execution made or
// changed (Ref: an id such as inv_…, "" when the write named none) and
// the ids of anything else it made alongside (Made: a send's dlv_…
// deliveries; nil when none), so the API can answer the retry with
// what the first execution would have answered.
type AppliedError struct {
	Ref  string
	Made []string
}

func (e *AppliedError) Error() string {
	if e.Ref == "" {
		return ErrApplied.Error()
	}
	return ErrApplied.Error() + " (" + e.Ref + ")"
}

// Is makes errors.Is(err, ErrApplied) hold.
func (e *AppliedError) Is(target error) bool { return target == ErrApplied }

func newRun() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
