package seal

import (
	"strings"
	"testing"
)

func TestMissingDevKeyHint(t *testing.T) {
	t.Parallel()
	h := MissingDevKeyHint("/home/u/.config/emmdev/sealing/dev-key.pem")
	for _, want := range []string{"/home/u/.config/emmdev/sealing/dev-key.pem", "0600", EnvKeyPath, "emmdev seal keygen --force", "re-seal every SealedSecret", ResealCommand} {
		if !strings.Contains(h, want) {
			t.Errorf("hint lacks %q:\n%s", want, h)
		}
	}
	if n := strings.Count(h, "\n"); n > 1 || strings.HasSuffix(h, "\n") {
		t.Errorf("hint should be one or two lines without a trailing newline:\n%q", h)
	}
}
