// Command emmdev is the local dev loop and pre-merge validation toolkit for
// the EMM agent platform: lint, seal, status, up and down.
package main

import (
	"os"

	"github.com/emmdev/emmdev/internal/app"
	"github.com/emmdev/emmdev/internal/cmdutil"
)

func main() {
	os.Exit(app.Main(os.Args[1:], cmdutil.SystemStreams()))
}
