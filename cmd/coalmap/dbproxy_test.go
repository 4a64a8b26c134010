package main

import (
	"fmt"
	"net"
	neturl "net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// dbProxy is a loopback TCP proxy between a client (coalmap serve) and a
// PostgreSQL server, which the test steers to make the database slow or
// unreachable:
//   - delay: every chunk of bytes, each way, is held for a while before it
//     is passed on (a slow link, or a slow server as the client sees it);
//   - pause: nothing is passed on, new connections are accepted but not
//     answered, and closes are held too, as in a network partition where
//     no reset gets through; heal passes on what was held;
//   - drop: every open connection is cut at once, both ways, and new ones
//     are cut as soon as they come while dropping lasts.
//
// It is the test's instrument, not a model of the database: the server
// behind it is a real PostgreSQL.
type dbProxy struct {
	ln     net.Listener
	target func() (net.Conn, error)

	mu       sync.Mutex
	cond     *sync.Cond
	paused   bool
	dropping bool
	delay    time.Duration
	conns    map[net.Conn]struct{}
	accepted int
	wg       sync.WaitGroup
	closed   bool
}

// startDBProxy listens on a loopback port and forwards each connection to
// the server of the PostgreSQL URL url (a TCP host or a Unix socket
// directory). It returns the proxy and url rewritten to go through it.
func startDBProxy(t *testing.T, url string) (*dbProxy, string) {
	t.Helper()
	u, err := neturl.Parse(url)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("dbproxy: want a postgres:// URL, got %q", url)
	}
	q := u.Query()
	host, port := u.Hostname(), u.Port()
	if h := q.Get("host"); h != "" {
		host = h
	}
	if p := q.Get("port"); p != "" {
		port = p
	}
	if port == "" {
		port = "5432"
	}
	network, addr := "tcp", net.JoinHostPort(host, port)
	if host == "" || strings.HasPrefix(host, "/") {
		if host == "" {
			host = "/var/run/postgresql"
		}
		network, addr = "unix", filepath.Join(host, ".s.PGSQL."+port)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dbProxy{ln: ln, conns: map[net.Conn]struct{}{},
		target: func() (net.Conn, error) { return net.DialTimeout(network, addr, 10*time.Second) }}
	p.cond = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	q.Del("host")
	q.Del("port")
	u.Host = ln.Addr().String()
	u.RawQuery = q.Encode()
	return p, u.String()
}

func (p *dbProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			return
		}
		p.accepted++
		p.conns[c] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.handle(c)
	}
}

// gate waits while the proxy is paused and reports whether the connection
// may go on (not dropped, not closed).
func (p *dbProxy) gate(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.paused && !p.closed {
		p.cond.Wait()
	}
	_, open := p.conns[c]
	return open && !p.dropping && !p.closed
}

func (p *dbProxy) forget(cs ...net.Conn) {
	p.mu.Lock()
	for _, c := range cs {
		delete(p.conns, c)
		c.Close()
	}
	p.mu.Unlock()
}

func (p *dbProxy) handle(client net.Conn) {
	defer p.wg.Done()
	if !p.gate(client) {
		p.forget(client)
		return
	}
	server, err := p.target()
	if err != nil {
		p.forget(client)
		return
	}
	p.mu.Lock()
	if _, open := p.conns[client]; !open || p.dropping || p.closed {
		p.mu.Unlock()
		client.Close()
		server.Close()
		return
	}
	p.conns[server] = struct{}{}
	p.mu.Unlock()
	var both sync.WaitGroup
	both.Add(2)
	pipe := func(dst, src net.Conn) {
		defer both.Done()
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				p.mu.Lock()
				d := p.delay
				p.mu.Unlock()
				if d > 0 {
					time.Sleep(d)
				}
				if !p.gate(src) {
					break
				}
				if _, werr := dst.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				// The end of one side reaches the other once the
				// partition, if any, has healed.
				p.gate(src)
				break
			}
		}
		p.forget(client, server)
	}
	go pipe(server, client)
	go pipe(client, server)
	both.Wait()
}

// setDelay holds each chunk for d (0: none).
func (p *dbProxy) setDelay(d time.Duration) {
	p.mu.Lock()
	p.delay = d
	p.mu.Unlock()
}

// pause stops every byte, each way, until heal.
func (p *dbProxy) pause() {
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
}

// drop cuts every connection and keeps cutting new ones until heal.
func (p *dbProxy) drop() {
	p.mu.Lock()
	p.dropping = true
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) //nolint:errcheck // a reset, as a dropped link ends
		}
		c.Close()
		delete(p.conns, c)
	}
	p.mu.Unlock()
	p.cond.Broadcast()
}

// heal ends a pause or a drop (not a delay).
func (p *dbProxy) heal() {
	p.mu.Lock()
	p.paused, p.dropping = false, false
	p.mu.Unlock()
	p.cond.Broadcast()
}

// open returns the number of connections the proxy holds (each client
// connection and its server connection count apart).
func (p *dbProxy) open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

func (p *dbProxy) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("proxy %s: %d connections open, %d accepted, paused %v, dropping %v, delay %v",
		p.ln.Addr(), len(p.conns), p.accepted, p.paused, p.dropping, p.delay)
}

func (p *dbProxy) close() {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]struct{}{}
	p.mu.Unlock()
	p.cond.Broadcast()
	p.ln.Close()
	p.wg.Wait()
}
