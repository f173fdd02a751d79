package api

import "net/http"

func handleFiles(mux *http.ServeMux, d Deps) {}
