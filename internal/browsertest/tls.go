package browsertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Hosts are the names the certificate covers and the browser resolves to
// 127.0.0.1: Tessera, its front-ends and API on sibling subdomains, and a
// site of another owner.
var Hosts = []string{
	"auth.tessera.test", "app.tessera.test", "admin.tessera.test", "api.tessera.test", "evil.test",
}

// certificate is one self-signed certificate for every host. Chromium
// trusts it through --ignore-certificate-errors-spki-list, which names its
// public key: every other certificate is still checked.
type certificate struct {
	tls  tls.Certificate
	x509 *x509.Certificate
	spki string // base64(sha256(SubjectPublicKeyInfo))
}

func newCertificate() (*certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("certificate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, fmt.Errorf("certificate serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "tessera.test"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              Hosts,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("create certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse certificate: %w", err)
	}
	sum := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	return &certificate{
		tls:  tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		x509: leaf,
		spki: base64.StdEncoding.EncodeToString(sum[:]),
	}, nil
}

// pool is a root pool holding only this certificate, for Go clients.
func (c *certificate) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.x509)
	return p
}
