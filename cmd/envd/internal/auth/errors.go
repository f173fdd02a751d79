package auth

import (
	"encoding/json"
	"net/http"
)

// WriteError writes envd's REST error body {"code": <status>, "message": ...}.
func WriteError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{status, message})
}
