package seal

import (
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bitnami/sealed-secrets/pkg/crypto"
	corev1 "k8s.io/api/core/v1"
	certutil "k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"
)

func TestDefaultKeyPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		env       map[string]string
		key, cert string
	}{
		{"home", map[string]string{"HOME": "/h"}, "/h/.config/emmdev/sealing/dev-key.pem", DevCertPath},
		{"xdg wins over home", map[string]string{"HOME": "/h", "XDG_CONFIG_HOME": "/x"}, "/x/emmdev/sealing/dev-key.pem", DevCertPath},
		{"explicit env", map[string]string{"HOME": "/h", EnvKeyPath: "/k.pem", EnvCertPath: "/c.pem"}, "/k.pem", "/c.pem"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, c := DefaultKeyPaths(func(s string) string { return tc.env[s] })
			if k != tc.key || c != tc.cert {
				t.Errorf("got %s %s, want %s %s", k, c, tc.key, tc.cert)
			}
		})
	}
}

func TestWriteAndLoadKeyPair(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "cfg", "emmdev", "sealing", "dev-key.pem")
	certPath := filepath.Join(dir, "repo", ".emmdev", "dev-sealing-cert.pem")
	kp, _ := newTestKey(t)
	if _, err := WriteKeyPair(kp, keyPath, certPath, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	for path, mode := range map[string]os.FileMode{keyPath: 0o600, filepath.Dir(keyPath): 0o700 | os.ModeDir, certPath: 0o644} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != mode {
			t.Errorf("%s mode %v, want %v", path, st.Mode(), mode)
		}
	}
	got, err := LoadKeyPair(keyPath, certPath)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Key.Equal(kp.Key) || !got.Cert.Equal(kp.Cert) {
		t.Error("loaded pair differs from the written one")
	}
	// Never replaced without force: the old key would orphan sealed files.
	other, _ := newTestKey(t)
	if _, err := WriteKeyPair(other, keyPath, certPath, false, time.Now()); !errors.Is(err, ErrExists) {
		t.Fatalf("overwrite without force: %v", err)
	}
	if again, _ := LoadKeyPair(keyPath, certPath); !again.Key.Equal(kp.Key) {
		t.Error("refused overwrite still changed the key")
	}
	backups, err := WriteKeyPair(other, keyPath, certPath, true, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// No temp files left behind next to the key: the key and its backup.
	entries, _ := os.ReadDir(filepath.Dir(keyPath))
	if len(entries) != 2 || len(backups) != 2 {
		t.Errorf("key directory holds %d entries, %d backups; want the key and its backup, 2 backups", len(entries), len(backups))
	}
}

func TestLoadKeyPairErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, _ := newTestKey(t)
	b, _ := newTestKey(t)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keyA, certB := write("a.key", a.KeyPEM()), write("b.crt", b.CertPEM())
	garbage := write("garbage.pem", []byte("-----BEGIN RSA PRIVATE KEY-----\nnot base64 SECRETVALUE\n-----END RSA PRIVATE KEY-----\n"))
	tests := []struct{ name, key, cert, want string }{
		{"mismatched pair", keyA, certB, "does not match"},
		{"missing key", filepath.Join(dir, "nope"), certB, "read sealing key"},
		{"garbage key", garbage, certB, "not a PEM private key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadKeyPair(tc.key, tc.cert)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "SECRETVALUE") || strings.Contains(err.Error(), "BEGIN") {
				t.Errorf("error quotes key material: %v", err)
			}
		})
	}
}

func TestParseCertRefusesExpired(t *testing.T) {
	t.Parallel()
	kp, _ := newTestKey(t)
	old, err := crypto.SignKeyWithNotBefore(rand.Reader, kp.Key, time.Now().Add(-48*time.Hour), 24*time.Hour, "old")
	if err != nil {
		t.Fatal(err)
	}
	expired := (&KeyPair{Key: kp.Key, Cert: old}).CertPEM()
	if _, _, err := ParseCert("old.pem", expired); err == nil || !strings.Contains(err.Error(), "old.pem") || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired cert: %v", err)
	}
	if _, _, err := ParseCert("junk.pem", []byte("junk")); err == nil {
		t.Error("junk accepted as a cert")
	}
	pub, notAfter, err := ParseCert("ok.pem", kp.CertPEM())
	if err != nil || !pub.Equal(&kp.Key.PublicKey) || !notAfter.Equal(kp.Cert.NotAfter) {
		t.Errorf("valid cert: %v", err)
	}
}

// TestControllerKeySecret: the Secret is what the controller's key
// registry loads (label, type, PEM formats it parses with keyutil/certutil).
func TestControllerKeySecret(t *testing.T) {
	t.Parallel()
	kp, _ := newTestKey(t)
	s, err := ControllerKeySecret(kp)
	if err != nil {
		t.Fatal(err)
	}
	if s.Namespace != "kube-system" || s.Type != corev1.SecretTypeTLS || s.Labels[KeyLabel] != "active" {
		t.Errorf("metadata %s type %s labels %v", s.Namespace, s.Type, s.Labels)
	}
	key, err := keyutil.ParsePrivateKeyPEM(s.Data[corev1.TLSPrivateKeyKey])
	if err != nil || !kp.Key.Equal(key) {
		t.Errorf("tls.key: %v", err)
	}
	certs, err := certutil.ParseCertsPEM(s.Data[corev1.TLSCertKey])
	if err != nil || !certs[0].Equal(kp.Cert) {
		t.Errorf("tls.crt: %v", err)
	}
}
