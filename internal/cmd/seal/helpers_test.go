package seal_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/emmdev/emmdev/internal/app"
	"github.com/emmdev/emmdev/internal/cmdutil"
)

// project is a temporary project directory plus a temporary HOME, so the
// dev key and cert land in the test's own dirs.
type project struct {
	t    *testing.T
	dir  string
	home string
	env  map[string]string
}

func newProject(t *testing.T) *project {
	t.Helper()
	root := t.TempDir()
	p := &project{t: t, dir: filepath.Join(root, "repo"), home: filepath.Join(root, "home")}
	for _, d := range []string{p.dir, p.home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p.env = map[string]string{"HOME": p.home}
	return p
}

type result struct {
	code           int
	stdout, stderr string
}

// run executes emmdev in-process with args, stdin and the project's env.
func (p *project) run(stdin string, args ...string) result {
	p.t.Helper()
	streams, in, out, errOut := cmdutil.TestStreams()
	in.WriteString(stdin)
	streams.Getenv = func(k string) string { return p.env[k] }
	f := &cmdutil.Factory{Streams: streams, Version: "test", WorkDir: func() (string, error) { return p.dir, nil }}
	code := app.Run(context.Background(), args, f)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// keygen creates a fast 2048-bit dev key pair for the project.
func (p *project) keygen() {
	p.t.Helper()
	if r := p.run("", "seal", "keygen", "--bits", "2048"); r.code != 0 {
		p.t.Fatalf("keygen: %+v", r)
	}
}

func (p *project) write(name, content string) string {
	p.t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		p.t.Fatal(err)
	}
	return path
}

// privateFile writes a private key where emmdev accepts one: outside the
// project, in a folder only its owner can enter.
func (p *project) privateFile(name string, data []byte) string {
	p.t.Helper()
	dir := filepath.Join(p.home, "private")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		p.t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		p.t.Fatal(err)
	}
	return path
}

func (p *project) read(name string) string {
	p.t.Helper()
	data, err := os.ReadFile(filepath.Join(p.dir, name))
	if err != nil {
		p.t.Fatal(err)
	}
	return string(data)
}

func (p *project) keyPath() string {
	return filepath.Join(p.home, ".config", "emmdev", "sealing", "dev-key.pem")
}
