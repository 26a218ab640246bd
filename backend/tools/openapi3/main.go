// Command openapi3 converts the Swagger 2.0 document that swag emits into
// OpenAPI 3 (what TypeScript generators want), validates it, and writes it.
//
//	go run ./tools/openapi3 ../api/swagger.json ../api/openapi.json
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

func main() {
	if len(os.Args) != 3 {
		_, _ = fmt.Fprintln(os.Stderr, "usage: openapi3 SWAGGER_JSON OUT_JSON")
		os.Exit(2)
	}
	if err := convert(os.Args[1], os.Args[2]); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "openapi3:", err)
		os.Exit(1)
	}
}

func convert(in, out string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var v2 openapi2.T
	if err := json.Unmarshal(raw, &v2); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	v3, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return err
	}
	v3.Servers = openapi3.Servers{{URL: "/", Description: "the Pulse instance serving this document"}}
	// The project grants no licence (it has no licence file); the document
	// says so, and links to itself for want of a licence text to link to.
	v3.Info.License = &openapi3.License{Name: "Proprietary: no licence is granted", URL: "/swagger/index.html"}
	markNullable(v3)
	if err := addCookieAuth(v3); err != nil {
		return err
	}
	markOpen(v3)
	if err := v3.Validate(context.Background()); err != nil {
		return fmt.Errorf("the converted document is not valid OpenAPI 3: %w", err)
	}
	b, err := json.MarshalIndent(v3, "", "  ")
	if err != nil {
		return err
	}
	// Validate what is written, as a consumer will load it.
	loaded, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		return err
	}
	if err := loaded.Validate(context.Background()); err != nil {
		return fmt.Errorf("%s is not valid OpenAPI 3: %w", out, err)
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}

// addCookieAuth declares the admin_token cookie, which Swagger 2.0 cannot
// express (its apiKey schemes are in header or query only), and offers it
// beside BearerAuth wherever that is accepted: the guard reads the same token
// from either.
//
// An operation may name only schemes the Swagger 2.0 document declares (so
// never CookieAuth itself, which is added here): a @Security line for an
// undeclared scheme would leave swagger.json invalid and is refused.
func addCookieAuth(doc *openapi3.T) error {
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Security == nil {
				continue
			}
			for _, req := range *op.Security {
				for name := range req {
					if doc.Components.SecuritySchemes[name] == nil {
						return fmt.Errorf("%s %s names the security scheme %q, which the Swagger 2.0 document does not declare", method, path, name)
					}
				}
			}
		}
	}
	if doc.Components.SecuritySchemes == nil || doc.Components.SecuritySchemes["BearerAuth"] == nil {
		return nil
	}
	doc.Components.SecuritySchemes["CookieAuth"] = &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{
		Type: "apiKey", In: "cookie", Name: "admin_token",
		Description: "The HttpOnly cookie that /api/admin/auth/login sets: the dashboard's way of sending the token.",
	}}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.Security == nil {
				continue
			}
			var with openapi3.SecurityRequirements
			for _, req := range *op.Security {
				if _, ok := req["BearerAuth"]; ok && len(req) == 1 {
					with = append(with, openapi3.SecurityRequirement{"CookieAuth": []string{}})
				}
				with = append(with, req)
			}
			*op.Security = with
		}
	}
	return nil
}

// markOpen says `security: []` on every operation without @Security: open
// on purpose (probes, sign-in, sign-out), not forgotten. The contract test
// checks that each such route answers without credentials and each guarded
// one refuses.
func markOpen(doc *openapi3.T) {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.Security == nil || len(*op.Security) == 0 {
				op.Security = &openapi3.SecurityRequirements{}
			}
		}
	}
}

// markNullable turns swag's x-nullable extension into OpenAPI 3's nullable,
// so that generated types say `number | null` where the API may send null.
func markNullable(doc *openapi3.T) {
	for _, s := range doc.Components.Schemas {
		if s.Value == nil {
			continue
		}
		for _, p := range s.Value.Properties {
			if p.Value == nil {
				continue
			}
			if v, ok := p.Value.Extensions["x-nullable"]; ok {
				if b, ok := v.(bool); ok && b {
					p.Value.Nullable = true
				}
				delete(p.Value.Extensions, "x-nullable")
			}
			// A nullable reference (allOf: [$ref]) needs a type of its own
			// beside nullable, or OpenAPI 3.0 tools cannot tell what the null
			// is an alternative to.
			if p.Value.Nullable && (p.Value.Type == nil || len(*p.Value.Type) == 0) && len(p.Value.AllOf) > 0 {
				p.Value.Type = &openapi3.Types{openapi3.TypeObject}
			}
		}
	}
}
