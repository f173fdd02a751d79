package api

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/auth"
	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

func TestCompose(t *testing.T) {
	requireRoot(t)
	s := newFilesServer(t)
	dir := t.TempDir()
	var sources []string
	for i, c := range []string{"alpha-", "beta-", "gamma"} {
		p := filepath.Join(dir, "part"+string(rune('0'+i)))
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		sources = append(sources, `"`+p+`"`)
	}
	dst := filepath.Join(dir, "out", "joined.txt")
	body := `{"source_paths":[` + strings.Join(sources, ",") + `],"destination":"` + dst + `","username":"nobody"}`
	res := s.do(t, http.MethodPost, "/files/compose", url.Values{}, strings.NewReader(body), nil)
	b := wantStatus(t, res, http.StatusOK)
	var e pb.EntryInfo
	if err := protojson.Unmarshal(b, &e); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if e.GetPath() != dst || e.GetSize() != int64(len("alpha-beta-gamma")) || e.GetOwner() != "nobody" ||
		e.GetType() != pb.FileType_FILE_TYPE_FILE {
		t.Fatalf("entry = %v", &e)
	}
	if !strings.Contains(string(b), `"modifiedTime"`) {
		t.Fatalf("not proto-JSON names: %s", b)
	}
	if readFile(t, dst) != "alpha-beta-gamma" {
		t.Fatalf("content = %q", readFile(t, dst))
	}
	if _, err := os.Stat(filepath.Join(dir, "part0")); !os.IsNotExist(err) {
		t.Fatal("sources not removed")
	}

	for _, tt := range []struct {
		name, body string
		hdr        map[string]string
		status     int
	}{
		{"missing source", `{"source_paths":["` + filepath.Join(dir, "nope") + `"],"destination":"` + dst + `"}`,
			nil, http.StatusNotFound},
		{"source is destination", `{"source_paths":["` + dst + `"],"destination":"` + dst + `"}`,
			nil, http.StatusBadRequest},
		{"directory source", `{"source_paths":["` + dir + `"],"destination":"` + dst + `"}`,
			nil, http.StatusBadRequest},
		{"no sources", `{"source_paths":[],"destination":"` + dst + `"}`, nil, http.StatusBadRequest},
		{"bad json", `{`, nil, http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, s.do(t, http.MethodPost, "/files/compose", url.Values{}, strings.NewReader(tt.body), tt.hdr), tt.status)
		})
	}
	t.Run("needs the access token", func(t *testing.T) {
		s.defaults.SetAccessToken("tok")
		defer s.defaults.SetAccessToken("")
		res := s.do(t, http.MethodPost, "/files/compose", url.Values{}, strings.NewReader(body), nil)
		wantStatus(t, res, http.StatusUnauthorized)
		res = s.do(t, http.MethodPost, "/files/compose", url.Values{}, strings.NewReader(`{`),
			map[string]string{auth.TokenHeader: "tok"})
		wantStatus(t, res, http.StatusBadRequest)
	})
}
