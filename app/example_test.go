package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/goldmine-game/goldmine/app"
	"github.com/goldmine-game/goldmine/game"
)

// A host mounts Goldmine under /game next to its own routes, with a preset
// of its own and a hook on finished games.
func Example() {
	dir, _ := os.MkdirTemp("", "goldmine-example")
	defer os.RemoveAll(dir)

	gm, err := app.New(app.Config{
		DB:      filepath.Join(dir, "goldmine.db"),
		Prefix:  "/game",
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Presets: []game.Rules{{Preset: "blitz", Rows: 6, Cols: 6, Gold: 5, MaxPlayers: 2, TurnSeconds: 10}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer gm.Close(context.Background())
	gm.OnGameOver(func(ctx context.Context, g app.Game) error {
		fmt.Println("game", g.ID, "won by", g.Players[0].Name)
		return nil
	})
	if err := gm.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "the host's page") })
	mux.Handle("/game/", gm.Handler())
	ts := httptest.NewServer(mux)
	defer ts.Close()

	for _, path := range []string{"/", "/game/healthz", "/healthz"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s %d %s\n", path, resp.StatusCode, body)
	}
	// Output:
	// / 200 the host's page
	// /game/healthz 200 {"status":"ok"}
	// /healthz 404 404 page not found
}
