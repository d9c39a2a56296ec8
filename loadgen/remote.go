package loadgen

import (
	"context"
	"fmt"
	"net"
	"net/url"
)

// checkTarget refuses a URL that does not point at this machine, unless
// remote targets are allowed: a load test aimed at someone else's server
// by mistake is an attack.
func checkTarget(ctx context.Context, raw string, allowRemote bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("loadgen: --url %q: want http://host:port or https://host:port", raw)
	}
	if allowRemote {
		return u, nil
	}
	host := u.Hostname()
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else {
		addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, fmt.Errorf("loadgen: resolve %s: %w", host, err)
		}
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("loadgen: %s has no address", host)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return nil, fmt.Errorf("loadgen: %s is not this machine (%s); pass --allow-remote to load a remote server", host, ip)
		}
	}
	return u, nil
}
