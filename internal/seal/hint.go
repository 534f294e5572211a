package seal

import "fmt"

// ResealCommand re-seals the project's committed SealedSecret
// (manifests/40-confluence-credentials.sealedsecret.yaml) with the current
// dev cert. Every SealedSecret sealed with an old cert needs the same.
const ResealCommand = "emmdev seal --from-env-file .env.example --name confluence-credentials --namespace agentic-ai " +
	"--label app.kubernetes.io/part-of=emm -w manifests/40-confluence-credentials.sealedsecret.yaml"

// MissingDevKeyHint is the advice for a committed dev sealing cert whose
// private key is not at keyPath, as on a fresh clone: get the team's dev
// key, or make a new pair with `emmdev seal keygen --force` and re-seal.
// It is two lines without a trailing newline, for a warning or an error.
func MissingDevKeyHint(keyPath string) string {
	return fmt.Sprintf("get the team's dev sealing key and put it at %s (mode 0600), or set %s to its path;\n"+
		"or run 'emmdev seal keygen --force' for a new pair, then re-seal every SealedSecret sealed with the old cert (%s)",
		keyPath, EnvKeyPath, ResealCommand)
}
