package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestTokenCommands(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	cli := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		code := run(ctx, append(args, "--database-url", url), &out, &errb)
		return out.String(), errb.String(), code
	}
	tok, msg, code := cli("token", "create", "--role", "editor", "--name", "analyst")
	tok = strings.TrimSpace(tok)
	if code != 0 || !strings.HasPrefix(tok, layers.TokenPrefix) || !strings.Contains(msg, "shown only now") {
		t.Fatalf("create: %d %q %q", code, tok, msg)
	}
	pool, err := postgis.Connect(ctx, url, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := postgis.NewStore(pool)
	p, err := store.Authenticate(ctx, layers.HashToken(tok))
	if err != nil || p.Role != layers.Editor || p.Name != "analyst" {
		t.Fatalf("the printed token does not authenticate: %+v %v", p, err)
	}
	list, _, code := cli("token", "list")
	if code != 0 || !strings.Contains(list, "analyst") || !strings.Contains(list, "editor") || strings.Contains(list, tok) {
		t.Fatalf("list: %d\n%s", code, list)
	}
	if out, errs, code := cli("token", "revoke", "1"); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %d %s %s", code, out, errs)
	}
	if _, err := store.Authenticate(ctx, layers.HashToken(tok)); err == nil {
		t.Fatal("a revoked token still authenticates")
	}
	if _, errs, code := cli("token", "revoke", "42"); code != 1 || !strings.Contains(errs, "no token 42") {
		t.Fatalf("revoke unknown: %d %s", code, errs)
	}
	for _, bad := range [][]string{{"token", "create"}, {"token", "create", "--role", "root"}, {"token", "revoke", "x"}, {"token", "frob"}} {
		if _, errs, code := cli(bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", bad, code, errs)
		}
	}
}
