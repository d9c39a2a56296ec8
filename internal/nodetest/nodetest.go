// Package nodetest runs JavaScript tests on Node's own test runner, for the
// Go tests of the SDK and its clients.
package nodetest

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

var version = regexp.MustCompile(`^v(\d+)\.`)

// Find returns the node binary and the arguments that run test files on
// its test runner. Without Node it skips the test, or fails it when
// CI=true.
func Find(t *testing.T) (node string, args []string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node not found, and CI=true: the SDK tests need Node.js 20 or newer")
		}
		t.Skip("node not found: install Node.js 20 or newer to run the SDK tests")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	m := version.FindSubmatch(out)
	if m == nil {
		t.Fatalf("node --version: %q", out)
	}
	major, _ := strconv.Atoi(string(m[1]))
	if major < 20 {
		t.Fatalf("node %s: the SDK needs Node.js 20 or newer", out)
	}
	args = []string{"--test", "--test-reporter=spec", "--test-force-exit"}
	if major < 22 {
		args = append([]string{"--experimental-websocket"}, args...) // WebSocket is built in from Node 22
	}
	return node, args
}
