package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"pulse/internal/access"
	"pulse/internal/auth"
	"pulse/internal/config"
	"pulse/internal/pulse"
	"pulse/internal/store"
)

func adminCreate(ctx context.Context, cfg config.Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the admin's email")
	role := fs.String("role", "", "SUPER_ADMIN, SYSTEM_MONITOR or CONTENT_MANAGER")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input (required)")
	if err := fs.Parse(args); err != nil {
		return usageErr("%v", err)
	}
	if !*fromStdin {
		return usageErr("--password-stdin is required: passwords are never taken as arguments, which other users can see")
	}
	addr, err := pulse.NormalizeEmail(*email)
	if err != nil {
		return err
	}
	r, err := pulse.ParseRole(*role)
	if err != nil {
		return err
	}
	pw, err := readPassword(stdin)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	return withStore(ctx, cfg, func(db *store.DB) error {
		a, err := db.CreateAdmin(ctx, pulse.Admin{Email: addr, Role: r, PasswordHash: hash})
		if err != nil {
			return err
		}
		return say(stdout, "admin %s created with role %s\n", a.Email, a.Role)
	})
}

// readPassword takes the first line of stdin, without its line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usageErr("no password on standard input")
	}
	return pw, nil
}

func apikeyCreate(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "what the key is for, e.g. the calling service")
	if err := fs.Parse(args); err != nil {
		return usageErr("%v", err)
	}
	if strings.TrimSpace(*name) == "" {
		return usageErr("--name is required")
	}
	return withStore(ctx, cfg, func(db *store.DB) error {
		secret, prefix, hash, err := auth.NewAPIKey()
		if err != nil {
			return err
		}
		if _, err := db.CreateAPIKey(ctx, pulse.APIKey{Name: *name, Prefix: prefix, Hash: hash}); err != nil {
			return err
		}
		// The key alone on stdout, so that KEY=$(pulse apikey create --name x) works.
		if err := say(stdout, "%s\n", secret); err != nil {
			return err
		}
		return say(stderr, "API key %q created (%s…). It is shown this once; only its hash is stored. Send it as the X-API-Key header.\n", *name, prefix)
	})
}

func categoryAdd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	name := strings.TrimSpace(strings.Join(args, " "))
	if name == "" {
		return usageErr("category add needs a NAME")
	}
	return withStore(ctx, cfg, func(db *store.DB) error {
		c, err := db.CreateCategory(ctx, name)
		if err != nil {
			return err
		}
		return say(stdout, "category %q added\n", c.Name)
	})
}

// say writes one message of a verb's output.
func say(w io.Writer, format string, args ...any) error {
	_, err := fmt.Fprintf(w, format, args...)
	return err
}

// emailFlag parses the verb's only flag, --email.
func emailFlag(verb string, args []string, stderr io.Writer, more func(fs *flag.FlagSet)) (string, error) {
	fs := flag.NewFlagSet(verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the admin's email")
	if more != nil {
		more(fs)
	}
	if err := fs.Parse(args); err != nil {
		return "", usageErr("%v", err)
	}
	if *email == "" {
		return "", usageErr("--email is required")
	}
	return pulse.NormalizeEmail(*email)
}

func adminSetRole(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	var role *string
	addr, err := emailFlag("admin set-role", args, stderr, func(fs *flag.FlagSet) {
		role = fs.String("role", "", "SUPER_ADMIN, SYSTEM_MONITOR or CONTENT_MANAGER")
	})
	if err != nil {
		return err
	}
	r, err := pulse.ParseRole(*role)
	if err != nil {
		return err
	}
	return withStore(ctx, cfg, func(db *store.DB) error {
		a, err := db.SetAdminRole(ctx, addr, r)
		if err != nil {
			return err
		}
		return say(stdout, "admin %s now has role %s (every replica applies it within %s)\n", a.Email, a.Role, access.MaxAge)
	})
}

// adminSetDisabled disables or enables an admin; doing it twice says so and
// changes nothing.
func adminSetDisabled(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer, disabled bool) error {
	verb := map[bool]string{true: "disable", false: "enable"}[disabled]
	addr, err := emailFlag("admin "+verb, args, stderr, nil)
	if err != nil {
		return err
	}
	return withStore(ctx, cfg, func(db *store.DB) error {
		a, err := db.AdminByEmail(ctx, addr)
		if pulse.ErrorCode(err) == pulse.ENOTFOUND {
			return pulse.Errorf(pulse.ENOTFOUND, "no admin with email %s", addr)
		} else if err != nil {
			return err
		}
		if a.Disabled == disabled {
			return say(stdout, "admin %s is already %sd; nothing changed\n", a.Email, verb)
		}
		if _, err := db.SetAdminDisabled(ctx, addr, disabled); err != nil {
			return err
		}
		if disabled {
			return say(stdout, "admin %s disabled: they cannot sign in, and every replica refuses their tokens within %s\n", a.Email, access.MaxAge)
		}
		return say(stdout, "admin %s enabled: they can sign in again\n", a.Email)
	})
}

// apikeyList prints every key as a table: never the secret or its hash, only
// the prefix that was shown with it at creation.
func apikeyList(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return usageErr("apikey list takes no arguments")
	}
	return withStore(ctx, cfg, func(db *store.DB) error {
		keys, err := db.ListAPIKeys(ctx)
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			return say(stderr, "no API keys yet; create one with: pulse apikey create --name N\n")
		}
		rows := make([][]string, 0, len(keys))
		for _, k := range keys {
			rows = append(rows, []string{strconv.FormatInt(k.ID, 10), k.Name, k.Prefix + "…", stamp(k.CreatedAt),
				orDash(k.LastUsedAt, "never"), orDash(k.RevokedAt, "-")})
		}
		return writeTable(stdout, []string{"ID", "NAME", "PREFIX", "CREATED", "LAST USED", "REVOKED"}, rows)
	})
}

