package static

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestSDKEventsDocumented: the events docs/sdk.md lists are exactly those
// the SDK emits: its own (emit("...") in goldmine.js) and the protocol's
// events, which it emits by their type.
func TestSDKEventsDocumented(t *testing.T) {
	js, err := files.ReadFile("sdk/goldmine.js")
	if err != nil {
		t.Fatal(err)
	}
	emitted := map[string]bool{}
	for _, m := range regexp.MustCompile(`emit\("([a-z_]+)"`).FindAllSubmatch(js, -1) {
		emitted[string(m[1])] = true
	}
	// The protocol's events: the cases of applyEvent.
	_, apply, _ := strings.Cut(string(js), "function applyEvent")
	apply, _, _ = strings.Cut(apply, "function renumber")
	for _, m := range regexp.MustCompile(`case "([a-z_]+)":`).FindAllStringSubmatch(apply, -1) {
		emitted[m[1]] = true
	}
	// And those _frame handles before emitting them by type (chat).
	for _, m := range regexp.MustCompile(`f\.type === "([a-z_]+)"`).FindAllSubmatch(js, -1) {
		emitted[string(m[1])] = true
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "sdk.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, events, _ := strings.Cut(string(doc), "### Events")
	events, _, _ = strings.Cut(events, "### Room options")
	documented := map[string]bool{}
	for _, line := range strings.Split(events, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| event") || strings.HasPrefix(line, "|---") {
			continue
		}
		cells := strings.Split(line, "|")
		names := regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(cells[1], -1)
		if strings.Contains(cells[1], "each protocol event") {
			names = regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(cells[3], -1)
		}
		for _, n := range names {
			if n[1] == "type" {
				continue // "by its `type`"
			}
			documented[n[1]] = true
		}
	}
	var missing, never []string
	for e := range emitted {
		if !documented[e] {
			missing = append(missing, e)
		}
	}
	for e := range documented {
		if !emitted[e] {
			never = append(never, e)
		}
	}
	slices.Sort(missing)
	slices.Sort(never)
	if len(missing) > 0 || len(never) > 0 {
		t.Fatalf("docs/sdk.md's events: undocumented %v; documented but never emitted %v", missing, never)
	}
}
