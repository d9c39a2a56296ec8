package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// proc is a goldmine process started by a test.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
	mu   *sync.Mutex
	done chan error
}

// startProc runs the binary with args plus --addr 127.0.0.1:0 and waits
// until it says where it serves.
func startProc(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, logs: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs.WriteString(line + "\n")
			p.mu.Unlock()
			var rec struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "goldmine: serving" {
				addr <- rec.Addr
			}
		}
		p.done <- cmd.Wait()
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
	case err := <-p.done:
		t.Fatalf("goldmine exited at start: %v\n%s", err, p.log())
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("goldmine did not start:\n%s", p.log())
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// kill9 kills the process the way a crash or the OOM killer would.
func (p *proc) kill9() {
	p.t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		p.t.Fatal(err)
	}
	<-p.done
}

// stop sends SIGTERM and returns the exit code.
func (p *proc) stop(sig os.Signal) int {
	p.t.Helper()
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.t.Fatalf("goldmine did not stop within 15s:\n%s", p.log())
	}
	return p.cmd.ProcessState.ExitCode()
}

func (p *proc) json(method, path, token string, body any, out any) int {
	p.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, p.url+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

type account struct {
	ID    string `json:"player_id"`
	Token string `json:"token"`
}

func (p *proc) account(name string) account {
	var a account
	if code := p.json("POST", "/api/players", "", map[string]string{"name": name}, &a); code != 201 {
		p.t.Fatalf("create player: %d", code)
	}
	return a
}

// wsClient is a minimal protocol v1 client.
type wsClient struct {
	t  *testing.T
	ws *websocket.Conn
}

func (p *proc) dial(t *testing.T) *wsClient {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(p.url, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &wsClient{t: t, ws: ws}
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		c.t.Fatal(err)
	}
}

// read returns the next frame; ok is false when the connection ended.
func (c *wsClient) read() (m map[string]any, ok bool) {
	c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, data, err := c.ws.ReadMessage()
	if err != nil {
		return nil, false
	}
	if err := json.Unmarshal(data, &m); err != nil {
		c.t.Fatalf("bad frame %s", data)
	}
	return m, true
}

// until reads frames until one of type typ, and returns it.
func (c *wsClient) until(typ string) map[string]any {
	c.t.Helper()
	for {
		m, ok := c.read()
		if !ok {
			c.t.Fatalf("connection closed while waiting for %s", typ)
		}
		if m["type"] == "error" {
			c.t.Fatalf("error while waiting for %s: %v", typ, m)
		}
		if m["type"] == typ {
			return m
		}
	}
}

func jsonUnmarshal(s string, v any) {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		panic(err)
	}
}
