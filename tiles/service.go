package tiles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/layers"
)

// Config bounds a Service.
type Config struct {
	// CacheBytes bounds the tile cache; 0 disables it (every request renders).
	CacheBytes int64
	// MaxRenders bounds the tiles rendered at once (each uses one database
	// connection per layer); 8 when 0.
	MaxRenders int
	// MaxQueue bounds the renders waiting for a slot; beyond it a request fails
	// at once with ErrOverloaded. 0 means 16×MaxRenders; negative means none.
	MaxQueue int
	// MaxFeatures is the default per-layer feature cap of a tile; 0 means none.
	MaxFeatures int
	// MaxTileBytes bounds a tile as it is sent, gzip-compressed: a tile
	// that would be larger leaves out its layers' smallest features
	// (Entry.SizeCapped says how many); 0 means no bound.
	MaxTileBytes int
}

// Service composes tiles from a Catalog and a Renderer behind a Cache.
type Service struct {
	cat    Catalog
	render Renderer
	cache  *Cache
	cfg    Config
	flight flight
	slots  chan struct{}
	queue  chan struct{}
	gzw    gzipWriters
}

// NewService returns a tile service.
func NewService(cat Catalog, r Renderer, cfg Config) *Service {
	if cfg.MaxRenders <= 0 {
		cfg.MaxRenders = 8
	}
	if cfg.MaxQueue == 0 {
		cfg.MaxQueue = 16 * cfg.MaxRenders
	}
	s := &Service{cat: cat, render: r, cache: NewCache(cfg.CacheBytes), cfg: cfg,
		slots: make(chan struct{}, cfg.MaxRenders)}
	if cfg.MaxQueue > 0 {
		s.queue = make(chan struct{}, cfg.MaxQueue)
	}
	return s
}

// Cache returns the service's cache (for its statistics).
func (s *Service) Cache() *Cache { return s.cache }

// Request names a tile of one or more layers.
type Request struct {
	// Layers are layer ids, in the order their MVT layers appear in the tile.
	Layers []string
	// TMS is the tile matrix set Tile is addressed in: WebMercatorQuad (or
	// ""; X, Y and Z as in maptile), or WorldCRS84Quad (X the column, Y the
	// row, Z the level), which needs a Renderer that is a MatrixRenderer.
	TMS  string
	Tile maptile.Tile
	// Properties, when non-nil, choose the attributes: each must be in the
	// dictionary of at least one of the layers, and each layer carries those
	// of its own.
	Properties []string
	// MayRead says whether the caller may see a restricted layer; nil means
	// public layers only. A layer the caller may not see is not found.
	MayRead func(l layers.Layer) bool
	// Filters, when not nil, hold a filter (or nil) per layer, in the
	// order of Layers, each checked against its layer's queryables.
	Filters []*layers.CQLFilter
}

// Result is a served tile.
type Result struct {
	*Entry
	// Layers are the catalog entries of the tile's layers.
	Layers []layers.Layer
	// Hit says the tile came from the cache (or from a render another request
	// started), Miss that this request rendered it.
	Hit bool
	// RenderTime is the time the render took, on a miss.
	RenderTime time.Duration
}

// Layers resolves ids to visible layers: an unknown id and a restricted layer
// the caller may not read are both layers.ErrNotFound, so that a comma list
// cannot be used to probe for restricted layers.
func (s *Service) Layers(ids []string, mayRead func(layers.Layer) bool) ([]layers.Layer, error) {
	out := make([]layers.Layer, 0, len(ids))
	for _, id := range ids {
		l, ok := s.cat.Layer(id)
		if !ok || l.Access != layers.Public && (mayRead == nil || !mayRead(*l)) {
			return nil, fmt.Errorf("layers: layer %q: %w", id, layers.ErrNotFound)
		}
		out = append(out, *l)
	}
	return out, nil
}

