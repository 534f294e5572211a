package seal_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	sealpkg "github.com/emmdev/emmdev/internal/seal"
)

const leak = "LEAKMARK-validate"

// TestSealRefusesWhatTheAPIServerRefuses: every input path (manifest, .env,
// --raw, --merge-into) is checked like the API server checks a Secret;
// each problem is named with its file:line (or flag), none with a value,
// and nothing is written.
func TestSealRefusesWhatTheAPIServerRefuses(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.keygen()
	head := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ok\n  namespace: agentic-ai\n"
	p.write("badkey.yaml", head+"stringData:\n  good: "+leak+"\n  bad key/x: "+leak+"\n")
	p.write("badname.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: Bad_Name\n  namespace: agentic-ai\n  labels:\n    app: bad value!\nstringData:\n  K: "+leak+"\n")
	p.write("tls.yaml", head+"type: kubernetes.io/tls\nstringData:\n  tls.crt: "+leak+"\n")
	big := strings.Repeat("x", 5<<20) // 5 MiB
	p.write("big.yaml", head+"stringData:\n  dump: "+big+"\n")
	p.write("big.env", "DUMP="+big+"\n")
	p.write("big.txt", big)
	p.write("ok.env", "A="+leak+"\n")
	p.write("700k.env", "OLD="+strings.Repeat("o", 700<<10)+"\n")
	p.write("500k.env", "NEW="+strings.Repeat("n", 500<<10)+"\n")
	p.write("bad.env", "A="+leak+"\nB."+strings.Repeat("k", 253)+"="+leak+"\n")
	if r := p.run("", "seal", "--from-env-file", "700k.env", "--name", "m", "-n", "agentic-ai", "-w", "m.yaml"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"key with a space and a slash", []string{"seal", "badkey.yaml", "-w", "out.yaml"},
			[]string{`badkey.yaml:8: stringData key "bad key/x": a valid config key must consist of alphanumeric characters`}},
		{"name and label value", []string{"seal", "badname.yaml", "-w", "out.yaml"},
			[]string{`badname.yaml:4: metadata.name: Invalid value: "Bad_Name"`, `badname.yaml:6: metadata.labels: Invalid value: "bad value!"`}},
		{"--name overriding with an invalid name", []string{"seal", "badkey.yaml", "--name", "UPPER", "-w", "out.yaml"},
			[]string{`--name: metadata.name: Invalid value: "UPPER"`}},
		{"type without its keys", []string{"seal", "tls.yaml", "-w", "out.yaml"},
			[]string{`tls.yaml:6: type kubernetes.io/tls needs the key "tls.key"`}},
		{"5 MiB in a manifest", []string{"seal", "big.yaml", "-w", "out.yaml"},
			[]string{`big.yaml:7: the values add up to 5.0 MiB (the largest, "dump", 5.0 MiB); the API server refuses a Secret over 1.0 MiB (1048576 bytes)`}},
		{"5 MiB in a .env", []string{"seal", "--from-env-file", "big.env", "--name", "a", "-n", "b", "-w", "out.yaml"},
			[]string{"big.env:1: the values add up to 5.0 MiB"}},
		{"key too long in a .env", []string{"seal", "--from-env-file", "bad.env", "--name", "a", "-n", "b", "-w", "out.yaml"},
			[]string{"bad.env:2: data key \"B.kkk", "must be no more than 253 characters"}},
		{"invalid --label", []string{"seal", "--from-env-file", "ok.env", "--name", "a", "-n", "b", "--label", "a/b/c=x", "-w", "out.yaml"},
			[]string{"--label: metadata.labels: Invalid value: \"a/b/c\""}},
		{"invalid --namespace", []string{"seal", "--from-env-file", "ok.env", "--name", "a", "-n", "Not_A_Namespace", "-w", "out.yaml"},
			[]string{"--namespace: metadata.namespace: Invalid value: \"Not_A_Namespace\""}},
		{"5 MiB with --raw", []string{"seal", "--raw", "--name", "a", "-n", "b", "--from-file", "big.txt", "-w", "out.yaml"},
			[]string{"the value is 5.0 MiB; the API server refuses a Secret over 1.0 MiB"}},
		{"--raw with an invalid name", []string{"seal", "--raw", "--name", "a b", "-n", "b", "--from-file", "ok.env", "-w", "out.yaml"},
			[]string{`--name "a b": a lowercase RFC 1123 subdomain`}},
		{"700 KiB sealed, 500 KiB merged in", []string{"seal", "--from-env-file", "500k.env", "--merge-into", "m.yaml", "-w", "out.yaml"},
			[]string{"m.yaml: the merged Secret is 1.2 MiB; the API server refuses a Secret over 1.0 MiB"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := p.run("", tc.args...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2: %s", r.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if strings.Contains(r.stdout+r.stderr, leak) || strings.Contains(r.stderr, "xxxxxxxx") {
				t.Errorf("a value leaked:\n%s", r.stderr)
			}
			if _, err := os.Stat(filepath.Join(p.dir, "out.yaml")); err == nil {
				t.Errorf("a refused Secret was written")
			}
		})
	}
}

