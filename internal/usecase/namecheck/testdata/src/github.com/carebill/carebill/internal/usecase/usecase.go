// Package usecase has the signature of carebill's usecase.Name at the
// import path the analyzer recognises (analysistest loads testdata in
// GOPATH mode, outside the module).
package usecase

import "fmt"

// Name puts the use case's name in front of *err.
func Name(err *error, format string, args ...any) {
	if *err != nil {
		*err = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *err)
	}
}
