package postgis_test

import (
	"context"
	"testing"
	"time"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/layers/layerstest"
)

// TestCatalogFollowsNotifications: a catalog that follows NOTIFYs (another
// replica's, here a second store on the same database) sees a new layer and
// a new data version without waiting for its periodic reload.
func TestCatalogFollowsNotifications(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newStore(t)
	cat := layers.NewCatalog(s, nil)
	changes := cat.Subscribe()
	done := make(chan error, 1)
	go func() { done <- cat.Follow(ctx, s, time.Hour) }()
	time.Sleep(200 * time.Millisecond) // let LISTEN start; a missed NOTIFY is caught by the (re)connect refresh anyway

	wait := func(cond func(*layers.Snapshot) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond(cat.Snapshot()) {
			if time.Now().After(deadline) {
				t.Fatal("the catalog did not follow the change")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if _, err := s.PutLayer(ctx, layerstest.Layer("sidings", layers.Public, false), "test"); err != nil {
		t.Fatal(err)
	}
	wait(func(sn *layers.Snapshot) bool { _, ok := sn.Layer("sidings"); return ok })
	if _, err := layerstest.Importer(s).Import(ctx, layers.ImportSpec{Layer: "sidings", Source: layerstest.Grid(10, false)}); err != nil {
		t.Fatal(err)
	}
	wait(func(sn *layers.Snapshot) bool { return sn.Version("sidings") == 1 })
	select {
	case ch := <-changes:
		if ch.Layer != "sidings" {
			t.Fatalf("change %+v", ch)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no change delivered to the subscriber")
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Follow returned %v", err)
	}
}
