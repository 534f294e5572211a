// Command gencorpus writes the lint benchmark corpus to disk so scripts can
// run other tools (kubeconform) on exactly what the Go benchmarks lint:
//
//	go run ./hack/gencorpus -out /tmp/corpus            # 100 files x 80 objects
//	go run ./hack/gencorpus -out /tmp/one -files 1       # one 80-object file
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/emmdev/emmdev/internal/lint/corpus"
)

func main() {
	out := flag.String("out", "", "directory to write (created if missing)")
	files := flag.Int("files", corpus.BigFiles, "number of files")
	per := flag.Int("objects", corpus.BigObjectsPerFile, "objects per file")
	flag.Parse()
	if *out == "" || *files < 1 || *per < 1 {
		fmt.Fprintln(os.Stderr, "usage: gencorpus -out DIR [-files N] [-objects N]")
		os.Exit(2)
	}
	paths, err := corpus.WriteDir(*out, *files, *per)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gencorpus: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d objects in %d files to %s\n", len(paths)**per, len(paths), *out)
}
