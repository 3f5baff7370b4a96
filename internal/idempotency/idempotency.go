// Package idempotency makes a POST safe to retry: the first request with an
// Idempotency-Key runs; a repeat with the same key and body gets the stored
// response without running again; the same key with another body is
// refused. Records move INPROGRESS → COMPLETED and expire after a day, in the
// pattern of AWS Lambda Powertools' idempotency utility.
package idempotency

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Header is the request header carrying the key.
const Header = "Idempotency-Key"

// ReplayedHeader is set to "true" on an answer that did not run the
// request: a stored response replayed, or the made resource of an
// earlier execution whose reply was lost (AppliedError).
const ReplayedHeader = "Idempotent-Replayed"

// Status is a record's state.
type Status string

// Record states.
const (
	InProgress Status = "INPROGRESS"
	Completed  Status = "COMPLETED"
)

// Lifetimes of records.
const (
	// TTL is how long a key is remembered, as Stripe keeps keys: its
	// record, and the marker a write carries of it (Request), expire a
	// day after the request, and a key sent again after that is a new
	// request.
	TTL              = 24 * time.Hour
	InProgressExpiry = 60 * time.Second // longer than any function's timeout
)

// Record is what is kept per key.
type Record struct {
	Key         string
	RequestHash string
	Status      Status
	StatusCode  int
	ContentType string
	Location    string
	Body        []byte // gzip-compressed response body
}

// ErrExists is returned by Store.Begin when the key is already held by a
// live record, which it returns alongside.
var ErrExists = errors.New("idempotency key already used")

// Store keeps records.
type Store interface {
	// Begin claims key for a request with hash. If a live record holds the
	// key it returns that record and ErrExists.
	Begin(ctx context.Context, key, hash string, now time.Time) (*Record, error)
	// Complete stores the response for a claimed key.
	Complete(ctx context.Context, rec Record, now time.Time) error
	// Release forgets a claimed key so the request can be retried.
	Release(ctx context.Context, key string) error
}

// ErrorWriter writes a JSON error; the transport layer supplies its own so
// errors look the same everywhere.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, status int, code, message string)

// Middleware honours Idempotency-Key on POST requests. scope says whose key
// space a request is in (the org), so two orgs' keys never meet. Requests
// without the header pass straight through. A failure to complete or
// release a key after the request ran is logged to log (the reply still
// goes out: the request's effect happened, or did not, either way); a
// key left in progress answers 409 until its record expires.
func Middleware(store Store, scope func(*http.Request) string, now func() time.Time, fail ErrorWriter, log *slog.Logger, next http.Handler) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := r.Header.Get(Header)
		if r.Method != http.MethodPost || k == "" {
			next.ServeHTTP(w, r)
			return
		}
		if !validKey(k) {
			fail(w, r, http.StatusBadRequest, "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 visible ASCII characters")
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			fail(w, r, http.StatusRequestEntityTooLarge, "body_too_large", "request body is too large")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sc := scope(r)
		key := sc + "#" + k
		h := sha256.New()
		h.Write([]byte(r.Method + " " + r.URL.Path + "?" + r.URL.RawQuery + "\n"))
		h.Write(body)
		hash := hex.EncodeToString(h.Sum(nil))

		existing, err := store.Begin(r.Context(), key, hash, now())
		switch {
		case errors.Is(err, ErrExists) && existing.RequestHash != hash:
			fail(w, r, http.StatusUnprocessableEntity, "idempotency_key_reused", "this Idempotency-Key was used with a different request")
			return
		case errors.Is(err, ErrExists) && existing.Status == InProgress:
			fail(w, r, http.StatusConflict, "request_in_progress", "a request with this Idempotency-Key is still in progress; retry shortly")
			return
		case errors.Is(err, ErrExists):
			replay(w, existing)
			return
		case err != nil:
			log.WarnContext(r.Context(), "idempotency: begin key", slog.String("error", err.Error()))
			w.Header().Set("Retry-After", "2")
			fail(w, r, http.StatusServiceUnavailable, "unavailable", "could not check the Idempotency-Key; retry shortly")
			return
		}

		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		req := &Request{Scope: sc, Key: k + "#" + hash[:16], Run: newRun(), At: now()}
		ctx := WithRequest(context.WithValue(r.Context(), keyOf{}, req.Key), req)
		next.ServeHTTP(rec, r.WithContext(ctx))
		// Refusals (4xx: bad input, a state conflict, a business rule) and
		// server errors are not remembered: the request took no effect, so
		// a retry, perhaps after a fix, must run again (Stripe's rule too).
		// A repeat that met its earlier execution's marker is remembered
		// (unless it failed on our side): running it again would meet the
		// marker again.
		ctx = context.WithoutCancel(r.Context())
		if rec.status >= 500 || (rec.status >= 400 && !req.applied.Load()) {
			if err := store.Release(ctx, key); err != nil {
				log.ErrorContext(ctx, "idempotency: release key after a refused request; retries answer 409 until it expires",
					slog.String("key", key), slog.Int("status", rec.status), slog.String("error", err.Error()))
			}
		} else if err := store.Complete(ctx, Record{
			Key: key, RequestHash: hash, Status: Completed, StatusCode: rec.status,
			ContentType: rec.header.Get("Content-Type"), Location: rec.header.Get("Location"),
			Body: compress(rec.body.Bytes()),
		}, now()); err != nil {
			log.ErrorContext(ctx, "idempotency: complete key; retries answer 409 until it expires, never run twice",
				slog.String("key", key), slog.Int("status", rec.status), slog.String("error", err.Error()))
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	})
}

type keyOf struct{}

// Key names the request ctx serves by its Idempotency-Key and a digest
// of the request ("key#digest", unique within the org), or "" without
// a key: the same key sent again with another body, after its record
// expired, names another request. A use case that must not run twice even
// when its reply is lost with its function (the key's record is left in
// progress, expires, and the client's retry runs the request again)
// keys its effect to it in the same transaction: recording a payment
// does (payment.Payment.RequestKey); other writes carry the Request's
// marker (RequestFrom).
func Key(ctx context.Context) string {
	k, _ := ctx.Value(keyOf{}).(string)
	return k
}

func replay(w http.ResponseWriter, rec *Record) {
	body, err := decompress(rec.Body)
	if err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"stored response unreadable"}}`, http.StatusInternalServerError)
		return
	}
	if rec.ContentType != "" {
		w.Header().Set("Content-Type", rec.ContentType)
	}
	if rec.Location != "" {
		w.Header().Set("Location", rec.Location)
	}
	w.Header().Set(ReplayedHeader, "true")
	w.WriteHeader(rec.StatusCode)
	_, _ = w.Write(body)
}

func validKey(k string) bool {
	if len(k) > 255 {
		return false
	}
	for i := range len(k) {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}

func compress(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func decompress(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