// Tile returns the tile req names, from the cache when it holds the current
// data version of every layer, else rendering each layer concurrently.
func (s *Service) Tile(ctx context.Context, req Request) (*Result, error) {
	ls, err := s.Layers(req.Layers, req.MayRead)
	if err != nil {
		return nil, err
	}
	opts, err := s.options(ls, req.Properties)
	if err != nil {
		return nil, err
	}
	if req.Filters != nil {
		if len(req.Filters) != len(ls) {
			return nil, fmt.Errorf("tiles: %d filters for %d layers: %w", len(req.Filters), len(ls), layers.ErrInvalid)
		}
		for i, f := range req.Filters {
			opts[i].Filter = f
		}
	}
	tms := req.TMS
	if tms == WebMercatorQuad {
		tms = ""
	}
	if _, ok := s.render.(MatrixRenderer); tms != "" && !ok {
		return nil, fmt.Errorf("tiles: %s: %w", tms, ErrNoMatrixRenderer)
	}
	lv := versionsOf(ls)
	key := keyIn(tms, lv, req.Tile, opts)
	if e, ok := s.cache.Get(key); ok {
		return &Result{Entry: e, Layers: ls, Hit: true}, nil
	}
	var took time.Duration
	e, shared, err := s.flight.do(ctx, key, func(ctx context.Context) (*Entry, error) {
		start := time.Now()
		e, err := s.renderTile(ctx, tms, ls, req.Tile, opts)
		took = time.Since(start)
		if err != nil {
			return nil, err
		}
		s.cache.add(key, e, &tileTag{tms: tms, tile: req.Tile, layers: lv, opts: opts})
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	if shared {
		return &Result{Entry: e, Layers: ls, Hit: true}, nil
	}
	return &Result{Entry: e, Layers: ls, RenderTime: took}, nil
}

// options returns each layer's options for the requested properties.
func (s *Service) options(ls []layers.Layer, props []string) ([]Options, error) {
	opts := make([]Options, len(ls))
	known := map[string]bool{}
	for i, l := range ls {
		opts[i].MaxFeatures = s.cfg.MaxFeatures
		if props == nil {
			continue
		}
		opts[i].Properties = []string{}
		for _, a := range l.Attributes {
			if slices.Contains(props, a.Name) {
				opts[i].Properties = append(opts[i].Properties, a.Name)
				known[a.Name] = true
			}
		}
	}
	for _, p := range props {
		if !known[p] {
			return nil, &layers.ValidationError{Feature: -1, Field: "properties",
				Reason: fmt.Sprintf("%q is not an attribute of %s", p, layerNames(ls))}
		}
	}
	return opts, nil
}

func layerNames(ls []layers.Layer) string {
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	return strings.Join(ids, ", ")
}

// renderTile renders every layer at once (one query each) under one render
// slot, and concatenates the blobs: MVT layers are repeated fields of the tile
// message, so concatenated layers form a valid tile. A tile over
// Config.MaxTileBytes once gzip-compressed is cut to the prefixes of its
// layers' features that fit (trim.go), or, should that fail, rendered again
// with its layers' byte budgets cut in proportion, until it fits.
func (s *Service) renderTile(ctx context.Context, tms string, ls []layers.Layer, t maptile.Tile, opts []Options) (*Entry, error) {
	if err := s.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-s.slots }()

	max := s.cfg.MaxTileBytes
	if max > 0 {
		// A first budget: MVT layers of lines and polygons compress to
		// about half, and the budget counts the bytes before compression.
		opts = slices.Clone(opts)
		for i := range opts {
			opts[i].MaxBytes = 2 * max / len(ls)
		}
	}
	for attempt := 0; ; attempt++ {
		e, blobs, err := s.renderLayers(ctx, tms, ls, t, opts)
		if err != nil {
			return nil, err
		}
		if max <= 0 || len(e.MVT) <= max || attempt == 4 {
			return e, nil
		}
		gz := len(e.Gzip())
		if gz <= max {
			return e, nil
		}
		// The features are encoded largest first: the tile a smaller
		// budget would draw is a prefix of this one's, cut here without
		// drawing it again (trim.go).
		if cut, ok := trimBlobs(blobs, max, func(bs []Blob) *Entry { return s.compose(ls, opts, bs) }); ok {
			return cut, nil
		}
		for i := range opts {
			opts[i].MaxBytes = int(float64(min(opts[i].MaxBytes, len(blobs[i].MVT))) * float64(max) / float64(gz) * 0.9)
		}
	}
}

// renderLayers renders the layers of a tile concurrently and composes them.
func (s *Service) renderLayers(ctx context.Context, tms string, ls []layers.Layer, t maptile.Tile, opts []Options) (*Entry, []Blob, error) {
	blobs := make([]Blob, len(ls))
	errs := make([]error, len(ls))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for i, l := range ls {
		if WebZoom(tms, int(t.Z)) < l.MinZoom {
			continue // below the layer's first zoom: nothing to draw
		}
		wg.Go(func() {
			var b Blob
			var err error
			if tms == "" {
				b, err = s.render.Render(ctx, l, t, opts[i])
			} else {
				b, err = s.render.(MatrixRenderer).RenderMatrix(ctx, l, tms, t, opts[i])
			}
			if err != nil {
				cancel()
				errs[i] = fmt.Errorf("tiles: layer %s tile %s%d/%d/%d: %w", l.ID, tmsPrefix(tms), t.Z, t.X, t.Y, err)
			}
			blobs[i] = b
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return s.compose(ls, opts, blobs), blobs, nil
}

// compose makes the tile of layers ls from their rendered blobs.
func (s *Service) compose(ls []layers.Layer, opts []Options, blobs []Blob) *Entry {
	e := &Entry{gzw: &s.gzw}
	n := 0
	for _, b := range blobs {
		n += len(b.MVT)
	}
	e.MVT = make([]byte, 0, n)
	for i, b := range blobs {
		e.MVT = append(e.MVT, b.MVT...)
		e.Features += b.Features
		if b.Capped {
			e.Capped = append(e.Capped, ls[i].ID+"="+strconv.Itoa(opts[i].MaxFeatures))
		}
		if b.Omitted > 0 {
			e.SizeCapped = append(e.SizeCapped, ls[i].ID+"="+strconv.Itoa(b.Omitted))
		}
	}
	sum := sha256.Sum256(e.MVT)
	e.ETag = `"` + hex.EncodeToString(sum[:16]) + `"`
	return e
}

// newTag is the tag of a tile of layers ls.
func newTag(tms string, ls []layers.Layer, t maptile.Tile, opts []Options) *tileTag {
	return &tileTag{tms: tms, tile: t, layers: versionsOf(ls), opts: opts}
}

// layerVersion is what a tile's key names of a layer.
type layerVersion struct {
	ID          string
	DataVersion int64
}

// versionsOf is the ids and data versions of ls: all a cached tile keeps of
// its layers (a whole layers.Layer is most of a kilobyte, more than many
// tiles).
func versionsOf(ls []layers.Layer) []layerVersion {
	lv := make([]layerVersion, len(ls))
	for i, l := range ls {
		lv[i] = layerVersion{l.ID, l.DataVersion}
	}
	return lv
}

// Apply follows a change event (register it with layers.Catalog.OnChange):
// after a new version of a layer's data (an import, a new or deleted
// layer), its cached tiles go; after an edit of some features, only the
// tiles whose area meets the change's bbox go, at every zoom, and the
// others stay cached under the new version. A metadata change leaves the
// cache alone: tiles carry no metadata, and who may see a layer is decided
// on each request from the catalog.
//
// The cache is keyed by data version, so no request can be served a tile
// of an older version than the catalog's either way: Apply frees the memory
// of the old tiles and keeps the still-valid ones valid.
func (s *Service) Apply(_ context.Context, ch layers.Change) {
	switch ch.Kind {
	case layers.ChangeData, layers.ChangeCreated, layers.ChangeDeleted:
		s.cache.DropLayer(ch.Layer)
	case layers.ChangeFeatures:
		s.cache.Advance(ch.Layer, ch.Version-1, ch.Version, ch.BBox)
	}
}

// DropLayer forgets the cached tiles of a layer (its bands were rebuilt:
// the next tiles are cut from them).
func (s *Service) DropLayer(id string) { s.cache.DropLayer(id) }

// acquire takes a render slot, waiting in a bounded queue; a full queue is
// ErrOverloaded at once, so that load beyond capacity is refused rather than
// piling up.
func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.slots <- struct{}{}:
		return nil
	default:
	}
	if s.queue == nil {
		return ErrOverloaded
	}
	select {
	case s.queue <- struct{}{}:
	default:
		return ErrOverloaded
	}
	defer func() { <-s.queue }()
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Key is the cache key of a WebMercatorQuad tile: z/x/y, then each layer's
// id, data version and options, in tile order. A new data version is a new
// key.
func Key(ls []layers.Layer, t maptile.Tile, opts []Options) string {
	return keyIn("", versionsOf(ls), t, opts)
}

// keyIn is the cache key of a tile of tile matrix set tms ("" for
// WebMercatorQuad): Key's, after the set's id.
func keyIn(tms string, ls []layerVersion, t maptile.Tile, opts []Options) string {
	var b strings.Builder
	b.Grow(32 + 32*len(ls))
	b.WriteString(tmsPrefix(tms))
	fmt.Fprintf(&b, "%d/%d/%d", t.Z, t.X, t.Y)
	for i, l := range ls {
		b.WriteByte('|')
		b.WriteString(l.ID)
		b.WriteByte('@')
		b.WriteString(strconv.FormatInt(l.DataVersion, 10))
		o := opts[i]
		if o.Properties != nil {
			b.WriteString("?p=")
			b.WriteString(strings.Join(o.Properties, ","))
		}
		if o.MaxFeatures > 0 {
			b.WriteString("&cap=")
			b.WriteString(strconv.Itoa(o.MaxFeatures))
		}
		if k := o.Filter.Key(); k != "" {
			b.WriteString("&f=")
			b.WriteString(strconv.Quote(k)) // quoted: no filter text can pass for another key
		}
	}
	return b.String()
}

// tmsPrefix names tile matrix set tms before a tile address, "" for
// WebMercatorQuad.
func tmsPrefix(tms string) string {
	if tms == "" || tms == WebMercatorQuad {
		return ""
	}
	return tms + ":"
}

// Versions is the version token of a set of layers that tile URLs carry
// (?v=…): their data versions joined by '.', so that a URL changes with the
// data and HTTP caches may keep a versioned tile for long.
func Versions(ls []layers.Layer) string {
	vs := make([]string, len(ls))
	for i, l := range ls {
		vs[i] = strconv.FormatInt(l.DataVersion, 10)
	}
	return strings.Join(vs, ".")
}
