package seal_test

import (
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoPlaintextLeaks runs every seal path, good and bad, with planted
// values and then searches stdout, stderr, exit messages and every file the
// runs left in the project and HOME (except the inputs themselves) for them.
func TestNoPlaintextLeaks(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.keygen()
	marks := []string{"LEAKMARK-plain-1", "LEAKMARK-quoted-2", "LEAKMARK-multi-3", "LEAKMARK-raw-4", "LEAKMARK-bad-5", "LEAKMARK-yaml-6", "LEAKMARK-merge-7"}
	inputs := map[string]bool{}
	in := func(name, content string) {
		inputs[p.write(name, content)] = true
	}
	in("good.env", "A="+marks[0]+"\nB=\""+marks[1]+"\"\nC=\"x\n"+marks[2]+"\"\n")
	in("merge.env", "D="+marks[6]+"\n")
	in("raw.txt", marks[3])
	in("bad1.env", "A="+marks[4]+"\n"+marks[4]+"\n")
	in("bad2.env", "X=\""+marks[4]+"\\q\"\n")
	in("bad3.env", "K=\""+marks[4]+"\n")
	in("bad4.env", "A="+marks[4]+"\nA="+marks[4]+"\n")
	in("bad5.env", "A=\"x\""+marks[4]+"\n")
	in("bad.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\nstringData:\n  K: "+marks[5]+"\n  L: \""+marks[5]+"\n  bad: [\n")
	in("typo.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\nstringdata:\n  K: "+marks[5]+"\n")
	in("b64.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\ndata:\n  K: "+marks[5]+"\n")

	runs := [][]string{
		{"seal", "--from-env-file", "good.env", "--name", "s", "-n", "agentic-ai"},
		{"seal", "--from-env-file", "good.env", "--name", "s", "-n", "agentic-ai", "--format", "json", "-o", "s.json"},
		{"seal", "--from-env-file", "good.env", "--name", "s", "-n", "agentic-ai", "-o", "s.yaml"},
		{"seal", "--from-env-file", "merge.env", "--merge-into", "s.yaml"},
		{"seal", "--raw", "--name", "s", "-n", "agentic-ai", "--from-file", "raw.txt"},
		{"seal", "verify", "s.yaml", "s.json"},
		{"seal", "--from-env-file", "bad1.env", "--name", "s", "-n", "x"},
		{"seal", "--from-env-file", "bad2.env", "--name", "s", "-n", "x"},
		{"seal", "--from-env-file", "bad3.env", "--name", "s", "-n", "x"},
		{"seal", "--from-env-file", "bad4.env", "--name", "s", "-n", "x"},
		{"seal", "--from-env-file", "bad5.env", "--name", "s", "-n", "x"},
		{"seal", "bad.yaml"},
		{"seal", "typo.yaml"},
		{"seal", "b64.yaml"},
		{"seal", "verify", "bad.yaml"},
		{"seal", "--from-env-file", "good.env", "--name", "s", "-o", "nodir/x.yaml"},
	}
	var captured strings.Builder
	failures := 0
	for _, args := range runs {
		r := p.run(marks[3], args...)
		captured.WriteString(r.stdout + r.stderr)
		if r.code != 0 {
			failures++
		}
	}
	// Tamper and verify with the key: failure explanations must not leak.
	p.write("renamed.yaml", strings.Replace(p.read("s.yaml"), "name: s\n  namespace", "name: t\n  namespace", 1))
	r := p.run("", "seal", "verify", "renamed.yaml")
	captured.WriteString(r.stdout + r.stderr)
	if r.code != 1 || failures != 10 {
		t.Fatalf("scenarios did not run as planned: %d failures, tamper exit %d", failures, r.code)
	}

	check := func(where, text string) {
		for _, m := range marks {
			for _, needle := range []string{m, base64.StdEncoding.EncodeToString([]byte(m))} {
				if strings.Contains(text, needle) {
					t.Errorf("%s contains a planted value (%s)", where, m)
				}
			}
		}
	}
	check("captured output", captured.String())
	for _, root := range []string{p.dir, p.home} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || inputs[path] {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			check(path, string(data))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