// TestNameWithSeveralDocumentsIsAnError: --name would give every Secret of
// the file the same name, and only the last would survive in the cluster.
func TestNameWithSeveralDocumentsIsAnError(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.keygen()
	doc := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: agentic-ai\nstringData:\n  K: v\n"
	p.write("two.yaml", strings.Replace(doc, "%s", "a", 1)+"---\n"+strings.Replace(doc, "%s", "b", 1))
	r := p.run("", "seal", "two.yaml", "--name", "one")
	if r.code != 2 || !strings.Contains(r.stderr, "--name names one Secret, but two.yaml holds 2 (at two.yaml:1, two.yaml:9)") {
		t.Fatalf("%+v", r)
	}
	if r.stdout != "" {
		t.Errorf("something was sealed: %s", r.stdout)
	}
	// Without --name both are sealed, each under its own name.
	r = p.run("", "seal", "two.yaml")
	if r.code != 0 || strings.Count(r.stdout, "kind: SealedSecret") != 2 || !strings.Contains(r.stdout, "name: a\n") || !strings.Contains(r.stdout, "name: b\n") {
		t.Errorf("%+v", r)
	}
}

// TestSealReadsListsLikeLint: a kind: List of Secrets (kubectl get -o yaml)
// is what lint reads item by item; seal seals each item.
func TestSealReadsListsLikeLint(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.keygen()
	p.write("list.yaml", "apiVersion: v1\nkind: List\nitems:\n"+
		"- apiVersion: v1\n  kind: Secret\n  metadata: {name: a, namespace: agentic-ai}\n  stringData: {K: v}\n"+
		"- apiVersion: v1\n  kind: Secret\n  metadata: {name: b, namespace: agentic-ai}\n  stringData: {K: w}\n")
	r := p.run("", "seal", "list.yaml", "-w", "out.yaml")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	docs, err := sealpkg.DecodeSealedSecrets("out.yaml", []byte(p.read("out.yaml")))
	if err != nil || len(docs) != 2 || docs[0].Object.Name != "a" || docs[1].Object.Name != "b" {
		t.Fatalf("sealed %v, %v", docs, err)
	}
}

// TestOutputFlagKeepsModeFollowsLinksAndDashIsStdout: -w replaces the
// content of what it names and nothing else.
func TestOutputFlagKeepsModeFollowsLinksAndDashIsStdout(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.keygen()
	p.write("x.env", "A=1\n")
	args := []string{"seal", "--from-env-file", "x.env", "--name", "x", "-n", "agentic-ai"}

	// An existing 0600 target stays 0600.
	p.write("private.yaml", "old\n")
	if err := os.Chmod(filepath.Join(p.dir, "private.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := p.run("", append(args, "-w", "private.yaml")...); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if fi, _ := os.Stat(filepath.Join(p.dir, "private.yaml")); fi.Mode().Perm() != 0o600 || !strings.Contains(p.read("private.yaml"), "SealedSecret") {
		t.Errorf("-w reset the mode to %v or did not write", fi.Mode().Perm())
	}

	// A symlink stays a symlink; the file it names gets the content.
	if err := os.MkdirAll(filepath.Join(p.dir, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	p.write("real/s.yaml", "old\n")
	link := filepath.Join(p.dir, "link.yaml")
	if err := os.Symlink("real/s.yaml", link); err != nil {
		t.Fatal(err)
	}
	if r := p.run("", append(args, "-w", "link.yaml")...); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("-w replaced the symlink with a file")
	}
	if !strings.Contains(p.read("real/s.yaml"), "SealedSecret") {
		t.Errorf("the link's target was not written")
	}

	// -w - is stdout, not a file named "-".
	r := p.run("", append(args, "-w", "-")...)
	if r.code != 0 || !strings.Contains(r.stdout, "kind: SealedSecret") {
		t.Errorf("-w -: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(p.dir, "-")); err == nil {
		t.Error(`-w - created a file named "-"`)
	}
}
