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
	v3.Servers = openapi3.Servers{{URL: "/"}}
	markNullable(v3)
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
		}
	}
}
