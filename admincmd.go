package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/goldmine-game/goldmine/admin"
	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/store"
)

// adminUsage is the help of `goldmine admin`.
const adminUsage = `Usage: goldmine admin COMMAND [server flags]

The operator's way into the admin console, from a shell on the server's
machine. Each command works while the server runs, on the same database:
give it the server's --db (or GOLDMINE_DB), and for links the same
--advertise-url or --addr.

Commands:
  set-password               set the admin password: read from stdin, or
                             asked twice without echo on a terminal
  login-link                 print a one-time login URL, valid 10 minutes
                             (with no password set yet: a setup URL)
  sessions                   list the admin sessions
  sessions revoke ID|--all   end one session (an ID prefix of at least 8
                             digits, as listed), or every one
`

// runAdmin is `goldmine admin`. It opens the database the server uses, so
// that a password, a link or a revocation takes effect in the running
// server, which reads them from the store at each use.
func runAdmin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, adminUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, rest := args[0], args[1:]
	revoke := ""
	if cmd == "sessions" && len(rest) > 0 && rest[0] == "revoke" {
		if len(rest) < 2 || (strings.HasPrefix(rest[1], "-") && rest[1] != "--all") {
			fmt.Fprintln(stderr, "goldmine admin: sessions revoke needs a session ID (as listed) or --all")
			return 2
		}
		revoke, rest = rest[1], rest[2:]
	}
	switch cmd {
	case "set-password", "login-link", "sessions":
	default:
		fmt.Fprintf(stderr, "goldmine admin: unknown command %q\n\n%s", cmd, adminUsage)
		return 2
	}
	var cfg config
	if err := cfg.parse("goldmine admin "+cmd, rest, getenv, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "goldmine admin:", err)
		return 2
	}
	st, err := openForAdmin(ctx, cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "goldmine admin:", err)
		return 1
	}
	defer st.Close()
	switch cmd {
	case "set-password":
		err = adminSetPassword(ctx, st, stdin, stdout, stderr)
	case "login-link":
		err = adminLoginLink(ctx, st, publicURL(cfg), stdout)
	case "sessions":
		err = adminSessions(ctx, st, revoke, stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "goldmine admin:", err)
		return 1
	}
	return 0
}

// openForAdmin opens the server's database beside the running server. A
// missing SQLite file is refused rather than created: it is a wrong --db.
// On PostgreSQL it opens as a node id of its own, as the server's holds
// the node lock.
func openForAdmin(ctx context.Context, cfg config, stderr io.Writer) (*store.Store, error) {
	if !store.IsPostgres(cfg.DB) {
		if _, err := os.Stat(cfg.DB); err != nil {
			return nil, fmt.Errorf("no database at %s (--db): %w", cfg.DB, err)
		}
	}
	// The store's own notes (a migration applied) are not this command's
	// output; its warnings and errors are.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return store.Open(ctx, store.Options{Path: cfg.DB, Log: log, Readers: 1,
		Node: fmt.Sprintf("admin-cli-%d", os.Getpid())})
}

// adminSetPassword reads a password and stores it. The running server
// checks the next login against it.
func adminSetPassword(ctx context.Context, st *store.Store, stdin io.Reader, stdout, stderr io.Writer) error {
	var pw string
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "New admin password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return fmt.Errorf("read the password: %w", err)
		}
		fmt.Fprint(stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return fmt.Errorf("read the password: %w", err)
		}
		if string(a) != string(b) {
			return errors.New("the two passwords differ; nothing changed")
		}
		pw = string(a)
	} else {
		// One line from a pipe or a file: `goldmine admin set-password < file`.
		line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if err := admin.SetPassword(ctx, st, pw); err != nil {
		if errors.Is(err, admin.ErrBadPassword) {
			return errors.New("a password has 8 to 72 bytes; nothing changed")
		}
		return err
	}
	if err := st.AddAudit(ctx, domain.AuditEntry{At: time.Now(), Admin: "shell", Action: "set_password", Target: "admin",
		Detail: "goldmine admin set-password"}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "The admin password is set. Admins signed in stay signed in; `goldmine admin sessions revoke --all` signs them out.")
	return nil
}

// adminLoginLink prints a one-time login URL. With no password set yet,
// a login link would leave the console without one, so it prints a setup
// link instead.
func adminLoginLink(ctx context.Context, st *store.Store, base string, stdout io.Writer) error {
	if _, err := st.AdminPassword(ctx); errors.Is(err, domain.ErrNotFound) {
		path, err := admin.NewSetupLink(ctx, st)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "No admin password is set yet. Set one at this one-time link (it works until it is used):\n%s%s\n", base, path)
		return nil
	} else if err != nil {
		return err
	}
	path, err := admin.NewLoginLink(ctx, st, time.Now())
	if err != nil {
		return err
	}
	if err := st.AddAudit(ctx, domain.AuditEntry{At: time.Now(), Admin: "shell", Action: "login_link", Target: "admin",
		Detail: "goldmine admin login-link"}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s%s\n(works once, for %s)\n", base, path, admin.LoginLinkTTL)
	return nil
}

// adminSessions lists the admin sessions, or revokes one or all.
func adminSessions(ctx context.Context, st *store.Store, revoke string, stdout io.Writer) error {
	if revoke != "" {
		prefix := revoke
		if revoke == "--all" {
			prefix = ""
		}
		n, err := st.RevokeAdminSessions(ctx, prefix)
		if err != nil {
			return err
		}
		if n == 0 && prefix != "" {
			return fmt.Errorf("no session %s (see goldmine admin sessions)", prefix)
		}
		if err := st.AddAudit(ctx, domain.AuditEntry{At: time.Now(), Admin: "shell", Action: "revoke_sessions", Target: "admin",
			Detail: fmt.Sprintf("%d session(s), %s", n, revoke)}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked %d session(s)\n", n)
		return nil
	}
	list, err := st.AdminSessions(ctx, time.Now())
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "no admin sessions")
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tVIA\tADDRESS\tSINCE (UTC)\tLAST SEEN (UTC)\tEXPIRES (UTC)")
	for _, s := range list {
		// The first 12 digits of the token's hash: enough to name it,
		// useless to sign in with.
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID[:12], s.Via, s.IP, s.CreatedAt.UTC().Format(time.DateTime),
			s.SeenAt.UTC().Format(time.DateTime), s.ExpiresAt.UTC().Format(time.DateTime))
	}
	return w.Flush()
}

// publicURL is the base URL the server is reached at, for the links it
// logs and `goldmine admin login-link` prints: --advertise-url, or one
// made from the listen address (localhost for an address on every
// interface).
func publicURL(cfg config) string {
	if cfg.AdvertiseURL != "" {
		return strings.TrimSuffix(cfg.AdvertiseURL, "/")
	}
	scheme := "http"
	if cfg.TLSCert != "" || cfg.ACMEDomain != "" {
		scheme = "https"
	}
	if cfg.ACMEDomain != "" {
		domain, _, _ := strings.Cut(cfg.ACMEDomain, ",")
		host := strings.TrimSpace(domain)
		if _, port, err := net.SplitHostPort(cfg.Addr); err == nil && port != "443" {
			host = net.JoinHostPort(host, port)
		}
		return scheme + "://" + host
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return scheme + "://localhost"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		return scheme + "://" + host
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}
