package postgis_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/layers/layerstest"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// notifications LISTENs on the changes channel on a connection of its own
// and, on demand, returns the changes announced up to a marker: a metadata
// change of layer marker, committed after what is counted. NOTIFYs arrive
// in commit order, so everything before the marker has arrived with it;
// nothing is timed.
type notifications struct {
	conn *pgx.Conn
}

func listenChanges(t *testing.T, pool *pgxpool.Pool) *notifications {
	t.Helper()
	c, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	conn := c.Hijack()
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(context.Background(), "LISTEN "+layers.ChangesChannel); err != nil {
		t.Fatal(err)
	}
	return &notifications{conn: conn}
}

// until returns the changes announced before the next one of layer marker
// (which the caller has just committed).
func (n *notifications) until(t *testing.T, marker string) []layers.Change {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out []layers.Change
	for {
		msg, err := n.conn.WaitForNotification(ctx)
		if err != nil {
			t.Fatalf("waiting for the marker change: %v", err)
		}
		var ch layers.Change
		if err := json.Unmarshal([]byte(msg.Payload), &ch); err != nil {
			t.Fatalf("payload %q: %v", msg.Payload, err)
		}
		if ch.Layer == marker {
			return out
		}
		out = append(out, ch)
	}
}

func mark(t *testing.T, s *postgis.Store, marker string) {
	t.Helper()
	l := layerstest.Layer(marker, layers.Public, false)
	if _, err := s.PutLayer(context.Background(), l, "test"); err != nil {
		t.Fatal(err)
	}
}

