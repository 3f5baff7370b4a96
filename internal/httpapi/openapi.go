package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// routeDoc describes one route in the OpenAPI document (routeDocs).
type routeDoc struct {
	// Summary says in one line what the route does.
	Summary string
	// Public routes need no sign-in; every other route takes a bearer ID
	// token or the session cookie.
	Public bool
	// Body is the request body: a zero value of the Go type the handler
	// decodes, or a schema. Nil: the route reads no body.
	Body any
	// OptionalBody: the route also accepts no body at all.
	OptionalBody bool
	// Reply is the success reply as JSON: a zero value of the Go type the
	// handler encodes, or a schema. Nil: no JSON reply.
	Reply any
	// Media lists the success reply's other media types ("application/pdf").
	Media []string
	// Status is the success status; 0 means 200. AlsoStatus is another
	// success status the same reply comes with.
	Status, AlsoStatus int
	// Query names the query parameters the route reads (queryParams).
	Query []string
	// HTMLErrors: failures are pages for a person (text/html), not JSON.
	HTMLErrors bool
}

// queryParams are the query parameters routes read, by name.
var queryParams = map[string]schema{
	"limit":    {"type": "integer", "minimum": 1, "maximum": 200, "description": "page size"},
	"cursor":   {"type": "string", "description": "nextCursor from the previous page"},
	"include":  {"type": "string", "enum": []any{"ndisPlan"}, "description": "what to add to the reply"},
	"q":        {"type": "string", "description": "search text"},
	"status":   {"type": "string"},
	"clientId": {"type": "string"},
	"cycleId":  {"type": "string"},
	"from":     {"type": "string", "format": "date"},
	"to":       {"type": "string", "format": "date"},
	"asAt":     {"type": "string", "format": "date"},
	"kind":     {"type": "string", "enum": []any{"activity", "outstanding"}},
	"format":   {"type": "string"},
	"rotate":   {"type": "boolean"},
	"preview":  {"type": "boolean"},
	"part":     {"type": "integer", "minimum": 1, "description": "which file, from 1"},

	"periodStart":      {"type": "string", "format": "date"},
	"periodEnd":        {"type": "string", "format": "date"},
	"excludeClientIds": {"type": "string", "description": "client ids, comma-separated"},

	"invoiceId": {"type": "string", "description": "the invoice whose credit notes to list"},
}

var pathParam = regexp.MustCompile(`\{([A-Za-z]+)\}`)

var (
	openAPIOnce sync.Once
	openAPIJSON []byte
	openAPIErr  error
)

// openAPIDocument is the OpenAPI 3.1 document of every route in
// routeDocs, as JSON.
func openAPIDocument() ([]byte, error) {
	openAPIOnce.Do(func() {
		doc, err := buildOpenAPI(routeDocs)
		if err != nil {
			openAPIErr = err
			return
		}
		openAPIJSON, openAPIErr = json.MarshalIndent(doc, "", " ")
	})
	return openAPIJSON, openAPIErr
}

// openAPI serves GET /v1/openapi.json.
func (s *server) openAPI(w http.ResponseWriter, r *http.Request) {
	doc, err := openAPIDocument()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(doc)
}

