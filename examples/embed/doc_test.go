package main

import (
	"os"
	"strings"
	"testing"
)

// TestDocShowsThisProgram: the lifecycle sample of docs/embedding.md is
// this program, less what it elides: every line of it, but "...", is a
// line of main.go (spaces aside). A change to the API that the program follows fails
// here until the doc follows too.
func TestDocShowsThisProgram(t *testing.T) {
	doc, err := os.ReadFile("../../docs/embedding.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "## The API\n")
	_, block, ok2 := strings.Cut(after, "```go\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("no Go sample under docs/embedding.md's \"## The API\"")
	}
	// gofmt aligns trailing comments: compare with runs of spaces as one.
	norm := func(l string) string { return strings.Join(strings.Fields(l), " ") }
	lines := map[string]bool{}
	for _, l := range strings.Split(string(src), "\n") {
		lines[norm(l)] = true
	}
	n := 0
	for _, l := range strings.Split(block, "\n") {
		if l = norm(l); l == "" || l == "..." {
			continue
		}
		n++
		if !lines[l] {
			t.Errorf("docs/embedding.md shows %q, which examples/embed/main.go does not have", l)
		}
	}
	for _, want := range []string{"app.New(", ".Start(ctx)", ".Handler()", ".Drain", ".Close(sctx)"} {
		if !strings.Contains(block, want) {
			t.Errorf("the sample does not show %s", want)
		}
	}
	if n < 10 {
		t.Fatalf("the sample has %d lines: the wrong block?", n)
	}
}
