package seal

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bitnami/sealed-secrets/pkg/crypto"
	"github.com/bitnami/sealed-secrets/pkg/kubeseal"
	certutil "k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"

	"github.com/emmdev/emmdev/internal/atomicfile"
)

const (
	// DevCertPath is where the dev sealing certificate lives, relative to the
	// project root. It is public and committed.
	DevCertPath = ".emmdev/dev-sealing-cert.pem"
	// EnvKeyPath overrides the dev private key location.
	EnvKeyPath = "EMMDEV_SEALING_KEY"
	// EnvCertPath overrides the dev certificate location.
	EnvCertPath = "EMMDEV_SEALING_CERT"

	// DefaultKeyBits matches the sealed-secrets controller's default key size.
	DefaultKeyBits = 4096
	// DefaultValidity matches the controller's default certificate TTL (10 years).
	DefaultValidity = 10 * 365 * 24 * time.Hour
	devCommonName   = "emmdev-dev-sealing-key"
)

// DefaultKeyPaths returns where the dev private key and certificate are
// expected. The key defaults to ${XDG_CONFIG_HOME:-$HOME/.config}/emmdev/sealing/dev-key.pem
// (outside any repository) and is overridden by EMMDEV_SEALING_KEY; the cert
// defaults to DevCertPath (relative: resolve it against the project root) and
// is overridden by EMMDEV_SEALING_CERT.
func DefaultKeyPaths(getenv func(string) string) (keyPath, certPath string) {
	keyPath = getenv(EnvKeyPath)
	if keyPath == "" {
		base := getenv("XDG_CONFIG_HOME")
		if base == "" {
			base = filepath.Join(getenv("HOME"), ".config")
		}
		keyPath = filepath.Join(base, "emmdev", "sealing", "dev-key.pem")
	}
	certPath = getenv(EnvCertPath)
	if certPath == "" {
		certPath = DevCertPath
	}
	return keyPath, certPath
}

// KeyPair is a sealing key: the RSA private key the controller decrypts with
// and the self-signed certificate whose public key seals.
type KeyPair struct {
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
}

// GenerateKeyPair makes a new key pair the way the controller does
// (sealed-secrets crypto.GeneratePrivateKeyAndCert).
func GenerateKeyPair(bits int, validFor time.Duration) (*KeyPair, error) {
	key, cert, err := crypto.GeneratePrivateKeyAndCert(bits, validFor, devCommonName)
	if err != nil {
		return nil, fmt.Errorf("generate sealing key: %w", err)
	}
	return &KeyPair{Key: key, Cert: cert}, nil
}

// KeyPEM encodes the private key as PKCS#1 PEM, the format the controller
// stores in tls.key and kubeseal --recovery-private-key reads.
func (kp *KeyPair) KeyPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: keyutil.RSAPrivateKeyBlockType, Bytes: x509.MarshalPKCS1PrivateKey(kp.Key)})
}

// CertPEM encodes the certificate as PEM.
func (kp *KeyPair) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: certutil.CertificateBlockType, Bytes: kp.Cert.Raw})
}

// Fingerprint identifies the public key (SHA256, as sealed-secrets prints it).
func (kp *KeyPair) Fingerprint() string {
	fp, err := crypto.PublicKeyFingerprint(&kp.Key.PublicKey)
	if err != nil {
		return "unknown"
	}
	return fp
}

// LoadKeyPair reads the dev private key and certificate and checks that they
// belong together. Errors name the file, never the key material.
func LoadKeyPair(keyPath, certPath string) (*KeyPair, error) {
	key, err := LoadPrivateKey(keyPath)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(certPath)
	if err != nil {
		return nil, fmt.Errorf("read sealing cert: %w", err)
	}
	certs, err := certutil.ParseCertsPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not a PEM certificate: %w", certPath, err)
	}
	pub, ok := certs[0].PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return nil, fmt.Errorf("%s does not match the private key %s", certPath, keyPath)
	}
	return &KeyPair{Key: key, Cert: certs[0]}, nil
}

// LoadPrivateKey reads an RSA private key (PKCS#1 or PKCS#8 PEM).
func LoadPrivateKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read sealing key: %w", err)
	}
	parsed, err := keyutil.ParsePrivateKeyPEM(data)
	if err != nil {
		// keyutil's messages do not include key bytes; still keep ours generic.
		return nil, fmt.Errorf("%s: not a PEM private key", path)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: sealed-secrets needs an RSA key, found %T", path, parsed)
	}
	return key, nil
}

// ParseCert reads a sealing certificate with kubeseal's own parser, which
// refuses expired certificates, and returns its public key and expiry.
func ParseCert(name string, data []byte) (*rsa.PublicKey, time.Time, error) {
	pub, err := kubeseal.ParseKey(bytes.NewReader(data))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%s: %w", name, err)
	}
	certs, err := certutil.ParseCertsPEM(data)
	if err != nil { // unreachable after ParseKey succeeded, kept for safety
		return nil, time.Time{}, fmt.Errorf("%s: %w", name, err)
	}
	return pub, certs[0].NotAfter, nil
}

// ErrExists is returned by WriteKeyPair when a file is already there.
var ErrExists = errors.New("already exists")

// RefuseOverwrite fails with ErrExists when any of the paths exists.
func RefuseOverwrite(paths ...string) error {
	for _, p := range paths {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s %w (use --force to replace it; existing SealedSecrets would no longer decrypt)", p, ErrExists)
		}
	}
	return nil
}

// WriteKeyPair stores the private key together with its certificate (0600,
// folder 0700) and the certificate on its own (0644), each atomically and
// the key file first, so a crash leaves the old pair or a new pair that
// LoadDevKeyPair completes. The key path must pass CheckKeyLocation. It
// refuses to replace either file unless force is set, because replacing the
// dev key makes every committed SealedSecret undecryptable; with force the
// old files are first copied next to themselves with BackupSuffix(now),
// mode 0600. It returns the backups it made.
func WriteKeyPair(kp *KeyPair, keyPath, certPath string, force bool, now time.Time) ([]string, error) {
	return writeKeyPair(kp, keyPath, certPath, force, now, nil)
}

// writeKeyPair is WriteKeyPair with a hook after the key file is in place,
// where the tests crash it.
func writeKeyPair(kp *KeyPair, keyPath, certPath string, force bool, now time.Time, afterKey func() error) ([]string, error) {
	if !force {
		if err := RefuseOverwrite(keyPath, certPath); err != nil {
			return nil, err
		}
	}
	if err := CheckKeyLocation(keyPath); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
		return nil, fmt.Errorf("create key directory: %w", err)
	}
	var backups []string
	if force {
		var err error
		if backups, err = backup(BackupSuffix(now), keyPath, certPath); err != nil {
			return backups, err
		}
	}
	if err := atomicfile.Write(keyPath, kp.keyFileContent(), 0o600); err != nil {
		return backups, err
	}
	if afterKey != nil {
		if err := afterKey(); err != nil {
			return backups, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(certPath), 0o755); err != nil {
		return backups, fmt.Errorf("create cert directory: %w", err)
	}
	return backups, atomicfile.Write(certPath, kp.CertPEM(), 0o644)
}
