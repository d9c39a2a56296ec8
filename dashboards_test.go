package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/goldmine-game/goldmine/internal/pgtest"
)

// TestDashboardMetricsExist scrapes real servers, one on SQLite with
// backups and one on PostgreSQL in a cluster, and wants every metric that
// the Grafana dashboard and the alert rules name among what they export.
func TestDashboardMetricsExist(t *testing.T) {
	exported := map[string]bool{}
	scrape := func(args ...string) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		maddr := ln.Addr().String()
		ln.Close()
		startRun(t, append([]string{"--metrics-addr", maddr}, args...)...)
		resp, err := http.Get("http://" + maddr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		for _, line := range strings.Split(string(body), "\n") {
			if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
				exported[strings.Fields(rest)[0]] = true
			} else if line != "" && !strings.HasPrefix(line, "#") {
				exported[strings.FieldsFunc(line, func(r rune) bool { return r == '{' || r == ' ' })[0]] = true
			}
		}
	}
	scrape("--backup-dir", filepath.Join(t.TempDir(), "backups"))
	scrape("--db", pgtest.NewDB(t), "--node-id", "n1", "--advertise-url", "http://127.0.0.1:1")

	name := regexp.MustCompile(`\b(?:goldmine|go|process)_[a-z0-9_]+\b`)
	for _, file := range []string{"docs/grafana/goldmine.json", "docs/prometheus/alerts.yml"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, m := range name.FindAllString(string(data), -1) {
			found[m] = true
		}
		if len(found) < 5 {
			t.Fatalf("%s names only %d metrics", file, len(found))
		}
		var missing []string
		for m := range found {
			if !exported[m] {
				missing = append(missing, m)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s names metrics the server does not export: %v", file, missing)
		}
	}
}
