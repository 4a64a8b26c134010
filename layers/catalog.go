package layers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Lister reads the catalog; Store satisfies it.
type Lister interface {
	// Layers returns every layer, ordered by id.
	Layers(ctx context.Context) ([]Layer, error)
	// Layer returns one layer, or an error wrapping ErrNotFound.
	Layer(ctx context.Context, id string) (Layer, error)
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

// with returns a copy of s in which layer id is l (nil: removed).
func (s *Snapshot) with(id string, l *Layer) *Snapshot {
	n := &Snapshot{byID: make(map[string]*Layer, len(s.byID)+1), Built: time.Now()}
	n.list = make([]*Layer, 0, len(s.list)+1)
	for _, x := range s.list {
		if x.ID != id {
			n.list = append(n.list, x)
			n.byID[x.ID] = x
		}
	}
	if l != nil {
		i, _ := slices.BinarySearchFunc(n.list, id, func(x *Layer, id string) int { return strings.Compare(x.ID, id) })
		n.list = slices.Insert(n.list, i, l)
		n.byID[id] = l
	}
	return n
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

// Catalog is the in-memory catalog every request reads: an immutable
// snapshot of catalog.layers behind an atomic pointer. Follow keeps it
// current from the change feed: each change reloads that layer's entry
// only, publishes a new snapshot, then tells the subscribers; a periodic
// full reload backs the feed up.
type Catalog struct {
	src Lister
	log *slog.Logger

	snap atomic.Pointer[Snapshot]
	// last is the id of the last change the snapshot holds.
	last atomic.Int64

	// mu serialises the writers of snap (change, Refresh); readers never
	// take it.
	mu sync.Mutex

	hooks atomic.Pointer[[]func(context.Context, Change)]
	subs  atomic.Pointer[[]chan<- Change]

	// Counters, for tests and metrics.
	reloads, refreshes atomic.Int64
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

// LastChange is the id of the newest change the current snapshot holds.
func (c *Catalog) LastChange() int64 { return c.last.Load() }

// Stats counts the catalog's work: layer entries reloaded for a change, and
// full reloads (Refresh).
type CatalogStats struct {
	LayerReloads, FullReloads int64
}

// Stats returns the catalog's counters.
func (c *Catalog) Stats() CatalogStats {
	return CatalogStats{LayerReloads: c.reloads.Load(), FullReloads: c.refreshes.Load()}
}

// Refresh rebuilds the whole snapshot from the store and publishes it. When
// feed is given, the snapshot is marked as holding every change up to the
// newest in the log at the start of the read.
func (c *Catalog) Refresh(ctx context.Context) error { return c.refresh(ctx, nil) }

func (c *Catalog) refresh(ctx context.Context, feed ChangeFeed) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var last int64
	if feed != nil {
		// Read the position first: a change committed after it is
		// replayed, and replaying one is harmless (it reloads an entry).
		var err error
		if last, err = feed.LastChange(ctx); err != nil {
			return fmt.Errorf("layers: refresh catalog: %w", err)
		}
	}
	ls, err := c.src.Layers(ctx)
	if err != nil {
		return fmt.Errorf("layers: refresh catalog: %w", err)
	}
	c.snap.Store(NewSnapshot(ls))
	c.refreshes.Add(1)
	if last > c.last.Load() {
		c.last.Store(last)
	}
	return nil
}

// resync rebuilds the snapshot after the feed's history was rewound: the
// whole catalog is read again, the last change is the log's newest (lower,
// now, than what was seen), and every layer of the old or new snapshot is
// announced to the hooks and subscribers as changed (a ChangeData at its
// version now, a ChangeDeleted when it is gone), so that they drop whatever
// they cached under versions the database may hand out again.
func (c *Catalog) resync(ctx context.Context, feed ChangeFeed) error {
	c.mu.Lock()
	last, err := feed.LastChange(ctx)
	if err != nil {
		c.mu.Unlock()
		return fmt.Errorf("layers: resync catalog: %w", err)
	}
	ls, err := c.src.Layers(ctx)
	if err != nil {
		c.mu.Unlock()
		return fmt.Errorf("layers: resync catalog: %w", err)
	}
	old := c.snap.Load()
	next := NewSnapshot(ls)
	c.snap.Store(next)
	c.refreshes.Add(1)
	c.last.Store(last)
	c.mu.Unlock()
	var chs []Change
	for _, l := range next.Layers() {
		chs = append(chs, Change{Layer: l.ID, Kind: ChangeData, Version: l.DataVersion, MetadataVersion: l.MetadataVersion})
	}
	for _, l := range old.Layers() {
		if _, ok := next.Layer(l.ID); !ok {
			chs = append(chs, Change{Layer: l.ID, Kind: ChangeDeleted})
		}
	}
	for _, ch := range chs {
		if hooks := c.hooks.Load(); hooks != nil {
			for _, fn := range *hooks {
				fn(ctx, ch)
			}
		}
		if subs := c.subs.Load(); subs != nil {
			for _, s := range *subs {
				select {
				case s <- ch:
				default:
				}
			}
		}
	}
	return nil
}

// OnChange registers fn to be called for each change Follow applies, in
// order, after the snapshot holding it is published and before the change
// is acknowledged to the feed: what fn has done when it returns (drop
// cached tiles, mark an index stale) is done before a writer is told its
// change is visible. fn must be quick; long work belongs to a Subscribe
// channel.
func (c *Catalog) OnChange(fn func(context.Context, Change)) {
	for {
		old := c.hooks.Load()
		var next []func(context.Context, Change)
		if old != nil {
			next = append(next, *old...)
		}
		next = append(next, fn)
		if c.hooks.CompareAndSwap(old, &next) {
			return
		}
	}
}

// Subscribe returns a channel that receives each change Follow applies
// (after the snapshot holding it is published). Slow receivers miss changes
// rather than block; they can always read versions from Snapshot.
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

// Apply brings the snapshot up to date with ch: it reloads ch's layer entry
// (or removes it, when the layer is gone), publishes the new snapshot and
// tells the OnChange hooks and the subscribers. A change the snapshot
// already holds is skipped.
func (c *Catalog) Apply(ctx context.Context, ch Change) error {
	c.mu.Lock()
	if ch.ID != 0 && ch.ID <= c.last.Load() {
		c.mu.Unlock()
		return nil
	}
	l, err := c.src.Layer(ctx, ch.Layer)
	var entry *Layer
	switch {
	case err == nil:
		entry = &l
	case errors.Is(err, ErrNotFound):
	default:
		c.mu.Unlock()
		return fmt.Errorf("layers: reload %s for change %d: %w", ch.Layer, ch.ID, err)
	}
	c.snap.Store(c.snap.Load().with(ch.Layer, entry))
	c.reloads.Add(1)
	if ch.ID > c.last.Load() {
		c.last.Store(ch.ID)
	}
	c.mu.Unlock()
	if hooks := c.hooks.Load(); hooks != nil {
		for _, fn := range *hooks {
			fn(ctx, ch)
		}
	}
	if subs := c.subs.Load(); subs != nil {
		for _, s := range *subs {
			select {
			case s <- ch:
			default:
			}
		}
	}
	return nil
}

// Follow keeps the snapshot current until ctx ends: it applies every change
// of feed in order (catching up from the log after each reconnection) and
// reloads the whole catalog every interval in any case. It returns ctx's
// error.
func (c *Catalog) Follow(ctx context.Context, feed ChangeFeed, every time.Duration) error {
	if every <= 0 {
		every = time.Minute
	}
	if c.last.Load() == 0 {
		if err := c.refresh(ctx, feed); err != nil && ctx.Err() == nil {
			c.log.WarnContext(ctx, "catalog: reload failed", "err", err)
		}
	}
	go func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := c.refresh(ctx, nil); err != nil && ctx.Err() == nil {
					c.log.WarnContext(ctx, "catalog: periodic reload failed", "err", err)
				}
			}
		}
	}()
	for {
		err := feed.FollowChanges(ctx, "catalog", c.last.Load(), func(ch Change) error { return c.Apply(ctx, ch) })
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, ErrHistoryRewound) {
			c.log.ErrorContext(ctx, "catalog: the database lost changes this server had seen (a failover to a standby that had not received them); reloading the catalog and dropping every layer's cached data", "last_seen", c.last.Load())
			if err := c.resync(ctx, feed); err != nil {
				c.log.WarnContext(ctx, "catalog: reload after lost changes failed; retrying", "err", err)
			} else {
				continue
			}
		}
		c.log.WarnContext(ctx, "catalog: following changes failed; retrying", "err", err, "cause", Cause(err))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// WaitFor waits until the catalog holds change id (or ctx ends).
func (c *Catalog) WaitFor(ctx context.Context, id int64) error {
	for pause := time.Millisecond; c.last.Load() < id; pause = min(2*pause, 20*time.Millisecond) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
	return nil
}