// buildOpenAPI writes the document: one operation per route, its body and
// replies, and every failure as the one error shape.
func buildOpenAPI(routes map[string]routeDoc) (schema, error) {
	sc := newSchemas()
	errRef := schema{"$ref": "#/components/schemas/Error"}
	paths := schema{}
	keys := make([]string, 0, len(routes))
	for k := range routes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, pattern := range keys {
		d := routes[pattern]
		method, path, ok := strings.Cut(pattern, " ")
		if !ok || d.Summary == "" {
			return nil, fmt.Errorf("openapi: route %q needs a method and a summary", pattern)
		}
		op := schema{"summary": d.Summary, "operationId": operationID(method, path)}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			params = append(params, schema{"name": m[1], "in": "path", "required": true, "schema": schema{"type": "string"}})
		}
		for _, q := range d.Query {
			qs, ok := queryParams[q]
			if !ok {
				return nil, fmt.Errorf("openapi: route %q reads query parameter %q, which queryParams does not describe", pattern, q)
			}
			params = append(params, schema{"name": q, "in": "query", "schema": qs})
		}
		if params != nil {
			op["parameters"] = params
		}
		if d.Body != nil {
			op["requestBody"] = schema{"required": !d.OptionalBody, "content": schema{
				"application/json": schema{"schema": sc.of(d.Body, true)},
			}}
		}
		if d.Public {
			op["security"] = []any{}
		}
		status := d.Status
		if status == 0 {
			status = http.StatusOK
		}
		ok200 := schema{"description": http.StatusText(status)}
		content := schema{}
		if d.Reply != nil {
			content["application/json"] = schema{"schema": sc.of(d.Reply, false)}
		}
		for _, m := range d.Media {
			content[m] = schema{"schema": schema{"type": "string", "contentMediaType": m}}
		}
		if len(content) > 0 {
			ok200["content"] = content
		}
		if status == http.StatusSeeOther {
			ok200["headers"] = schema{"Location": schema{"required": true, "schema": schema{"type": "string"}}}
		}
		responses := schema{strconv.Itoa(status): ok200}
		if d.AlsoStatus != 0 {
			also := schema{"description": http.StatusText(d.AlsoStatus)}
			if len(content) > 0 {
				also["content"] = content
			}
			responses[strconv.Itoa(d.AlsoStatus)] = also
		}
		failure := schema{"application/json": schema{"schema": errRef}}
		if d.HTMLErrors {
			failure["text/html"] = schema{"schema": schema{"type": "string"}}
		}
		responses["default"] = schema{"description": "a failure: 400 bad input (field names it), 401 not signed in, 403 role may not, " +
			"404 not found or not this org's, 409 state conflict, 415 not JSON, 422 business rule", "content": failure}
		op["responses"] = responses
		item, _ := paths[path].(schema)
		if item == nil {
			item = schema{}
			paths[path] = item
		}
		item[strings.ToLower(method)] = op
	}
	components := sc.components
	components["Error"] = schema{
		"type": "object", "required": []string{"error"}, "additionalProperties": false,
		"properties": schema{"error": schema{
			"type": "object", "required": []string{"code", "message"}, "additionalProperties": false,
			"properties": schema{
				"code":    schema{"type": "string", "description": "stable, for programs (invoice_locked)"},
				"message": schema{"type": "string", "description": "for people"},
				"field":   schema{"type": "string", "description": "the field at fault (lineItems[0].rate)"},
				// POST /v1/invoice-runs: run_exists names the period's run;
				// run_blocked lists each participant's alerts with its fix.
				"runId":   schema{"type": "string", "description": "run_exists: the period's invoice run"},
				"cycleId": schema{"type": "string", "description": "period_closed: the closed billing cycle (cyc_20261001)"},
				"id":      schema{"type": "string", "description": "request_already_applied: what the request's earlier execution made or changed (inv_…)"},
				"clients": sc.of([]blockedJSON{}, false),
			},
		}},
	}
	return schema{
		"openapi": "3.1.0",
		"info": schema{
			"title":   "carebill API",
			"version": "1",
			"description": "Amounts, quantities and rates are decimal strings (\"2055.00\"), never JSON numbers; dates YYYY-MM-DD; " +
				"timestamps RFC 3339; lists answer {data, nextCursor}. Every POST honours an Idempotency-Key header.",
		},
		"paths": paths,
		"components": schema{
			"schemas": components,
			"securitySchemes": schema{
				"bearer":  schema{"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "the token POST /auth/login answers"},
				"session": schema{"type": "apiKey", "in": "cookie", "name": sessionCookie, "description": "the browser session from /auth/login; a write a page on another origin makes (Sec-Fetch-Site other than same-origin, or an Origin naming another host) is refused 403 cross_origin"},
			},
		},
		"security": []any{schema{"bearer": []any{}}, schema{"session": []any{}}},
	}, nil
}

// operationID names an operation after its route: "GET /v1/invoices/{id}/pdf"
// is getV1InvoicesIdPdf.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, part := range strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '{' || r == '}' || r == '-' || r == '.' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
