// Package issuer is a minimal OpenID Connect issuer served over HTTPS on loopback: discovery, JWKS and a mint
// endpoint that signs RS256 ID tokens with whatever claims a test asks for. The apiserver trusts it through its
// AuthenticationConfiguration, so tests exercise the real JWT authenticator.
package issuer

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"time"
)

// Issuer serves discovery, keys and minting.
type Issuer struct {
	URL      string // https://127.0.0.1:PORT, byte-for-byte the "iss" of every token
	Audience string
	key      *rsa.PrivateKey
	kid      string
	server   *http.Server
}

// MintRequest is the body of POST /mint. Claims, when given, are merged over the defaults (iss, aud, sub, groups,
// iat, nbf, exp), so tests can also mint tokens with odd or missing claims.
type MintRequest struct {
	Sub        string         `json:"sub"`
	Groups     []string       `json:"groups,omitempty"`
	TTLSeconds int            `json:"ttlSeconds,omitempty"`
	Claims     map[string]any `json:"claims,omitempty"` // any JSON value: the point is to send arbitrary claims
}

// Start listens on listener (already bound to loopback) with the given serving certificate.
func Start(listener net.Listener, cert tls.Certificate, audience string) (*Issuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	is := &Issuer{
		URL:      "https://" + listener.Addr().String(),
		Audience: audience,
		key:      key,
		kid:      fmt.Sprintf("e2e-%d", time.Now().Unix()),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", is.discovery)
	mux.HandleFunc("GET /keys", is.keys)
	mux.HandleFunc("POST /mint", is.mint)
	mux.HandleFunc("GET /as/{iss}/{n}/.well-known/openid-configuration", is.aliasDiscovery)
	mux.HandleFunc("POST /sign", is.sign)
	is.server = &http.Server{
		Handler:           mux,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = is.server.ServeTLS(listener, "", "") }()
	return is, nil
}

// Close stops serving.
func (is *Issuer) Close() error { return is.server.Close() }

func (is *Issuer) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{
		"issuer":                                is.URL,
		"jwks_uri":                              is.URL + "/keys",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
	})
}

// aliasDiscovery serves discovery for another issuer name (base64url in the path, unpadded), with this issuer's
// keys: an AuthenticationConfiguration whose issuer.url is https://auth.example.com can set issuer.discoveryURL to
// https://127.0.0.1:PORT/as/<b64(url)>/<n>/.well-known/openid-configuration and keep its own url. The path segment
// <n> only makes the discovery URLs of several authenticators with the same url distinct.
func (is *Issuer) aliasDiscovery(w http.ResponseWriter, r *http.Request) {
	name, err := base64.RawURLEncoding.DecodeString(r.PathValue("iss"))
	if err != nil {
		http.Error(w, "issuer name: "+err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, map[string]any{
		"issuer":                                string(name),
		"jwks_uri":                              is.URL + "/keys",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
	})
}

// SignRequest is the body of POST /sign: a payload signed byte for byte as given (so a test decides exactly how
// numbers and keys are written), under a header merged over {alg: RS256, typ: JWT, kid}. The signature is always
// RS256 with this issuer's key, whatever the header claims (a test of a refused "alg" needs only the header).
type SignRequest struct {
	Header  map[string]any `json:"header,omitempty"`
	Payload string         `json:"payload"`
}

func (is *Issuer) sign(w http.ResponseWriter, r *http.Request) {
	var req SignRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "bad sign request: "+err.Error(), http.StatusBadRequest)
		return
	}
	header := map[string]any{"alg": "RS256", "typ": "JWT", "kid": is.kid}
	for k, v := range req.Header {
		header[k] = v
	}
	token, err := is.signJWS(header, []byte(req.Payload))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]string{"token": token})
}

func (is *Issuer) keys(w http.ResponseWriter, _ *http.Request) {
	pub := is.key.PublicKey
	writeJSON(w, map[string]any{"keys": []map[string]string{{
		"kty": "RSA",
		"kid": is.kid,
		"use": "sig",
		"alg": "RS256",
		"n":   b64(pub.N.Bytes()),
		"e":   b64(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

func (is *Issuer) mint(w http.ResponseWriter, r *http.Request) {
	var req MintRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "bad mint request: "+err.Error(), http.StatusBadRequest)
		return
	}
	token, err := is.Mint(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]string{"token": token})
}

// Mint signs an ID token.
func (is *Issuer) Mint(req MintRequest) (string, error) {
	now := time.Now()
	ttl := time.Duration(req.TTLSeconds) * time.Second
	if ttl <= 0 {
		ttl = time.Hour
	}
	claims := map[string]any{
		"iss": is.URL,
		"aud": is.Audience,
		"sub": req.Sub,
		"iat": now.Unix(),
		"nbf": now.Add(-30 * time.Second).Unix(),
		"exp": now.Add(ttl).Unix(),
	}
	if req.Groups != nil {
		claims["groups"] = req.Groups
	}
	for k, v := range req.Claims {
		if v == nil {
			delete(claims, k) // an explicit null removes a default claim
		} else {
			claims[k] = v
		}
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	return is.signJWS(map[string]any{"alg": "RS256", "typ": "JWT", "kid": is.kid}, payload)
}

// signJWS returns the compact RS256 serialisation of payload under header.
func (is *Issuer) signJWS(header map[string]any, payload []byte) (string, error) {
	headerJSON, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	signingInput := b64(headerJSON) + "." + b64(payload)
	digest := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(rand.Reader, is.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return signingInput + "." + b64(sig), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
