package seal

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	certutil "k8s.io/client-go/util/cert"

	"github.com/emmdev/emmdev/internal/atomicfile"
	"github.com/emmdev/emmdev/internal/repo"
)

// The dev key file holds the private key and, after it, its certificate.
// That makes the key file the one place where a key pair is written
// atomically: keygen writes it first, then the committed certificate, and
// a crash between the two leaves a key file that still knows its cert, so
// LoadDevKeyPair (and the next keygen) put the certificate back. A crash
// before the key file's rename leaves the old pair untouched.

// MinKeyBits and MaxKeyBits bound --bits: below 2048 RSA is breakable,
// above 8192 generation takes minutes for no benefit.
const (
	MinKeyBits = 2048
	MaxKeyBits = 8192
)

// ErrInsideWorkTree is returned for a private key path inside a git work
// tree, where `git add .` would commit it.
var ErrInsideWorkTree = errors.New("inside a git work tree")

// CheckKeyLocation refuses a private key path that lies in a git work tree,
// or whose file or folder others can read or change. The error says what to
// do (the chmod to run, or where to put the key instead).
func CheckKeyLocation(keyPath string) error {
	wt, err := repo.GitWorkTree(keyPath)
	if err != nil {
		return err
	}
	if wt != "" {
		return fmt.Errorf("private key %s is %w (%s), where it can be committed: keep it outside any repository, e.g. unset --key/%s to use ~/.config/emmdev/sealing/dev-key.pem",
			keyPath, ErrInsideWorkTree, wt, EnvKeyPath)
	}
	dir := filepath.Dir(keyPath)
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("the folder of the private key, %s, is open to other users (mode %04o): run `chmod 700 %s`", dir, fi.Mode().Perm(), dir)
	}
	if fi, err := os.Stat(keyPath); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("private key %s is readable by other users (mode %04o): run `chmod 600 %s`", keyPath, fi.Mode().Perm(), keyPath)
	}
	return nil
}

// LoadDevKeyPair is LoadKeyPair for the dev key: the location is checked
// first (CheckKeyLocation), and a certificate left stale by an interrupted
// keygen is rewritten from the key file (repaired reports it).
func LoadDevKeyPair(keyPath, certPath string) (kp *KeyPair, repaired bool, err error) {
	if _, err := os.Stat(keyPath); err != nil {
		return nil, false, fmt.Errorf("read sealing key: %w", err)
	}
	if err := CheckKeyLocation(keyPath); err != nil {
		return nil, false, err
	}
	repaired, err = completeInterruptedWrite(keyPath, certPath)
	if err != nil {
		return nil, false, err
	}
	kp, err = LoadKeyPair(keyPath, certPath)
	return kp, repaired, err
}

// completeInterruptedWrite rewrites certPath from the certificate stored in
// the key file when the two disagree and the stored one matches the key.
func completeInterruptedWrite(keyPath, certPath string) (bool, error) {
	data, err := os.ReadFile(keyPath)
	if err != nil {
		return false, fmt.Errorf("read sealing key: %w", err)
	}
	key, err := LoadPrivateKey(keyPath)
	if err != nil {
		return false, err
	}
	stored := embeddedCert(data)
	if stored == nil {
		return false, nil // a key file from before, or from elsewhere
	}
	pub, ok := stored.PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return false, nil
	}
	if cur, err := os.ReadFile(certPath); err == nil {
		if certs, err := certutil.ParseCertsPEM(cur); err == nil && certs[0].Equal(stored) {
			return false, nil
		}
	}
	if err := atomicfile.Write(certPath, (&KeyPair{Cert: stored}).CertPEM(), 0o644); err != nil {
		return false, err
	}
	return true, nil
}

func embeddedCert(keyFile []byte) *x509.Certificate {
	rest := keyFile
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil
		}
		if b.Type == certutil.CertificateBlockType {
			certs, err := certutil.ParseCertsPEM(pem.EncodeToMemory(b))
			if err != nil {
				return nil
			}
			return certs[0]
		}
	}
}

// keyFileContent is the key PEM followed by the certificate PEM.
func (kp *KeyPair) keyFileContent() []byte {
	return bytes.Join([][]byte{kp.KeyPEM(), kp.CertPEM()}, nil)
}

// BackupSuffix names the copy of an old key or cert that keygen --force
// keeps next to it: dev-key.pem.bak-20261126T120000Z.
func BackupSuffix(now time.Time) string { return ".bak-" + now.UTC().Format("20060102T150405Z") }

// backup copies each existing file to path+suffix, mode 0600, and returns
// the copies made.
func backup(suffix string, paths ...string) ([]string, error) {
	var made []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return made, fmt.Errorf("back up %s: %w", p, err)
		}
		if err := atomicfile.Write(p+suffix, data, 0o600); err != nil {
			return made, fmt.Errorf("back up %s: %w", p, err)
		}
		made = append(made, p+suffix)
	}
	return made, nil
}
