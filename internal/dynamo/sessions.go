package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/session"
)

func sessionSK(id string) string                    { return "SES#" + id }
func sessionsByStartPK(org string) string           { return "ORG#" + org + "#SESSIONS" }
func clientSessionsPK(org, cli string) string       { return "ORG#" + org + "#CLIENT#" + cli + "#SES" }
func sessionStartKey(t time.Time, id string) string { return t.UTC().Format(time.RFC3339) + "#" + id }

type sessionItem struct {
	PK, SK             string
	GSI1PK, GSI1SK     string
	GSI2PK, GSI2SK     string
	Type               string `dynamodbav:"type"`
	ID                 string `dynamodbav:"id"`
	OrgID              string `dynamodbav:"orgId"`
	ClientID           string `dynamodbav:"clientId"`
	Start              string `dynamodbav:"start"`
	Minutes            int    `dynamodbav:"minutes"`
	Description        string `dynamodbav:"description"`
	Price              num    `dynamodbav:"price,omitempty"`
	Rate               num    `dynamodbav:"rate,omitempty"`
	SupportItem        string `dynamodbav:"supportItem,omitempty"`
	TaxRate            *num   `dynamodbav:"taxRate,omitempty"`
	Location           string `dynamodbav:"location,omitempty"`
	Attendance         string `dynamodbav:"attendance"`
	CancellationReason string `dynamodbav:"cancellationReason,omitempty"`
	InvoiceID          string `dynamodbav:"invoiceId,omitempty"`
	InvoiceMode        string `dynamodbav:"invoiceMode,omitempty"`
	Version            int64  `dynamodbav:"version"`
	CreatedAt          string `dynamodbav:"createdAt"`
	UpdatedAt          string `dynamodbav:"updatedAt"`
}

func sessionToItem(s *session.Session) sessionItem {
	sp := s.Spec
	it := sessionItem{
		PK: orgPK(s.OrgID), SK: sessionSK(s.ID),
		GSI1PK: clientSessionsPK(s.OrgID, sp.ClientID), GSI1SK: sessionStartKey(sp.Start, s.ID),
		GSI2PK: sessionsByStartPK(s.OrgID), GSI2SK: sessionStartKey(sp.Start, s.ID),
		Type: "session", ID: s.ID, OrgID: s.OrgID, ClientID: sp.ClientID, Start: sp.Start.Format(time.RFC3339),
		Minutes: sp.Minutes, Description: sp.Service.Description, SupportItem: sp.Service.SupportItem, Location: sp.Location,
		Attendance: string(s.Attendance), CancellationReason: s.CancellationReason, InvoiceID: s.InvoiceID, InvoiceMode: s.InvoiceMode,
		Version: s.Version, CreatedAt: ts(s.CreatedAt), UpdatedAt: ts(s.UpdatedAt),
	}
	if !sp.Service.Price.IsZero() {
		it.Price = toNum(sp.Service.Price)
	}
	if !sp.Service.Rate.IsZero() {
		it.Rate = toNum(sp.Service.Rate)
	}
	if r := sp.Service.TaxRate; r != nil {
		n := toNum(*r)
		it.TaxRate = &n
	}
	return it
}

func (it sessionItem) toSession() (*session.Session, error) {
	start, err := time.Parse(time.RFC3339, it.Start)
	if err != nil {
		return nil, fmt.Errorf("session %s: start %q: %w", it.ID, it.Start, err)
	}
	s := &session.Session{
		ID: it.ID, OrgID: it.OrgID, Attendance: session.Attendance(it.Attendance), CancellationReason: it.CancellationReason,
		InvoiceID: it.InvoiceID, InvoiceMode: it.InvoiceMode, Version: it.Version,
		CreatedAt: fromTS(it.CreatedAt), UpdatedAt: fromTS(it.UpdatedAt),
		Spec: session.Spec{ClientID: it.ClientID, Start: start, Minutes: it.Minutes, Location: it.Location,
			Service: session.Service{Description: it.Description, SupportItem: it.SupportItem}},
	}
	if s.Spec.Service.Price, err = fromNum("price", it.Price); err != nil {
		return nil, err
	}
	if s.Spec.Service.Rate, err = fromNum("rate", it.Rate); err != nil {
		return nil, err
	}
	if it.TaxRate != nil {
		r, err := fromNum("taxRate", *it.TaxRate)
		if err != nil {
			return nil, err
		}
		s.Spec.Service.TaxRate = &r
	}
	return s, nil
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, ses *session.Session) error {
	ses.Version = 1
	work, err := s.sessionWork(ses, false)
	if err == nil {
		err = s.createWith(ctx, ses.OrgID, ses.ID, sessionToItem(ses), nil, work...)
	}
	if err != nil {
		return fmt.Errorf("create session %s: %w", ses.ID, err)
	}
	return nil
}

// GetSession reads a session of org.
func (s *Store) GetSession(ctx context.Context, orgID, id string) (*session.Session, error) {
	var it sessionItem
	found, err := s.get(ctx, orgPK(orgID), sessionSK(id), &it)
	if err != nil {
		return nil, fmt.Errorf("get session %s: %w", id, err)
	}
	if !found {
		return nil, fmt.Errorf("get session %s: %w", id, session.ErrNotFound)
	}
	return it.toSession()
}

