package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"pulse/internal/pulse"
)

// SMTP sends each notification as a plain-text e-mail through one server,
// with net/smtp: STARTTLS when the server offers it (smtp://), TLS from the
// first byte with smtps://, and PLAIN authentication when the URL has a user
// (net/smtp refuses to send a password unencrypted except to localhost).
type SMTP struct {
	addr, host  string
	implicitTLS bool
	user, pass  string
	from        string
	to          []string
	tlsConfig   *tls.Config
	dialer      net.Dialer
}

// NewSMTP parses PULSE_SMTP_URL (smtp://user:pass@host:port, port 587 by
// default; smtps:// port 465) and the addresses.
func NewSMTP(rawURL, from string, to []string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("notify: PULSE_SMTP_URL must look like smtp://user:password@host:587")
	}
	if len(to) == 0 {
		return nil, fmt.Errorf("notify: e-mail needs at least one recipient")
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"smtp": "587", "smtps": "465"}[u.Scheme]
	}
	s := &SMTP{addr: net.JoinHostPort(u.Hostname(), port), host: u.Hostname(), implicitTLS: u.Scheme == "smtps",
		from: strings.TrimSpace(from)}
	for _, a := range to {
		if a = strings.TrimSpace(a); a != "" {
			s.to = append(s.to, a)
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	s.tlsConfig = &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	return s, nil
}

// Channel implements pulse.Notifier.
func (s *SMTP) Channel() string { return "email" }

// Notify implements pulse.Notifier: one message to every recipient.
func (s *SMTP) Notify(ctx context.Context, n pulse.Notification) error {
	var conn net.Conn
	var err error
	if s.implicitTLS {
		d := tls.Dialer{NetDialer: &s.dialer, Config: s.tlsConfig}
		conn, err = d.DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = s.dialer.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !s.implicitTLS {
		if err := c.StartTLS(s.tlsConfig); err != nil {
			return err
		}
	}
	if s.user != "" {
		if err := c.Auth(smtp.PlainAuth("", s.user, s.pass, s.host)); err != nil {
			return err
		}
	}
	if err := c.Mail(s.from); err != nil {
		return err
	}
	for _, rcpt := range s.to {
		if err := c.Rcpt(rcpt); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(s.message(n)); err != nil {
		_ = w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// message is the e-mail: headers, then the text quoted-printable.
func (s *SMTP) message(n pulse.Notification) []byte {
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", s.from)
	header("To", strings.Join(s.to, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", "Pulse "+n.Title()))
	header("Date", time.Now().UTC().Format(time.RFC1123Z))
	if n.Unrecorded {
		// No ids to name it by: the rule, the outage's start and the status
		// keep the opening and the resolve distinct messages.
		header("Message-ID", fmt.Sprintf("<pulse-unrecorded-%s-%d-%s@pulse>", n.Rule, n.OpenedAt.Unix(), n.Status()))
	} else {
		header("Message-ID", fmt.Sprintf("<pulse-incident-%d-event-%d@%s>", n.IncidentID, n.EventID, "pulse"))
		header("X-Pulse-Incident", fmt.Sprint(n.IncidentID))
	}
	header("X-Pulse-Rule", string(n.Rule))
	header("X-Pulse-Status", n.Status())
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(n.Text(), "\n", "\r\n") + "\r\n"))
	_ = qp.Close()
	return b.Bytes()
}
