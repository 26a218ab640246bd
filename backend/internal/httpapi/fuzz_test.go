package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"pulse/internal/store/storetest"
)

// The fuzz targets drive the real Echo server on a real SQLite store (one
// per fuzzing process, made before f.Fuzz: inside the target only t may be
// used). A panic would come back as Recover's 500, so "no 5xx" covers it.

func newFuzzHarness(f *testing.F) *harness {
	db, _ := storetest.MustOpenSQLite(f)
	return newHarness(f, db)
}

// fuzzPost sends body with the harness's API key and checks that the answer
// is not a server error and that a client error has the error shape.
func fuzzPost(t *testing.T, h *harness, path, body string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", h.apiKey)
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("POST %s %q: %d %s", path, body, rec.Code, rec.Body.String())
	}
	if rec.Code >= 400 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("POST %s %q: %d without the error shape: %s", path, body, rec.Code, rec.Body.String())
		}
	}
	return rec.Code
}

// FuzzIngestBody sends arbitrary bodies to the two ingestion routes that
// decode JSON: starting a session and recording a quality sample.
func FuzzIngestBody(f *testing.F) {
	h := newFuzzHarness(f)
	live := h.mustSession("Mental Health", "daily")
	for _, seed := range []string{
		`{"category":"Mental Health","provider":"daily"}`,
		`{"category":"Career Counseling","provider":"livekit","external_id":"room-42"}`,
		`{"quality":"good"}`,
		`{"quality":"excellent","extra":1}`,
		`{"category":"Mental\u0000Health","provider":"daily"}`,
		`{"category":1,"provider":["daily"]}`,
		`{"quality":null}`,
		`{"category":"Mental Health","provider":"daily"} trailing`,
		`[]`,
		`null`,
		``,
		`{"category":"` + strings.Repeat("é", 300) + `","provider":"beyond_presence"}`,
		`{"quality":"\ud800"}`,
		`{"category":"Mental Health","category":"Career Counseling","provider":"daily"}`,
		`{{{{`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		fuzzPost(t, h, "/api/sessions", body)
		fuzzPost(t, h, "/api/sessions/"+live+"/quality", body)
	})
}

// FuzzSessionPathID sends a valid sample and an end to arbitrary session ids.
// The id is path-escaped: any string reaches the handler as c.Param("id").
func FuzzSessionPathID(f *testing.F) {
	h := newFuzzHarness(f)
	live := h.mustSession("Mental Health", "daily")
	ended := h.mustSession("Career Counseling", "livekit")
	h.ingest(http.MethodPost, "/api/sessions/"+ended+"/end", "")
	for _, seed := range []string{
		live,
		ended,
		strings.ToUpper(live),
		"urn:uuid:" + live,
		"{" + live + "}",
		"00000000-0000-0000-0000-000000000000",
		"not-a-uuid",
		"",
		"..",
		"%00",
		"\x00",
		"' OR 1=1 --",
		live + "/../" + live,
		strings.Repeat("f", 10000),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		base := "/api/sessions/" + url.PathEscape(id)
		fuzzPost(t, h, base+"/quality", `{"quality":"fair"}`)
		fuzzPost(t, h, base+"/end", "")
	})
}
