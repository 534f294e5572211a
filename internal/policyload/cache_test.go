package policyload

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const goodPolicy = `apiVersion: emmdev.dev/v1alpha1
kind: CELPolicy
metadata: {name: cached}
spec:
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}
  rules:
    - id: cached-labels
      severity: warning
      expression: has(object.metadata.labels)
`

// badPolicy has a misspelt field: the type check finds it at line 11.
var badPolicy = strings.Replace(goodPolicy, "object.metadata.labels", "object.metdata.labels", 1)

func writePolicy(t *testing.T, dir, content string) string {
	t.Helper()
	path := filepath.Join(dir, "cached.yaml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func loadWithCache(dir, cacheDir, policyFile string) error {
	_, err := Load(Options{WorkDir: dir, PolicyFiles: []string{policyFile}, CacheDir: cacheDir})
	return err
}

func wantTypoError(t *testing.T, err error) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), "cached.yaml:11:") || !strings.Contains(err.Error(), "undefined field 'metdata'") {
		t.Fatalf("want the misspelt field at cached.yaml:11, got %v", err)
	}
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// TestCacheRemembersOnlyPassedFiles: a file that passes is remembered (one
// private entry); after it is edited into a broken one, the new content is
// checked and its error reported, and a broken file is never remembered.
func TestCacheRemembersOnlyPassedFiles(t *testing.T) {
	t.Parallel()
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "checks")
	file := writePolicy(t, dir, goodPolicy)
	if err := loadWithCache(dir, cacheDir, file); err != nil {
		t.Fatal(err)
	}
	names := entries(t, cacheDir)
	if len(names) != 1 {
		t.Fatalf("entries after a passed file: %v", names)
	}
	if fi, err := os.Stat(filepath.Join(cacheDir, names[0])); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("entry mode: %v %v", fi.Mode(), err)
	}
	if fi, err := os.Stat(cacheDir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache dir mode: %v %v", fi.Mode(), err)
	}

	writePolicy(t, dir, badPolicy)
	for range 2 {
		wantTypoError(t, loadWithCache(dir, cacheDir, file))
	}
	if names := entries(t, cacheDir); len(names) != 1 {
		t.Errorf("a broken file was remembered: %v", names)
	}
}

// TestCacheEntrySkipsTheChecks shows the cache is what makes a run skip
// the checks (so the other tests are about a cache that is used): a valid
// entry for a content is trusted, here even for a broken file, which only
// this build's own checks could have written.
func TestCacheEntrySkipsTheChecks(t *testing.T) {
	t.Parallel()
	dir, cacheDir := t.TempDir(), t.TempDir()
	file := writePolicy(t, dir, badPolicy)
	newCheckCache(cacheDir).remember([]byte(badPolicy))
	if err := loadWithCache(dir, cacheDir, file); err != nil {
		t.Fatalf("a remembered content was checked again: %v", err)
	}
}

// TestCorruptEntryIsIgnored: whatever lies at an entry's place (empty, torn,
// another record, garbage, a directory), it is a miss, never an error or a
// panic: a broken file still reports its error, and a good file's entry is
// written again.
func TestCorruptEntryIsIgnored(t *testing.T) {
	t.Parallel()
	c := newCheckCache(t.TempDir())
	if c.build == "" {
		t.Fatal("no build identity: the cache would never be used")
	}
	key := c.key([]byte(badPolicy))
	valid := record(key)
	corrupt := map[string][]byte{
		"empty":        nil,
		"torn":         valid[:len(valid)/2],
		"other key":    record(c.key([]byte(goodPolicy))),
		"longer":       append(append([]byte(nil), valid...), "x"...),
		"garbage":      []byte("\x00\xff not a record"),
		"other format": []byte(strings.Replace(string(valid), "v1", "v0", 1)),
	}
	for name, content := range corrupt {
		t.Run(name, func(t *testing.T) {
			dir, cacheDir := t.TempDir(), t.TempDir()
			cc := checkCache{dir: cacheDir, build: c.build}
			if err := os.WriteFile(filepath.Join(cacheDir, key), content, 0o600); err != nil {
				t.Fatal(err)
			}
			file := writePolicy(t, dir, badPolicy)
			wantTypoError(t, loadWithCache(dir, cacheDir, file))

			good := cc.key([]byte(goodPolicy))
			if err := os.WriteFile(filepath.Join(cacheDir, good), content, 0o600); err != nil {
				t.Fatal(err)
			}
			writePolicy(t, dir, goodPolicy)
			if err := loadWithCache(dir, cacheDir, file); err != nil {
				t.Fatal(err)
			}
			if got, err := os.ReadFile(filepath.Join(cacheDir, good)); err != nil || string(got) != string(record(good)) {
				t.Errorf("entry not rewritten: %q %v", got, err)
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		dir, cacheDir := t.TempDir(), t.TempDir()
		if err := os.Mkdir(filepath.Join(cacheDir, key), 0o700); err != nil {
			t.Fatal(err)
		}
		wantTypoError(t, loadWithCache(dir, cacheDir, writePolicy(t, dir, badPolicy)))
	})
}

// TestCacheIsPerBuild: an entry another emmdev build wrote is not used (it
// may check differently), and a build that cannot name itself caches
// nothing.
func TestCacheIsPerBuild(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := []byte(goodPolicy)
	a, b := checkCache{dir: dir, build: "emmdev a"}, checkCache{dir: dir, build: "emmdev b"}
	a.remember(data)
	if !a.passed(data) || b.passed(data) {
		t.Errorf("build a: %v, build b: %v; want only a", a.passed(data), b.passed(data))
	}
	unknown := checkCache{dir: dir}
	unknown.remember(data)
	if unknown.passed(data) || len(entries(t, dir)) != 1 {
		t.Errorf("a build without identity used the cache: %v", entries(t, dir))
	}
}

// TestUnusableCacheDir: a cache that cannot be written costs time, not the
// run.
func TestUnusableCacheDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notADir := filepath.Join(dir, "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	file := writePolicy(t, dir, goodPolicy)
	for _, cacheDir := range []string{notADir, filepath.Join(notADir, "sub")} {
		for range 2 {
			if err := loadWithCache(dir, cacheDir, file); err != nil {
				t.Errorf("cache %s: %v", cacheDir, err)
			}
		}
	}
}

// TestCachePrunesOldEntries: entries not written for cacheMaxAge go when
// the next one is written; other files in the directory stay.
func TestCachePrunesOldEntries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := checkCache{dir: dir, build: "emmdev"}
	c.remember([]byte("old"))
	c.remember([]byte("recent"))
	other := filepath.Join(dir, "README")
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-cacheMaxAge - time.Hour)
	for _, p := range []string{filepath.Join(dir, c.key([]byte("old"))), other} {
		if err := os.Chtimes(p, long, long); err != nil {
			t.Fatal(err)
		}
	}
	c.remember([]byte("new"))
	if c.passed([]byte("old")) || !c.passed([]byte("recent")) || !c.passed([]byte("new")) {
		t.Errorf("after pruning: old %v recent %v new %v", c.passed([]byte("old")), c.passed([]byte("recent")), c.passed([]byte("new")))
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("pruned a file that is not an entry: %v", err)
	}
}
