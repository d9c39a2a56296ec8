package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunCapsTCPConnsPerAddress: the binary's listener closes, as soon as
// it accepts them, the connections of an address past
// --max-tcp-conns-per-ip, while another address is served.
func TestRunCapsTCPConnsPerAddress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncWriter
	done := make(chan int)
	args := []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "g.db"), "--log-format", "json",
		"--max-tcp-conns-per-ip", "2"}
	go func() { done <- run(ctx, args, func(string) string { return "" }, &bytes.Buffer{}, &stderr) }()
	addr := waitServing(t, &stderr)
	var held []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	third, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	third.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := third.Read(make([]byte, 1)); err == nil || strings.Contains(err.Error(), "timeout") {
		t.Fatalf("the third connection from one address was kept: %v", err)
	}
	third.Close()
	// Another address is served.
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	client := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	client.CloseIdleConnections()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz from 127.0.0.2: %d", resp.StatusCode)
	}
	for _, c := range held {
		c.Close()
	}
	if !strings.Contains(stderr.String(), "too many from one address") {
		t.Fatalf("the refusal is not logged:\n%s", stderr.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
}
