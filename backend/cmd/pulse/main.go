// Command pulse is the Pulse monitoring service and its operator CLI. Every
// verb reads the same environment, so `pulse admin create` writes to the very
// database `pulse serve` reads, even while it runs.
//
//	@title						Pulse API
//	@version					1.0
//	@description				Monitoring for a live video counseling platform: session ingestion for the platform's services and the video providers' webhooks, and role-guarded metrics and alerts for the admin dashboard. Errors are always {"error":{"code","message"}}.
//	@BasePath					/
//	@tag.name					ingestion
//	@tag.description			Sessions reported by the platform's services, with an API key (X-API-Key).
//	@tag.name					auth
//	@tag.description			Admin sign-in and sign-out for the dashboard: a token in the HttpOnly cookie admin_token or as a Bearer token.
//	@tag.name					metrics
//	@tag.description			What the dashboard shows, for the roles SYSTEM_MONITOR and SUPER_ADMIN.
//	@tag.name					probes
//	@tag.description			Liveness and readiness for an orchestrator: open, no credentials.
//	@tag.name					webhooks
//	@tag.description			Room events from the video providers (LiveKit, Daily), each verified by the provider's own signature.
//	@tag.name					alerts
//	@tag.description			Alert incidents (SYSTEM_MONITOR, SUPER_ADMIN) and the silences that keep rules from notifying (SUPER_ADMIN).
//	@securityDefinitions.apikey	APIKey
//	@in							header
//	@name						X-API-Key
//	@description				An ingestion key from `pulse apikey create`.
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				"Bearer " followed by the token from /api/admin/auth/login.
//	@securityDefinitions.apikey	QualityToken
//	@in							header
//	@name						Authorization
//	@description				"Bearer " followed by a session's quality_token: POST /api/sessions/{id}/quality of that session only.
//	@securityDefinitions.apikey	LiveKitWebhook
//	@in							header
//	@name						Authorization
//	@description				Set by LiveKit: a JWT signed with the API secret of PULSE_LIVEKIT_API_KEY, carrying the SHA-256 of the body.
//
// Swagger 2.0 has no cookie security scheme: tools/openapi3 adds CookieAuth
// (the admin_token cookie) to the OpenAPI 3 document, beside every BearerAuth,
// and the licence, whose only URL is relative (Swagger 2.0 wants an absolute one).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"pulse/internal/config"
	"pulse/internal/pulse"
	"pulse/internal/store"
)

const usage = `Usage: pulse <command> [flags]

Commands:
  serve                                   run the HTTP API (migrates first)
  migrate                                 apply database migrations
  admin create --email E --role R --password-stdin
                                          create an admin; roles: SUPER_ADMIN, SYSTEM_MONITOR, CONTENT_MANAGER
  admin set-role --email E --role R       change an admin's role (in effect within 5 s)
  admin disable --email E                 refuse the admin's sign-ins and tokens (in effect within 5 s)
  admin enable --email E                  let a disabled admin sign in again
  apikey create --name N                  create an ingestion API key (printed once on stdout)
  apikey list                             list API keys: id, name, prefix, created, last used, revoked
  apikey revoke --name N | --id ID        revoke an API key (refused everywhere within 5 s)
  category add NAME                       add a counselor category
  category map --provider P --prefix X --category NAME
                                          webhook rooms of provider P (daily, livekit) named X…
                                          go to category NAME; the longest prefix wins (no flag: list)
  silence add --rule RULE|all --for 2h --reason TEXT
                                          keep a rule (or all) from notifying; incidents are still recorded
  silence list                            list the silences that have not ended
  silence remove ID                       end a silence now
  prune                                   apply every retention rule and end stale sessions now
                                          (serve does it hourly); prints what it removed
  demo [--backfill 24h] [--peak 40]       serve with demo accounts, replayed history and live demo
                                          traffic (for evaluation; refuses a database with real admins)


Configuration comes from PULSE_* environment variables; see the README.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "pulse:", describe(err))
		if errors.Is(err, errUsage) {
			_, _ = fmt.Fprint(os.Stderr, "\n"+usage)
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// describe prints domain errors by their caller-safe message.
func describe(err error) string {
	var pe *pulse.Error
	if errors.As(err, &pe) && pe.Code != pulse.EINTERNAL {
		return pe.Message
	}
	return err.Error()
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		_, _ = fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	switch verb := strings.Join(args[:min(2, len(args))], " "); {
	case args[0] == "serve":
		return serve(ctx, cfg, log, nil)
	case args[0] == "demo":
		return runDemo(ctx, cfg, log, args[1:], stdout, stderr)
	case args[0] == "migrate":
		return withStore(ctx, cfg, func(*store.DB) error {
			_, _ = fmt.Fprintln(stderr, "migrations applied to", config.RedactURL(cfg.DatabaseURL))
			return nil
		})
	case verb == "admin create":
		return adminCreate(ctx, cfg, args[2:], stdin, stdout, stderr)
	case verb == "admin set-role":
		return adminSetRole(ctx, cfg, args[2:], stdout, stderr)
	case verb == "admin disable":
		return adminSetDisabled(ctx, cfg, args[2:], stdout, stderr, true)
	case verb == "admin enable":
		return adminSetDisabled(ctx, cfg, args[2:], stdout, stderr, false)
	case verb == "apikey create":
		return apikeyCreate(ctx, cfg, args[2:], stdout, stderr)
	case verb == "apikey list":
		return apikeyList(ctx, cfg, args[2:], stdout, stderr)
	case verb == "apikey revoke":
		return apikeyRevoke(ctx, cfg, args[2:], stdout, stderr)
	case verb == "category add":
		return categoryAdd(ctx, cfg, args[2:], stdout)
	case verb == "category map":
		return categoryMap(ctx, cfg, args[2:], stdout, stderr)
	case verb == "silence add":
		return silenceAdd(ctx, cfg, args[2:], stdout, stderr)
	case verb == "silence list":
		return silenceList(ctx, cfg, args[2:], stdout, stderr)
	case verb == "silence remove":
		return silenceRemove(ctx, cfg, args[2:], stdout)
	case args[0] == "prune" && len(args) == 1:
		return prune(ctx, cfg, log, stdout)
	default:
		return usageErr("unknown command %q", strings.Join(args, " "))
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore connects and migrates: every verb works on a fresh database.
func openStore(ctx context.Context, cfg config.Config) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{
		MaxOpenConns: cfg.DBMaxOpenConns, MaxIdleConns: cfg.DBMaxIdleConns, ConnMaxLifetime: cfg.DBConnMaxLifetime,
		Writers: cfg.DBWriters,
	})
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", config.RedactURL(cfg.DatabaseURL), err)
	}
	if err := db.Migrate(ctx); err != nil {
		_ = db.Close() // the migration error is the one to report
		return nil, err
	}
	return db, nil
}

// withStore runs fn on an open, migrated store and closes it: the shape of
// every verb that does one thing to the database and exits.
func withStore(ctx context.Context, cfg config.Config, fn func(db *store.DB) error) error {
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	err = fn(db)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}
