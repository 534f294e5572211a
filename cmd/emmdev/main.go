// Command emmdev is the local dev loop and pre-merge validation toolkit for
// the EMM agent platform: lint, seal, status, up and down.
package main

import (
	"os"

	// First, for its init: the heap grows into huge pages from here on
	// (see the package comment; ~20% of a lint run's wall time).
	_ "github.com/emmdev/emmdev/internal/thp"

	"github.com/emmdev/emmdev/internal/app"
	"github.com/emmdev/emmdev/internal/cmdutil"
)

func main() {
	os.Exit(app.Main(os.Args[1:], cmdutil.SystemStreams()))
}
