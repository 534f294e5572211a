package seal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type pairPaths struct{ key, cert string }

func newPairPaths(t *testing.T) pairPaths {
	t.Helper()
	dir := t.TempDir()
	return pairPaths{
		key:  filepath.Join(dir, "home", "emmdev", "sealing", "dev-key.pem"),
		cert: filepath.Join(dir, "repo", ".emmdev", "dev-sealing-cert.pem"),
	}
}

// TestForceKeepsTheOldPairAsATimestampedBackup: keygen --force never
// destroys the only copy of the dev key.
func TestForceKeepsTheOldPairAsATimestampedBackup(t *testing.T) {
	t.Parallel()
	p := newPairPaths(t)
	a, _ := newTestKey(t)
	b, _ := newTestKey(t)
	if _, err := WriteKeyPair(a, p.key, p.cert, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 12, 30, 0, 0, time.UTC)
	backups, err := WriteKeyPair(b, p.key, p.cert, true, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{p.key + ".bak-20261126T123000Z", p.cert + ".bak-20261126T123000Z"}
	if strings.Join(backups, " ") != strings.Join(want, " ") {
		t.Fatalf("backups %v, want %v", backups, want)
	}
	for _, bk := range backups {
		if fi, err := os.Stat(bk); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("backup %s: %v, %v; want mode 0600", bk, fi, err)
		}
	}
	old, err := LoadKeyPair(want[0], want[1])
	if err != nil || !old.Key.Equal(a.Key) {
		t.Errorf("the backup is not the old pair: %v", err)
	}
	cur, err := LoadKeyPair(p.key, p.cert)
	if err != nil || !cur.Key.Equal(b.Key) {
		t.Errorf("the new pair is not in place: %v", err)
	}
}

// TestCrashBetweenTheTwoFilesLeavesAWholePair: a keygen that dies after the
// key file is written but before the certificate leaves a key and a cert
// that do not match (plain LoadKeyPair says so: the hazard is real); the
// dev-key loader completes the write from the key file, so what is left is
// the new pair, and a keygen that dies before the key file leaves the old.
func TestCrashBetweenTheTwoFilesLeavesAWholePair(t *testing.T) {
	t.Parallel()
	crash := errors.New("killed")
	a, _ := newTestKey(t)
	b, _ := newTestKey(t)

	p := newPairPaths(t)
	if _, err := WriteKeyPair(a, p.key, p.cert, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := writeKeyPair(b, p.key, p.cert, true, time.Now(), func() error { return crash }); !errors.Is(err, crash) {
		t.Fatalf("crash hook not reached: %v", err)
	}
	if _, err := LoadKeyPair(p.key, p.cert); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("after the crash the files should disagree, got %v", err)
	}
	kp, repaired, err := LoadDevKeyPair(p.key, p.cert)
	if err != nil || !repaired || !kp.Key.Equal(b.Key) || !kp.Cert.Equal(b.Cert) {
		t.Fatalf("LoadDevKeyPair = repaired %v, %v; want the new pair, repaired", repaired, err)
	}
	if again, repaired, err := LoadDevKeyPair(p.key, p.cert); err != nil || repaired || !again.Key.Equal(b.Key) {
		t.Errorf("second load: repaired %v, %v; want the new pair as is", repaired, err)
	}

	// Dying before the key file (here: the backup cannot be written) keeps
	// the old pair whole.
	q := newPairPaths(t)
	if _, err := WriteKeyPair(a, q.key, q.cert, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(q.key+BackupSuffix(time.Unix(0, 0)), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteKeyPair(b, q.key, q.cert, true, time.Unix(0, 0)); err == nil {
		t.Fatal("backup over a folder succeeded")
	}
	kp, _, err = LoadDevKeyPair(q.key, q.cert)
	if err != nil || !kp.Key.Equal(a.Key) {
		t.Errorf("failed keygen did not leave the old pair: %v", err)
	}
}

// TestOldKeyFilesWithoutTheirCertStillLoad: key files written before the
// certificate was stored with the key.
func TestOldKeyFilesWithoutTheirCertStillLoad(t *testing.T) {
	t.Parallel()
	p := newPairPaths(t)
	a, _ := newTestKey(t)
	for path, data := range map[string][]byte{p.key: a.KeyPEM(), p.cert: a.CertPEM()} {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	kp, repaired, err := LoadDevKeyPair(p.key, p.cert)
	if err != nil || repaired || !kp.Key.Equal(a.Key) {
		t.Errorf("old key file: repaired %v, %v", repaired, err)
	}
}

func TestCheckKeyLocation(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	mk := func(dir string, mode os.FileMode) string {
		d := filepath.Join(base, dir)
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, mode); err != nil {
			t.Fatal(err)
		}
		return d
	}
	repoDir := mk("repo", 0o755)
	mk("repo/.git", 0o755)
	good := mk("private", 0o700)
	openDir := mk("shared", 0o755)
	looseKey := filepath.Join(good, "loose.pem")
	if err := os.WriteFile(looseKey, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, want string }{
		{"own folder, new file", filepath.Join(good, "dev-key.pem"), ""},
		{"inside a work tree", filepath.Join(repoDir, "dev-key.pem"), "inside a git work tree (" + repoDir + ")"},
		{"below a work tree, folder not made yet", filepath.Join(repoDir, "keys", "dev-key.pem"), "inside a git work tree"},
		{"folder open to others", filepath.Join(openDir, "dev-key.pem"), "run `chmod 700 " + openDir + "`"},
		{"key readable by others", looseKey, "mode 0644): run `chmod 600 " + looseKey + "`"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := CheckKeyLocation(tc.path)
			if tc.want == "" {
				if err != nil {
					t.Errorf("unexpected: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