// TestOneChangePerImport: an import commits one change event (one log row,
// one NOTIFY) whose bbox covers the new data; building the layer's tile
// bands afterwards announces nothing and leaves the data version alone; a
// metadata update is one change of kind metadata that keeps the data
// version and bumps the metadata version.
func TestOneChangePerImport(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mark(t, s, "marker")
	n := listenChanges(t, s.Pool())

	if _, err := s.PutLayer(ctx, layerstest.Layer("sidings", layers.Public, true), "test"); err != nil {
		t.Fatal(err)
	}
	res, err := layerstest.Importer(s).Import(ctx, layers.ImportSpec{Layer: "sidings", Source: layerstest.Grid(20, true), SourceName: "grid", Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := postgis.PrepareLayerTiles(ctx, s.Pool(), "sidings"); err != nil {
		t.Fatal(err)
	}
	mark(t, s, "marker")
	got := n.until(t, "marker")
	if len(got) != 2 || got[0].Kind != layers.ChangeCreated || got[1].Kind != layers.ChangeData {
		t.Fatalf("changes announced: %+v, want created then one data change", got)
	}
	ch := got[1]
	if ch.Version != res.DataVersion || ch.ID <= got[0].ID || ch.LSN == "" {
		t.Fatalf("change %+v, import %+v", ch, res)
	}
	if res.Extent == nil || !ch.BBox.Contains(res.Extent.Bound().Min) || !ch.BBox.Contains(res.Extent.Bound().Max) {
		t.Fatalf("bbox %v does not cover the data %v", ch.BBox, res.Extent)
	}
	l, err := s.Layer(ctx, "sidings")
	if err != nil {
		t.Fatal(err)
	}
	if l.DataVersion != res.DataVersion {
		t.Fatalf("data version %d after building tile bands, import made %d", l.DataVersion, res.DataVersion)
	}
	if ok, err := s.BandsCurrent(ctx, "sidings"); err != nil || !ok {
		t.Fatalf("bands built for the current version: %v %v", ok, err)
	}

	// A new layer created by its import: one change, kind created, which
	// brings table, attributes and data at once.
	res, err = layerstest.Importer(s).Import(ctx, layers.ImportSpec{Layer: "washeries", Source: layerstest.Grid(5, false),
		Meta: layerstest.Layer("washeries", layers.Public, false), SourceName: "grid", Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	mark(t, s, "marker")
	got = n.until(t, "marker")
	if len(got) != 1 || got[0].Kind != layers.ChangeCreated || got[0].Layer != "washeries" || got[0].Version != res.DataVersion {
		t.Fatalf("a new layer's import announced %+v", got)
	}
	if w, err := s.Layer(ctx, "washeries"); err != nil || len(w.Attributes) != len(layerstest.GridAttributes) || w.FeatureCount != 5 {
		t.Fatalf("the new layer: %+v %v", w, err)
	}

	meta := l
	meta.Title = "Sidings (retitled)"
	if _, err := s.PutLayer(ctx, &meta, "test"); err != nil {
		t.Fatal(err)
	}
	mark(t, s, "marker")
	got = n.until(t, "marker")
	if len(got) != 1 || got[0].Kind != layers.ChangeMetadata || got[0].Version != l.DataVersion ||
		got[0].MetadataVersion != l.MetadataVersion+1 {
		t.Fatalf("metadata update announced %+v (layer was data %d metadata %d)", got, l.DataVersion, l.MetadataVersion)
	}
}

// TestFollowChangesCatchesUp: a listener that starts after some changes
// reads them from the log, in order, then follows new ones; each change it
// has taken is acknowledged, and WaitAcked sees it.
func TestFollowChangesCatchesUp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newStore(t)
	for _, id := range []string{"a_layer", "b_layer"} {
		mark(t, s, id)
	}
	seen := make(chan layers.Change, 16)
	done := make(chan error, 1)
	go func() {
		done <- s.FollowChanges(ctx, "test", 0, func(ch layers.Change) error { seen <- ch; return nil })
	}()
	for _, want := range []string{"a_layer", "b_layer"} {
		if ch := <-seen; ch.Layer != want || ch.Kind != layers.ChangeCreated {
			t.Fatalf("caught up with %+v, want %s created", ch, want)
		}
	}
	mark(t, s, "c_layer")
	ch := <-seen
	if ch.Layer != "c_layer" {
		t.Fatalf("followed %+v", ch)
	}
	v, err := s.WaitAcked(ctx, ch.ID, time.Minute)
	if err != nil || !v.Visible() || v.Listeners != 1 {
		t.Fatalf("wait acked: %+v %v", v, err)
	}
	cancel()
	<-done
}

// TestFollowChangesRewound: a listener called again after the last change
// it took is found gone from the log, or another change is found under its
// number — a failover to a standby that had not received it — is told so
// (layers.ErrHistoryRewound) at once; with the log intact it follows on.
func TestFollowChangesRewound(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	s := postgis.NewStore(pool)
	// follow takes n changes after after, then stops; it returns the last.
	follow := func(after int64, n int, during func()) layers.Change {
		t.Helper()
		fctx, cancel := context.WithCancel(ctx)
		defer cancel()
		seen := make(chan layers.Change, 16)
		done := make(chan error, 1)
		go func() {
			done <- s.FollowChanges(fctx, "test", after, func(ch layers.Change) error { seen <- ch; return nil })
		}()
		if during != nil {
			during()
		}
		var last layers.Change
		for i := 0; i < n; i++ {
			select {
			case last = <-seen:
			case err := <-done:
				t.Fatalf("following after %d ended: %v", after, err)
			}
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("following after %d: %v", after, err)
		}
		return last
	}
	rewound := func(after int64, when string) {
		t.Helper()
		err := s.FollowChanges(ctx, "test", after, func(layers.Change) error { return nil })
		if !errors.Is(err, layers.ErrHistoryRewound) {
			t.Fatalf("%s: following after %d: %v, want ErrHistoryRewound", when, after, err)
		}
	}
	mark(t, s, "a_layer")
	mark(t, s, "b_layer")
	b := follow(0, 2, nil)
	c := follow(b.ID, 1, func() { mark(t, s, "c_layer") })
	if c.Layer != "c_layer" {
		t.Fatalf("followed on with %+v", c)
	}
	// The change taken last is not in the log any more.
	if _, err := pool.Exec(ctx, `DELETE FROM catalog.changes WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	rewound(c.ID, "the last change lost")
	// From the log's newest change on, as the catalog does: another
	// change, then that change replaced by another under its number.
	d := follow(b.ID, 1, func() { mark(t, s, "d_layer") })
	if _, err := pool.Exec(ctx, `UPDATE catalog.changes SET at = at + interval '1 second' WHERE id = $1`, d.ID); err != nil {
		t.Fatal(err)
	}
	rewound(d.ID, "another change under the last one's number")
}
