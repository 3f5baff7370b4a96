// Package auth turns a Cognito ID token into a Principal: who is calling,
// for which org, with which role. Tokens are verified here, in code
// (signature via the pool's JWKS, issuer, audience, token use, lifetime),
// so there is no mode in which a request skips verification.
//
// The package also declares the sentinel errors of sign-up and login, so
// the transport layer maps every authentication outcome from one place.
package auth
