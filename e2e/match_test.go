package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// postMatch is POST /api/match at base, safe to call from any goroutine.
func postMatch(base, token string, body map[string]any) (int, map[string]any, error) {
	js, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", base+"/api/match", bytes.NewReader(js))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	err = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, err
}

type matchResult struct {
	code int
	body map[string]any
	err  error
}

// matchAt runs POST /api/match for each (node URL, token) at once.
func matchAt(bases, tokens []string, body map[string]any) []matchResult {
	out := make([]matchResult, len(bases))
	var wg sync.WaitGroup
	for i := range bases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].code, out[i].body, out[i].err = postMatch(bases[i], tokens[i], body)
		}()
	}
	wg.Wait()
	return out
}

// TestMatchCluster: two players queued at two nodes of a cluster meet; the
// room is made on one node, and both get its ws_url and play there.
func TestMatchCluster(t *testing.T) {
	_, nodes := startCluster(t, 2, 2*time.Second)
	ann, bob := nodes[0].account("Ann"), nodes[1].account("Bob")
	res := matchAt([]string{nodes[0].url, nodes[1].url}, []string{ann.Token, bob.Token}, map[string]any{"wait_s": 10})
	for i, r := range res {
		if r.err != nil || r.code != 200 || r.body["status"] != "matched" {
			t.Fatalf("player %d: %d %v %v\n%s\n%s", i, r.code, r.body, r.err, nodes[0].log(), nodes[1].log())
		}
	}
	ra, rb := res[0].body["room"].(map[string]any), res[1].body["room"].(map[string]any)
	if ra["id"] != rb["id"] || ra["ws_url"] != rb["ws_url"] || ra["node"] != rb["node"] || ra["ws_url"] == "" {
		t.Fatalf("rooms %v / %v", ra, rb)
	}
	for i, a := range []account{ann, bob} {
		c, err := dialWS(t, ra["ws_url"].(string))
		if err != nil {
			t.Fatal(err)
		}
		c.send(map[string]any{"type": "hello", "token": a.Token, "room": ra["id"], "as": "player"})
		c.until("welcome")
		if i == 1 {
			c.until("game_started")
		}
	}
}

// TestMatchRestart: a server stopped while players are queued ends their
// long polls (202), stops cleanly, and after the restart their next POST
// queues them again, and they meet.
func TestMatchRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	db := filepath.Join(t.TempDir(), "goldmine.db")
	p := startProc(t, bin, "--db", db)
	ann, bob := p.account("Ann"), p.account("Bob")
	done := make(chan matchResult, 1)
	go func() {
		var r matchResult
		r.code, r.body, r.err = postMatch(p.url, ann.Token, map[string]any{"wait_s": 25})
		done <- r
	}()
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d\n%s", code, p.log())
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("stopping took %v: the long poll held the shutdown", d)
	}
	if r := <-done; r.err == nil && r.code != 202 {
		t.Fatalf("the poll in flight: %d %v", r.code, r.body)
	}
	p = startProc(t, bin, "--db", db)
	if code, body, err := postMatch(p.url, ann.Token, map[string]any{"wait_s": 1}); err != nil || code != 202 || body["status"] != "waiting" {
		t.Fatalf("after the restart: %d %v %v", code, body, err)
	}
	res := matchAt([]string{p.url, p.url}, []string{ann.Token, bob.Token}, map[string]any{"wait_s": 10})
	if res[0].code != 200 || res[1].code != 200 || res[0].body["room"].(map[string]any)["id"] != res[1].body["room"].(map[string]any)["id"] {
		t.Fatalf("after the restart: %+v", res)
	}
}
