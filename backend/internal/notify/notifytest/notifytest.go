// Package notifytest runs real local receivers for the alert channels in
// tests: an HTTP server that records what it is posted (httptest), and an
// SMTP server (github.com/emersion/go-smtp) that records the mail it
// accepts. Only tests import it.
package notifytest

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Request is one request a Receiver answered.
type Request struct {
	Header http.Header
	Body   []byte
}

// Receiver is an HTTP endpoint that records every POST and answers with
// the status its Answer function gives (200 by default).
type Receiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests []Request
	answer   func(n int) int // status of the n-th request (1-based)
}

// NewReceiver starts a receiver, closed at the test's end.
func NewReceiver(tb testing.TB) *Receiver {
	r := &Receiver{answer: func(int) int { return http.StatusOK }}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.requests = append(r.requests, Request{Header: req.Header.Clone(), Body: body})
		status := r.answer(len(r.requests))
		r.mu.Unlock()
		w.WriteHeader(status)
		if status >= 300 {
			_, _ = io.WriteString(w, "receiver says no")
		}
	}))
	tb.Cleanup(r.Close)
	return r
}

// Answer sets the status of the n-th request (1-based).
func (r *Receiver) Answer(f func(n int) int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answer = f
}

// Requests returns every request so far.
func (r *Receiver) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.requests...)
}

// Mail is one message an SMTPServer accepted.
type Mail struct {
	From string
	To   []string
	Data []byte
	User string // who authenticated; "" when nobody did
}

// SMTPServer is a real SMTP server on 127.0.0.1 that accepts PLAIN
// authentication with User/Password (without TLS: it is local) and records
// every message.
type SMTPServer struct {
	Addr           string
	User, Password string
	mu             sync.Mutex
	mails          []Mail
}

// NewSMTPServer starts a server, closed at the test's end.
func NewSMTPServer(tb testing.TB) *SMTPServer {
	s := &SMTPServer{User: "alerts", Password: "smtp-secret"}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtp listen: %v", err)
	}
	s.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() { _ = srv.Close() })
	return s
}

// URL is PULSE_SMTP_URL for this server.
func (s *SMTPServer) URL() string { return "smtp://" + s.User + ":" + s.Password + "@" + s.Addr }

// Mails returns every accepted message so far.
func (s *SMTPServer) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

type session struct {
	srv  *SMTPServer
	user string
	mail Mail
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.srv.User || pass != s.srv.Password {
			return errors.New("invalid credentials")
		}
		s.user = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.mail = Mail{From: from, User: s.user}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.mail.To = append(s.mail.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.mail.Data = b
	s.srv.mu.Lock()
	s.srv.mails = append(s.srv.mails, s.mail)
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.mail = Mail{User: s.user} }
func (s *session) Logout() error { return nil }
