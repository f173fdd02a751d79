package filesystem

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConnectJSONWire checks what E2B's SDKs parse: a plain Connect-JSON unary
// call with lowerCamelCase fields, enum names and RFC 3339 timestamps, and
// Connect error bodies with lower-case code names.
func TestConnectJSONWire(t *testing.T) {
	h := newHarness(t)
	f := filepath.Join(t.TempDir(), "w.txt")
	if err := os.WriteFile(f, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	post := func(body string) (int, map[string]any) {
		req, err := http.NewRequest(http.MethodPost, h.url+"/filesystem.Filesystem/Stat", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Connect-Protocol-Version", "1")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return res.StatusCode, m
	}
	status, m := post(`{"path":"` + f + `"}`)
	e, _ := m["entry"].(map[string]any)
	if status != http.StatusOK || e == nil {
		t.Fatalf("%d %v", status, m)
	}
	if e["type"] != "FILE_TYPE_FILE" || e["size"] != "3" || e["permissions"] != "-rw-r--r--" || e["owner"] != "root" {
		t.Fatalf("entry = %v", e)
	}
	if ts, _ := e["modifiedTime"].(string); !strings.HasSuffix(ts, "Z") {
		t.Fatalf("modifiedTime = %v", e["modifiedTime"])
	}
	status, m = post(`{"path":"` + f + `.missing"}`)
	if status != http.StatusNotFound || m["code"] != "not_found" {
		t.Fatalf("%d %v", status, m)
	}
}
