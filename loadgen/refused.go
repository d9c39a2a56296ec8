package loadgen

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrRefused reports a WebSocket upgrade the server turned down because of
// one of its limits. A run stops at the first one: every further connect
// would be refused too, and the figures of a run short of connections
// would mean nothing.
var ErrRefused = errors.New("the server refused a connection")

// raise names the server flag that lifts each limit a refused upgrade
// reports, by its error code (docs/protocol.md).
var raise = map[string]string{
	"too_many_connections": "--max-conns-per-ip",
	"server_full":          "--max-conns",
	"rate_limited":         "--api-rate and --api-burst",
}

// refusal turns a failed upgrade into an error that says what to do: for
// a limit of the server, which of its flags to raise. Other failures keep
// gorilla's words and the status.
func refusal(err error, resp *http.Response) error {
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	json.Unmarshal(data, &body)
	code := body.Error.Code
	if flag, ok := raise[code]; ok {
		return fmt.Errorf("loadgen: %w (HTTP %d %s: %s): one address plays every player, so start the server with %s raised above the run's connections",
			ErrRefused, resp.StatusCode, code, body.Error.Message, flag)
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		return fmt.Errorf("loadgen: %w (HTTP %d %s): raise the server's connection limits for a load run",
			ErrRefused, resp.StatusCode, code)
	}
	return fmt.Errorf("loadgen: dial: %w (HTTP %d)", err, resp.StatusCode)
}
