// Command validate times package schema alone on manifest files: read,
// split, decode and validate every object with -n workers, like kubeconform
// does, with none of emmdev lint's rules or reporting. It prints one summary
// line and exits 1 if any object is invalid or has no schema.
//
//	go run ./hack/bench/validate -n 4 DIR...
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/emmdev/emmdev/internal/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

func main() {
	n := flag.Int("n", 4, "workers")
	flag.Parse()
	if err := run(flag.Args(), *n); err != nil {
		fmt.Fprintln(os.Stderr, "validate:", err)
		os.Exit(1)
	}
}

func run(roots []string, workers int) error {
	v, err := schema.New(schema.Options{})
	if err != nil {
		return err
	}
	files := make(chan string)
	var objects, invalid atomic.Int64
	var firstErr error
	var once sync.Once
	fail := func(err error) { once.Do(func() { firstErr = err }) }
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range files {
				if err := validateFile(v, f, &objects, &invalid); err != nil {
					fail(err)
				}
			}
		}()
	}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				files <- p
			}
			return err
		})
		if err != nil {
			fail(err)
		}
	}
	close(files)
	wg.Wait()
	fmt.Printf("%d objects, %d invalid\n", objects.Load(), invalid.Load())
	if firstErr != nil {
		return firstErr
	}
	if invalid.Load() > 0 {
		return errors.New("invalid objects found")
	}
	return nil
}

func validateFile(v *schema.Validator, path string, objects, invalid *atomic.Int64) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		var obj map[string]any
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if obj == nil {
			continue
		}
		objects.Add(1)
		issues, err := v.Validate(obj)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if len(issues) > 0 {
			invalid.Add(1)
		}
	}
}