// writeTable prints the CLI's listings: a header and aligned columns, written
// in one piece (a table cut off half-way by a broken pipe is not a table).
func writeTable(w io.Writer, header []string, rows [][]string) error {
	var table bytes.Buffer // writes to a buffer cannot fail
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		_, _ = fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	_ = tw.Flush()
	_, err := table.WriteTo(w)
	return err
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

func orDash(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return stamp(t)
}

// apikeyRevoke revokes a key by name, or by id when several active keys share
// the name. Revoking a revoked key says so and changes nothing.
func apikeyRevoke(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("apikey revoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "the key's name, as in pulse apikey list")
	id := fs.Int64("id", 0, "the key's id, when several keys share a name")
	if err := fs.Parse(args); err != nil {
		return usageErr("%v", err)
	}
	if (strings.TrimSpace(*name) == "") == (*id == 0) {
		return usageErr("give one of --name or --id")
	}
	return withStore(ctx, cfg, func(db *store.DB) error {
		keys, err := db.ListAPIKeys(ctx)
		if err != nil {
			return err
		}
		k, err := keyToRevoke(keys, strings.TrimSpace(*name), *id)
		if err != nil {
			return err
		}
		if k.Revoked() {
			return say(stdout, "API key %q (id %d) was already revoked on %s; nothing changed\n", k.Name, k.ID, stamp(k.RevokedAt))
		}
		if err := db.RevokeAPIKey(ctx, k.ID, time.Now()); err != nil {
			return err
		}
		return say(stdout, "API key %q (id %d) revoked: every replica refuses it within %s\n", k.Name, k.ID, access.MaxAge)
	})
}

// keyToRevoke picks the key a revoke names: by id, or the one active key
// with the name (a revoked one when none is active, to say it already is).
func keyToRevoke(keys []pulse.APIKey, name string, id int64) (pulse.APIKey, error) {
	if id != 0 {
		for _, k := range keys {
			if k.ID == id {
				return k, nil
			}
		}
		return pulse.APIKey{}, pulse.Errorf(pulse.ENOTFOUND, "no API key with id %d (see pulse apikey list)", id)
	}
	var active, revoked []pulse.APIKey
	for _, k := range keys {
		switch {
		case k.Name != name:
		case k.Revoked():
			revoked = append(revoked, k)
		default:
			active = append(active, k)
		}
	}
	switch {
	case len(active) == 1:
		return active[0], nil
	case len(active) > 1:
		ids := make([]string, len(active))
		for i, k := range active {
			ids[i] = strconv.FormatInt(k.ID, 10)
		}
		return pulse.APIKey{}, pulse.Errorf(pulse.ECONFLICT, "%d active API keys are named %q (ids %s); revoke one with --id", len(active), name, strings.Join(ids, ", "))
	case len(revoked) > 0:
		return revoked[len(revoked)-1], nil
	default:
		return pulse.APIKey{}, pulse.Errorf(pulse.ENOTFOUND, "no API key named %q (see pulse apikey list)", name)
	}
}
