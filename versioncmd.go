package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// sourceVersion is the semantic version of this source tree. A release is
// cut by stamping the same number (scripts/release.sh passes it with
// -ldflags); a build from a checkout reports it with "-dev" after it, so
// that it never passes for the release itself. The SDK (static/sdk: its
// VERSION and package.json) carries the same number, the server's, which
// TestSDKVersionIsTheServers holds it to.
const sourceVersion = "0.1.0"

// Set by the release build with -ldflags "-X main.buildVersion=... -X
// main.buildCommit=... -X main.buildDate=...". They are variables only
// because -X can set nothing else; nothing assigns them at run time.
var (
	buildVersion = ""
	buildCommit  = ""
	buildDate    = ""
)

// buildInfo is what `goldmine version` reports.
type buildInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit"`
	Date     string `json:"date"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// currentBuild describes this binary: the -ldflags stamps first, then what
// the Go toolchain recorded (the VCS revision and time of a build from a
// git checkout), and "unknown" where neither says, rather than a guess.
func currentBuild() buildInfo {
	b := buildInfo{
		Version:  buildVersion,
		Commit:   buildCommit,
		Date:     buildDate,
		Go:       runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
	bi, ok := debug.ReadBuildInfo()
	if b.Version == "" && ok && isRelease(bi.Main.Version) {
		b.Version = strings.TrimPrefix(bi.Main.Version, "v")
	}
	if b.Version == "" {
		b.Version = sourceVersion + "-dev"
	}
	if ok {
		modified := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.time":
				if b.Date == "" {
					b.Date = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if modified && buildCommit == "" && b.Commit != "" {
			b.Commit += "-dirty"
		}
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

// isRelease reports whether a module version the toolchain recorded is a
// tagged release: not "(devel)" (a build with -buildvcs=false, or from a
// tree without VCS) and not a pseudo-version made up from a commit.
func isRelease(v string) bool {
	if v == "" || v == "(devel)" || strings.Contains(v, "+") {
		return false
	}
	// Pseudo-versions end in -yyyymmddhhmmss-abcdefabcdef.
	parts := strings.Split(v, "-")
	return len(parts) < 3 || len(parts[len(parts)-1]) != 12
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("goldmine version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the build as JSON")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: goldmine version [--json]\n\nPrints the version, commit, build date and Go release of this binary.\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	b := currentBuild()
	if *asJSON {
		out, _ := json.Marshal(b) // a struct of strings always marshals
		fmt.Fprintf(stdout, "%s\n", out)
		return 0
	}
	fmt.Fprintf(stdout, "goldmine %s\ncommit   %s\nbuilt    %s\ngo       %s %s\n", b.Version, b.Commit, b.Date, b.Go, b.Platform)
	return 0
}
