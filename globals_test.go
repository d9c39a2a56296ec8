package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnlyMainSetsGinMode keeps the library free of global settings: a
// host that embeds goldmine/app chooses its own gin mode, so only this
// program's main.go may call gin.SetMode.
func TestOnlyMainSetsGinMode(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// third_party/ is others' code, copied (third_party/gin sets its own mode).
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") || path == "third_party") && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || path == "main.go" {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), "gin.SetMode(") {
			t.Errorf("%s calls gin.SetMode; only main.go may change that global", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
