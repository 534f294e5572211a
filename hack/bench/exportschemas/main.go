// Command exportschemas writes emmdev's embedded schemas in kubeconform's
// -schema-location layout, so the benchmark runs kubeconform on exactly the
// schemas emmdev uses, offline. It prints the -schema-location template.
//
//	go run ./hack/bench/exportschemas -out DIR
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/emmdev/emmdev/internal/schema"
)

func main() {
	out := flag.String("out", "", "directory to write the schemas to")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "exportschemas: -out is required")
		os.Exit(2)
	}
	loc, err := schema.ExportKubeconform(*out, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "exportschemas:", err)
		os.Exit(2)
	}
	fmt.Println(loc)
}
