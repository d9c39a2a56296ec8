package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// runHealthcheck GETs /healthz of a running server and exits 0 if it
// answers 200, 1 otherwise. It exists so that a container built FROM
// scratch, without curl or a shell, can have a HEALTHCHECK.
func runHealthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := command("healthcheck", "Usage: goldmine healthcheck [--addr HOST:PORT | --url URL]\n\nGETs /healthz of a running server: exit 0 if it answers 200, 1 if not.\n", stderr)
	addr := fs.String("addr", ":8080", "address the server listens on (--addr of the server); a host-less :PORT means 127.0.0.1")
	rawURL := fs.String("url", "", "full URL to GET instead, e.g. https://play.example.com/healthz")
	timeout := fs.Duration("timeout", 3*time.Second, "longest wait for the answer")
	insecure := fs.Bool("insecure", false, "with an https:// --url: accept any certificate (the server's own name may not match 127.0.0.1)")
	if v := getenv("GOLDMINE_ADDR"); v != "" {
		*addr = v
	}
	if code, ok := parseCommand(fs, args, 0); !ok {
		return code
	}
	target := *rawURL
	if target == "" {
		u, err := healthURL(*addr)
		if err != nil {
			fmt.Fprintln(stderr, "goldmine healthcheck:", err)
			return 2
		}
		target = u
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		fmt.Fprintf(stderr, "goldmine healthcheck: --url %q: %v\n", target, err)
		return 2
	}
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: *insecure}, //nolint:gosec // asked for with --insecure
	}}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "goldmine healthcheck: %s: %v\n", target, err)
		return 1
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "goldmine healthcheck: %s: %s\n", target, resp.Status)
		return 1
	}
	fmt.Fprintf(stdout, "ok %s\n", target)
	return 0
}

// healthURL is the /healthz URL of a server listening on addr, as a
// client on the same host reaches it: an unspecified host (":8080",
// "0.0.0.0:8080", "[::]:8080") becomes the loopback address.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("--addr %q: want HOST:PORT or :PORT", addr)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(strings.Trim(host, "[]"), port) + "/healthz", nil
}
