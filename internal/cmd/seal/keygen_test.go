package seal_test

import (
	"os"
	"strings"
	"testing"

	sealpkg "github.com/emmdev/emmdev/internal/seal"
)

// TestKeygenFreshClone: the cert is committed but the key is not there.
// keygen must refuse and say both ways out: get the team's key, or make a
// new pair with --force and re-seal.
func TestKeygenFreshClone(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.keygen()
	if err := os.Remove(p.keyPath()); err != nil {
		t.Fatal(err)
	}
	r := p.run("", "seal", "keygen", "--bits", "2048")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2: %+v", r.code, r)
	}
	for _, want := range []string{
		".emmdev/dev-sealing-cert.pem already exists",
		"private key is not at " + p.keyPath(),
		"put it at " + p.keyPath() + " (mode 0600)",
		"EMMDEV_SEALING_KEY",
		"emmdev seal keygen --force",
		"re-seal every SealedSecret sealed with the old cert",
		sealpkg.ResealCommand,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if _, err := os.Stat(p.keyPath()); !os.IsNotExist(err) {
		t.Errorf("refused keygen wrote the key: %v", err)
	}
	if r := p.run("", "seal", "keygen", "--bits", "2048", "--force"); r.code != 0 {
		t.Errorf("--force: %+v", r)
	}
}
