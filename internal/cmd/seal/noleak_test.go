package seal_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sealcmd "github.com/emmdev/emmdev/internal/cmd/seal"
	"github.com/emmdev/emmdev/internal/cmdutil"
)

// TestNoPlaintextLeaks runs every seal path, good and bad, with planted
// values and then searches stdout, stderr, exit messages and every file the
// runs left in the project and HOME (except the inputs themselves) for them.
func TestNoPlaintextLeaks(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.keygen()
	marks := []string{"LEAKMARK-plain-1", "LEAKMARK-quoted-2", "LEAKMARK-multi-3", "LEAKMARK-raw-4", "LEAKMARK-bad-5", "LEAKMARK-yaml-6", "LEAKMARK-merge-7", "LEAKMARK-tagged-8", "98765432109876543210"}
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
	// Values the YAML and JSON libraries quote in their own messages:
	// scalars that do not fit their tag, and values of the wrong type.
	// Explicit tags are read as kubectl reads them (sigs.k8s.io/yaml, YAML
	// 1.1): a scalar that does not fit its tag fails the file, as kubectl
	// fails it, and so does every value of the wrong type; none may leak.
	head := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\n"
	var typed []string
	typedFailures := 0
	for i, c := range []struct {
		body string
		ok   bool
	}{
		{"stringData: {a: !!int " + marks[7] + "}\n", false},
		{"stringData:\n  a: !!float " + marks[7] + "\n", false},
		{"stringData:\n  a: !!bool " + marks[7] + "\n", false},
		{"stringData:\n  a: !!binary " + marks[7] + "*!\n", false},
		{"stringData:\n  a: !!timestamp " + marks[7] + "\n", false},
		{"stringData:\n  a: !!null " + marks[7] + "\n", false},
		{"data:\n  a: !!binary " + base64.StdEncoding.EncodeToString([]byte(marks[7])) + "\n", false},
		{"stringData:\n  a: [" + marks[7] + "]\n", false},
		{"stringData:\n  a: " + marks[8] + "\n", false},
		{"data:\n  a: " + marks[8] + "\n", false},
		{"immutable: " + marks[7] + "\n", false},
		{"stringData: " + marks[7] + "\n", false},
		{"stringData:\n  a: *" + marks[7] + "\n", false},
	} {
		name := fmt.Sprintf("typed%d.yaml", i)
		in(name, head+c.body)
		typed = append(typed, name)
		if !c.ok {
			typedFailures++
		}
	}
	in("typed-json.yaml", `{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a", "namespace": "b"}, "stringData": {"a": `+marks[8]+`}}`)
	typed = append(typed, "typed-json.yaml")
	typedFailures++
	in("typed-sealed.yaml", "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: a\nspec:\n  encryptedData:\n    a: !!int "+marks[7]+"\n")

	runs := [][]string{
		{"seal", "--from-env-file", "good.env", "--name", "s", "-n", "agentic-ai"},
		{"seal", "--from-env-file", "good.env", "--name", "s", "-n", "agentic-ai", "--format", "json", "-w", "s.json"},
		{"seal", "--from-env-file", "good.env", "--name", "s", "-n", "agentic-ai", "-w", "s.yaml"},
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
		{"seal", "--from-env-file", "good.env", "--name", "s", "-w", "nodir/x.yaml"},
	}
	for _, name := range typed {
		runs = append(runs, []string{"seal", name})
	}
	runs = append(runs, []string{"seal", "verify", "typed-sealed.yaml"}, []string{"seal", "--from-env-file", "merge.env", "--merge-into", "typed-sealed.yaml"})
	var captured strings.Builder
	failures := 0
	for _, args := range runs {
		r := p.run(marks[3], args...)
		captured.WriteString(r.stdout + r.stderr)
		if r.code != 0 {
			failures++
		}
		// The error value itself, before anything prints it.
		out, err := p.runDirect(marks[3], args...)
		captured.WriteString(out)
		if (err != nil) != (r.code != 0) {
			t.Errorf("%v: direct run error %v, app exit %d", args, err, r.code)
		}
		if err != nil {
			captured.WriteString(err.Error())
		}
	}
	// Tamper and verify with the key: failure explanations must not leak.
	p.write("renamed.yaml", strings.Replace(p.read("s.yaml"), "name: s\n  namespace", "name: t\n  namespace", 1))
	r := p.run("", "seal", "verify", "renamed.yaml")
	captured.WriteString(r.stdout + r.stderr)
	if r.code != 1 || failures != 12+typedFailures {
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

// runDirect executes the seal command itself, not through app.Run, and
// returns its output and the error it returned.
func (p *project) runDirect(stdin string, args ...string) (string, error) {
	p.t.Helper()
	streams, in, out, errOut := cmdutil.TestStreams()
	in.WriteString(stdin)
	streams.Getenv = func(k string) string { return p.env[k] }
	f := &cmdutil.Factory{Streams: streams, Version: "test", WorkDir: func() (string, error) { return p.dir, nil }}
	cmd := sealcmd.NewCmd(f, nil)
	cmd.SetArgs(args[1:])
	cmd.SetIn(in)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String() + errOut.String(), err
}
