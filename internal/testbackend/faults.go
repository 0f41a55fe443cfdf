package testbackend

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"time"
)

// takeFault returns the first armed fault for key and uses it up (s.mu held).
func (s *Server) takeFault(key string) *Fault {
	for i, f := range s.faults {
		if f.Path != key && f.Path != "*" {
			continue
		}
		out := *f
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return &out
	}
	return nil
}

func defaultCode(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "TooManyRequests"
	case status == http.StatusServiceUnavailable:
		return CodeServiceUnavailable
	case status == http.StatusNotFound:
		return CodeNotFound
	case status == http.StatusUnauthorized:
		return CodeAuthenticationRequired
	case status == http.StatusForbidden:
		return CodeTokenInvalid
	case status >= 500:
		return CodeInternal
	}
	return "BadRequest"
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f *Fault, next http.HandlerFunc) {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	status := func(def int) int {
		if f.Status != 0 {
			return f.Status
		}
		return def
	}
	switch f.Kind {
	case KindDelay:
		next(w, r)
	case KindError:
		if f.Status == 0 {
			if f.Delay > 0 {
				next(w, r) // delay only
				return
			}
		}
		st := status(http.StatusInternalServerError)
		code, msg := f.Code, f.Message
		if code == "" {
			code = defaultCode(st)
		}
		if msg == "" {
			msg = fmt.Sprintf("Injected failure (HTTP %d).", st)
		}
		writeError(w, &apiError{status: st, code: code, message: msg})
	case KindPlainText:
		msg := f.Message
		if msg == "" {
			msg = http.StatusText(status(http.StatusInternalServerError))
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status(http.StatusInternalServerError))
		_, _ = w.Write([]byte(msg + "\n"))
	case KindHTML:
		st := status(http.StatusBadGateway)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(st)
		_, _ = fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><center><h1>%d %s</h1></center><hr><center>nginx</center></body></html>\n",
			st, http.StatusText(st), st, http.StatusText(st))
	case KindEcho:
		h := r.Header.Get("Authorization")
		writeError(w, &apiError{status: status(http.StatusBadRequest), code: "EchoedRequest",
			message: fmt.Sprintf("Rejected request with Authorization: %s (URL-encoded: %s)", h, url.QueryEscape(h))})
	case KindMalformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status(http.StatusOK))
		_, _ = w.Write([]byte(`{"malformed": [1, 2,`))
	case KindWrongContentType, KindTruncated:
		rec := httptest.NewRecorder()
		next(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		body := rec.Body.Bytes()
		st := status(rec.Code)
		if f.Kind == KindWrongContentType {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(st)
			_, _ = w.Write(body)
			return
		}
		// Announce the full length, send half, then drop the connection.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(st)
		_, _ = w.Write(body[:len(body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		panic(http.ErrAbortHandler)
	default:
		writeError(w, &apiError{status: http.StatusInternalServerError, code: CodeInternal,
			message: fmt.Sprintf("unknown fault kind %q", f.Kind)})
	}
}
