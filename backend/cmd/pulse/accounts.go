package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

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
		_, _ = fmt.Fprintf(stdout, "admin %s created with role %s\n", a.Email, a.Role)
		return nil
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
	secret, prefix, hash, err := auth.NewAPIKey()
	if err != nil {
		return err
	}
	return withStore(ctx, cfg, func(db *store.DB) error {
		if _, err := db.CreateAPIKey(ctx, pulse.APIKey{Name: *name, Prefix: prefix, Hash: hash}); err != nil {
			return err
		}
		// The key alone on stdout, so that KEY=$(pulse apikey create --name x) works.
		_, _ = fmt.Fprintln(stdout, secret)
		_, _ = fmt.Fprintf(stderr, "API key %q created (%s…). It is shown this once; only its hash is stored. Send it as the X-API-Key header.\n", *name, prefix)
		return nil
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
		_, _ = fmt.Fprintf(stdout, "category %q added\n", c.Name)
		return nil
	})
}
