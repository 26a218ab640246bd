// Package apidoc embeds the OpenAPI 3 document so that the binary can serve
// it to Swagger UI. openapi.json is a copy of the committed api/openapi.json
// (Go cannot embed a file outside its module): `make openapi` writes it and
// `make openapi-check` fails when it differs.
package apidoc

import _ "embed"

// OpenAPI is the OpenAPI 3 document of the HTTP API.
//
//go:embed openapi.json
var OpenAPI []byte
