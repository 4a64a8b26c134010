package postgis_test

import (
	"context"
	"errors"
	"testing"

	"github.com/coalmap/coalmap/formats"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/layers/layerstest"
)

// gated is a source whose first Next waits until open is closed (or
// abandoned: the import was cancelled).
type gated struct {
	*layerstest.Slice
	open    chan struct{}
	started chan struct{}
	once    bool
}

func (g *gated) Next() (*formats.Feature, error) {
	if !g.once {
		g.once = true
		close(g.started)
		<-g.open
	}
	return g.Slice.Next()
}

func newGated() *gated {
	return &gated{Slice: layerstest.Grid(10, true), open: make(chan struct{}), started: make(chan struct{})}
}

// TestImportServiceQueue: the service runs Parallel imports at once, queues
// MaxQueued more and refuses beyond (ErrBusy); Cancel ends a queued import,
// recorded as cancelled, its layer untouched; Wait, Get and List see each
// job as it ends.
func TestImportServiceQueue(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	loadLayer(t, s, "blocks", 5, true)
	imports := layers.NewImports(ctx, s, s, layers.ImportsConfig{Parallel: 1, MaxQueued: 1}, nil)
	defer imports.Close()

	first, second := newGated(), newGated()
	j1, err := imports.Start(ctx, layers.ImportSpec{Layer: "blocks", Source: first, SourceName: "first", Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	<-first.started // running: the slot is taken
	j2, err := imports.Start(ctx, layers.ImportSpec{Layer: "blocks", Source: second, SourceName: "second", Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := imports.Start(ctx, layers.ImportSpec{Layer: "blocks", Source: newGated(), SourceName: "third"}); !errors.Is(err, layers.ErrBusy) {
		t.Fatalf("a third import with one running and one queued: %v, want ErrBusy", err)
	}
	if j, err := imports.Get(ctx, j2.ID); err != nil || j.Status != layers.ImportQueued {
		t.Fatalf("the second job: %+v %v", j, err)
	}
	if err := imports.Cancel(ctx, j2.ID); err != nil {
		t.Fatal(err)
	}
	res, err := imports.Wait(ctx, j2.ID)
	if !errors.Is(err, context.Canceled) || res.Status != layers.ImportCancelled {
		t.Fatalf("the cancelled job: %+v %v", res, err)
	}
	close(first.open)
	res, err = imports.Wait(ctx, j1.ID)
	if err != nil || res.Status != layers.ImportSucceeded || res.Features != 10 || res.DataVersion != 2 {
		t.Fatalf("the first job: %+v %v", res, err)
	}
	js, err := imports.List(ctx, "blocks", 10)
	if err != nil || len(js) < 3 || js[0].ID != j2.ID || js[0].Status != layers.ImportCancelled || js[1].Status != layers.ImportSucceeded {
		t.Fatalf("history %+v %v", js, err)
	}
	if err := imports.Cancel(ctx, j1.ID); !errors.Is(err, layers.ErrConflict) {
		t.Fatalf("cancelling an ended job: %v", err)
	}
	if l, _ := s.Layer(ctx, "blocks"); l.DataVersion != 2 || l.FeatureCount != 10 {
		t.Fatalf("layer after: %+v", l)
	}
}
