package httpapi

import "net/http"

// router is a ServeMux that remembers its patterns, so tests can walk
// every route the API serves (export_test.go) and no route escapes the
// rules every body must pass.
type router struct {
	*http.ServeMux
	patterns *[]string
}

func newRouter(patterns *[]string) router {
	return router{ServeMux: http.NewServeMux(), patterns: patterns}
}

// HandleFunc registers h for pattern.
func (r router) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	*r.patterns = append(*r.patterns, pattern)
	r.ServeMux.HandleFunc(pattern, h)
}

// Handle registers h for pattern.
func (r router) Handle(pattern string, h http.Handler) {
	*r.patterns = append(*r.patterns, pattern)
	r.ServeMux.Handle(pattern, h)
}

// api is the handler New and NewPayments return: the whole middleware
// chain, and the patterns behind it.
type api struct {
	http.Handler
	patterns []string
}
