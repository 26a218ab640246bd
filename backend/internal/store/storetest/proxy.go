package storetest

import (
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Proxy is a TCP proxy in front of a database server, which a test switches
// between forwarding, hanging (a partitioned network: bytes go nowhere, nothing
// is refused) and dropping (every connection closed, new ones closed at once).
type Proxy struct {
	tb     testing.TB
	target string
	ln     net.Listener

	mu      sync.Mutex
	state   proxyState
	resumed chan struct{} // closed when a hang ends
	conns   map[net.Conn]struct{}
	closed  bool
	wg      sync.WaitGroup
}

type proxyState int

const (
	proxyForwarding proxyState = iota
	proxyHanging
	proxyDropping
)

// NewProxy listens on 127.0.0.1:0 and forwards to target (host:port); it is
// closed at cleanup, together with every connection through it.
func NewProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	p := &Proxy{tb: tb, target: target, ln: ln, resumed: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.accept)
	tb.Cleanup(p.Close)
	return p
}

// NewPostgresProxy is NewProxy in front of dsn's server; it returns the proxy
// and dsn rewritten to go through it.
func NewPostgresProxy(tb testing.TB, dsn string) (*Proxy, string) {
	tb.Helper()
	u, err := url.Parse(dsn)
	require.NoError(tb, err)
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "5432"
	}
	p := NewProxy(tb, net.JoinHostPort(host, port))
	u.Host = p.ln.Addr().String()
	return p, u.String()
}

// Hang stops forwarding: what is sent on existing and new connections is
// held, unanswered, until Forward.
func (p *Proxy) Hang() { p.set(proxyHanging) }

// Drop closes every connection and, until Forward, closes new ones at once.
func (p *Proxy) Drop() { p.set(proxyDropping) }

// Forward resumes normal forwarding.
func (p *Proxy) Forward() { p.set(proxyForwarding) }

func (p *Proxy) set(s proxyState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == proxyHanging && s != proxyHanging {
		close(p.resumed)
		p.resumed = make(chan struct{})
	}
	p.state = s
	if s == proxyDropping {
		for c := range p.conns {
			_ = c.Close()
		}
	}
}

// Close stops the proxy and closes every connection through it.
func (p *Proxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	_ = p.ln.Close()
	for c := range p.conns {
		_ = c.Close()
	}
	if p.state == proxyHanging {
		close(p.resumed)
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(client) {
			continue
		}
		p.wg.Go(func() { p.serve(client) })
	}
}

// track registers c, or closes it when the proxy drops or is closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.state == proxyDropping {
		_ = c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
}

func (p *Proxy) serve(client net.Conn) {
	defer p.untrack(client)
	defer func() { _ = client.Close() }()
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		return
	}
	if !p.track(server) {
		return
	}
	defer p.untrack(server)
	defer func() { _ = server.Close() }()
	done := make(chan struct{}, 2)
	go func() { p.pipe(server, client); done <- struct{}{} }()
	go func() { p.pipe(client, server); done <- struct{}{} }()
	<-done // either side ending ends both
}

// pipe copies src to dst, holding each chunk while the proxy hangs.
func (p *Proxy) pipe(dst, src net.Conn) {
	defer func() { _ = dst.Close() }()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.waitWhileHanging() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				_ = src.Close()
			}
			return
		}
	}
}

// waitWhileHanging blocks while the proxy hangs; false means stop (dropped
// or closed).
func (p *Proxy) waitWhileHanging() bool {
	for {
		p.mu.Lock()
		state, resumed, closed := p.state, p.resumed, p.closed
		p.mu.Unlock()
		switch {
		case closed || state == proxyDropping:
			return false
		case state == proxyForwarding:
			return true
		}
		<-resumed
	}
}