// UpdateSession applies change and, when it reports a change, writes the
// session back conditioned on the version read; a lost race re-reads and
// runs change again, so two concurrent attendance clicks see each other's
// write.
func (s *Store) UpdateSession(ctx context.Context, orgID, id string, change func(*session.Session) (bool, error)) (*session.Session, error) {
	var ses *session.Session
	err := optimistic(ctx, fmt.Errorf("update session %s: %w", id, session.ErrConflict), func() error {
		var err error
		if ses, err = s.GetSession(ctx, orgID, id); err != nil {
			return err
		}
		wasBillable := run.BillableSession(ses)
		changed, err := change(ses)
		if err != nil || !changed {
			return err
		}
		prev := ses.Version
		ses.Version++
		if err := s.putSession(ctx, ses, prev, wasBillable); err != nil {
			return fmt.Errorf("update session %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ses, nil
}

// putSession replaces a session at version prev with its NDIS work index
// write (sessionWork) in the same transaction, or alone when it needs none.
func (s *Store) putSession(ctx context.Context, ses *session.Session, prev int64, wasBillable bool) error {
	work, err := s.sessionWork(ses, wasBillable)
	if err != nil {
		return err
	}
	if len(work) == 0 {
		return s.putVersioned(ctx, sessionToItem(ses), prev)
	}
	av, err := attributevalue.MarshalMap(sessionToItem(ses))
	if err != nil {
		return err
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append([]types.TransactWriteItem{s.versionedTxPut(av, prev)}, work...)})
	return err
}

// ListSessions lists sessions starting in [from, to), by start time, all
// the org's or one client's.
func (s *Store) ListSessions(ctx context.Context, orgID, clientID string, from, to time.Time, limit int, cursor string) ([]*session.Session, string, error) {
	q := listQuery{
		org: orgID, index: indexGSI2, pk: sessionsByStartPK(orgID), forward: true, limit: limit, cursor: cursor,
		skCond: "#sk BETWEEN :sk AND :skTo", sk: from.UTC().Format(time.RFC3339),
		values: map[string]types.AttributeValue{":skTo": strAV(to.UTC().Format(time.RFC3339))},
	}
	if clientID != "" {
		q.index, q.pk = indexGSI1, clientSessionsPK(orgID, clientID)
	}
	items, next, err := s.run(ctx, q)
	if err != nil {
		return nil, "", fmt.Errorf("list sessions: %w", err)
	}
	out := make([]*session.Session, 0, len(items))
	for _, item := range items {
		var it sessionItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return nil, "", fmt.Errorf("list sessions: %w", err)
		}
		ses, err := it.toSession()
		if err != nil {
			return nil, "", fmt.Errorf("list sessions: %w", err)
		}
		out = append(out, ses)
	}
	return out, next, nil
}

// UpdateSessionAndDraft applies change to a session and a draft invoice
// and writes both in one TransactWriteItems, each conditioned on the
// version read: a session's line lands on its period's draft exactly when
// the session records it. A lost race re-reads both and runs change again.
// Drafts owe nothing, so no balance moves.
func (s *Store) UpdateSessionAndDraft(ctx context.Context, orgID, sessionID, invoiceID string, change func(*session.Session, *invoice.Invoice) (bool, error)) (*session.Session, *invoice.Invoice, error) {
	var (
		ses *session.Session
		inv *invoice.Invoice
	)
	conflict := fmt.Errorf("update session %s and draft %s: %w", sessionID, invoiceID, session.ErrConflict)
	err := optimistic(ctx, conflict, func() error {
		var err error
		if ses, err = s.GetSession(ctx, orgID, sessionID); err != nil {
			return err
		}
		if inv, err = s.GetInvoice(ctx, orgID, invoiceID); err != nil {
			return err
		}
		wasBillable := run.BillableSession(ses)
		changed, err := change(ses, inv)
		if err != nil || !changed {
			return err
		}
		prevS, prevI := ses.Version, inv.Version
		ses.Version++
		inv.Version++
		sav, err := attributevalue.MarshalMap(sessionToItem(ses))
		if err != nil {
			return fmt.Errorf("update session %s and draft %s: %w", sessionID, invoiceID, err)
		}
		iav, err := attributevalue.MarshalMap(invoiceToItem(inv))
		if err != nil {
			return fmt.Errorf("update session %s and draft %s: %w", sessionID, invoiceID, err)
		}
		work, err := s.sessionWork(ses, wasBillable)
		if err != nil {
			return fmt.Errorf("update session %s and draft %s: %w", sessionID, invoiceID, err)
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append([]types.TransactWriteItem{
			s.versionedTxPut(sav, prevS), s.versionedTxPut(iav, prevI),
		}, work...)})
		if err != nil {
			return fmt.Errorf("update session %s and draft %s: %w", sessionID, invoiceID, err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return ses, inv, nil
}
