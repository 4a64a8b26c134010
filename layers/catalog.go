package layers

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// NotifyChannel is the PostgreSQL channel on which every change of a layer
// (metadata or data) is announced, with the payload "<id>:<data_version>".
const NotifyChannel = "coalmap_layers"

// Lister lists the catalog; Store satisfies it.
type Lister interface {
	Layers(ctx context.Context) ([]Layer, error)
}

// Listener delivers the payloads of NOTIFYs on a channel until ctx ends.
// It calls ready each time it is (again) listening, so that a follower can
// catch up on what it missed while disconnected.
type Listener interface {
	Listen(ctx context.Context, channel string, ready func(), fn func(payload string)) error
}

// Snapshot is an immutable view of the catalog. A published snapshot is
// never mutated: readers share it without locks.
type Snapshot struct {
	list  []*Layer
	byID  map[string]*Layer
	Built time.Time
}

// NewSnapshot builds a snapshot of ls.
func NewSnapshot(ls []Layer) *Snapshot {
	s := &Snapshot{byID: make(map[string]*Layer, len(ls)), Built: time.Now()}
	for i := range ls {
		l := &ls[i]
		s.list = append(s.list, l)
		s.byID[l.ID] = l
	}
	return s
}

// Layer returns the layer called id. The caller must not modify it.
func (s *Snapshot) Layer(id string) (*Layer, bool) {
	l, ok := s.byID[id]
	return l, ok
}

// Layers returns every layer in id order. The caller must not modify them.
func (s *Snapshot) Layers() []*Layer { return s.list }

// Version returns a layer's data version, or -1 if there is no such layer.
// Caches of tiles or geometries key their entries by it.
func (s *Snapshot) Version(id string) int64 {
	if l, ok := s.byID[id]; ok {
		return l.DataVersion
	}
	return -1
}

// Catalog is the in-memory catalog every request reads: a snapshot of
// catalog.layers, rebuilt aside and swapped in when a NOTIFY says a layer
// changed (on any replica), and periodically as a fallback.
type Catalog struct {
	src  Lister
	log  *slog.Logger
	snap atomic.Pointer[Snapshot]
	subs atomic.Pointer[[]chan<- Change]
}

// Change is a layer changed as announced on NotifyChannel.
type Change struct {
	Layer       string
	DataVersion int64
}

// NewCatalog returns a catalog reading from src, empty until Refresh.
func NewCatalog(src Lister, log *slog.Logger) *Catalog {
	if log == nil {
		log = slog.Default()
	}
	c := &Catalog{src: src, log: log}
	c.snap.Store(NewSnapshot(nil))
	return c
}

// Snapshot returns the current snapshot.
func (c *Catalog) Snapshot() *Snapshot { return c.snap.Load() }

// Layer returns the layer called id from the current snapshot.
func (c *Catalog) Layer(id string) (*Layer, bool) { return c.snap.Load().Layer(id) }

// Refresh rebuilds the snapshot from the store and publishes it.
func (c *Catalog) Refresh(ctx context.Context) error {
	ls, err := c.src.Layers(ctx)
	if err != nil {
		return fmt.Errorf("layers: refresh catalog: %w", err)
	}
	c.snap.Store(NewSnapshot(ls))
	return nil
}

// Subscribe returns a channel that receives each change Follow sees (after
// the snapshot holding it is published). Slow receivers miss changes rather
// than block; they can always read versions from Snapshot.
func (c *Catalog) Subscribe() <-chan Change {
	ch := make(chan Change, 64)
	for {
		old := c.subs.Load()
		var next []chan<- Change
		if old != nil {
			next = append(next, *old...)
		}
		next = append(next, ch)
		if c.subs.CompareAndSwap(old, &next) {
			return ch
		}
	}
}

// Follow keeps the snapshot current until ctx ends: it refreshes on every
// notification from l, each time l (re)connects, and every interval in any
// case. It returns ctx's error.
func (c *Catalog) Follow(ctx context.Context, l Listener, every time.Duration) error {
	if every <= 0 {
		every = time.Minute
	}
	changed := make(chan Change, 256)
	go func() {
		for ctx.Err() == nil {
			err := l.Listen(ctx, NotifyChannel, func() {
				select {
				case changed <- Change{}:
				default:
				}
			}, func(payload string) {
				ch := ParseChange(payload)
				select {
				case changed <- ch:
				default:
				}
			})
			if ctx.Err() != nil {
				return
			}
			c.log.WarnContext(ctx, "catalog: listening for changes failed; retrying", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(2 * time.Second):
			}
		}
	}()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		var batch []Change
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		case ch := <-changed:
			batch = append(batch, ch)
		drain:
			for {
				select {
				case ch := <-changed:
					batch = append(batch, ch)
				default:
					break drain
				}
			}
		}
		if err := c.Refresh(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			c.log.WarnContext(ctx, "catalog: refresh failed", "err", err)
			continue
		}
		if subs := c.subs.Load(); subs != nil {
			for _, ch := range batch {
				if ch.Layer == "" {
					continue
				}
				for _, s := range *subs {
					select {
					case s <- ch:
					default:
					}
				}
			}
		}
	}
}

// ParseChange reads a NotifyChannel payload "<id>:<version>".
func ParseChange(payload string) Change {
	id, v, _ := strings.Cut(payload, ":")
	n, _ := strconv.ParseInt(v, 10, 64)
	return Change{Layer: id, DataVersion: n}
}
