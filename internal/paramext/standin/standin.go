// Package standin serves the AWS Parameters and Secrets Lambda
// Extension's parameter endpoint from an SSM API (moto's, locally and in
// tests), as the extension layer does beside a function in Lambda: the
// local stack and the tests run the payments function against it, the
// way they stand in for API Gateway and SQS event sources.
package standin

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/carebill/carebill/internal/paramext"
)

// Handler answers GET /systemsmanager/parameters/get?name=…[&withDecryption=true]
// with GetParameter's response from api, for requests carrying token in
// paramext.TokenHeader: 401 without it, 400 without a name or for a
// parameter SSM does not have, 502 when SSM fails otherwise.
func Handler(api *ssm.Client, token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /systemsmanager/parameters/get", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(paramext.TokenHeader) != token {
			http.Error(w, "missing or wrong "+paramext.TokenHeader, http.StatusUnauthorized)
			return
		}
		name := r.URL.Query().Get("name")
		if name == "" {
			http.Error(w, "name is required", http.StatusBadRequest)
			return
		}
		decrypt, _ := strconv.ParseBool(r.URL.Query().Get("withDecryption"))
		out, err := api.GetParameter(r.Context(), &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(decrypt)})
		var notFound *types.ParameterNotFound
		switch {
		case errors.As(err, &notFound):
			http.Error(w, "ParameterNotFound: "+name, http.StatusBadRequest)
			return
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": out.Parameter})
	})
	return mux
}

// Start serves Handler on a free 127.0.0.1 port and returns the server
// and the variables that point a function's paramext client at it
// (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, AWS_SESSION_TOKEN). The
// caller closes the server.
func Start(api *ssm.Client, token string) (*httptest.Server, map[string]string, error) {
	srv := httptest.NewServer(Handler(api, token))
	u, err := url.Parse(srv.URL)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return srv, map[string]string{"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": u.Port(), "AWS_SESSION_TOKEN": token}, nil
}
