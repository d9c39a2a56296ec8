package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// api calls the HTTP side of protocol v1.
type api struct {
	base   string
	client *http.Client
}

type player struct {
	ID    string `json:"player_id"`
	Name  string `json:"name"`
	Token string `json:"token"`
}

// do sends a JSON request. It waits out 429s as their Retry-After says, so
// that a server with a strict API rate limit slows the set-up down instead
// of failing it.
func (a *api) do(ctx context.Context, method, path, token string, body, out any) error {
	for attempt := 0; ; attempt++ {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := a.client.Do(req)
		if err != nil {
			return fmt.Errorf("loadgen: %s %s: %w", method, path, err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests && attempt < 100 {
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			select {
			case <-time.After(time.Duration(max(wait, 1)) * time.Second):
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if resp.StatusCode >= 300 {
			return fmt.Errorf("loadgen: %s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(data))
		}
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("loadgen: %s %s: %w", method, path, err)
			}
		}
		return nil
	}
}

func (a *api) player(ctx context.Context, name string) (player, error) {
	var p player
	err := a.do(ctx, "POST", "/api/players", "", map[string]string{"name": name}, &p)
	return p, err
}
