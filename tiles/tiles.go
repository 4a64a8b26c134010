package tiles

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/layers"
)

// Extent and Buffer are the MVT grid of every tile: 4096 units a side and a
// 64-unit margin, so that strokes and labels continue across tile borders.
const (
	Extent = 4096
	Buffer = 64
)

// MaxZoom is the deepest zoom level addressed.
const MaxZoom = 24

// Errors of the tile service.
var (
	// ErrOverloaded means the render concurrency limit and its queue are full:
	// the caller should retry later.
	ErrOverloaded = errors.New("tiles: overloaded")
	// ErrInvalidTile means z/x/y do not name a tile.
	ErrInvalidTile = fmt.Errorf("tiles: invalid tile: %w", layers.ErrInvalid)
)

// Catalog is what the tile service needs from the layer catalog: one layer's
// metadata by id, current as of its last data change, and whether there is
// such a layer. The layer's DataVersion keys the cache, Access decides who may
// see it, Attributes are the fields a tile may carry, MinZoom, MaxZoom and
// Extent shape TileJSON. The tile service never modifies the layer.
//
// Layer is called on every tile request: implementations answer from memory,
// like the catalog snapshot that LISTEN/NOTIFY keeps current (layers.Catalog
// has this method).
type Catalog interface {
	Layer(id string) (*layers.Layer, bool)
}

// Renderer renders one layer of one tile as an MVT layer (a protobuf blob that
// concatenates with others into a tile). An empty tile is a zero-length MVT.
// When the tile holds more than Options allow, the largest features are
// kept: by length for lines, by area for polygons.
type Renderer interface {
	Render(ctx context.Context, l layers.Layer, t maptile.Tile, opt Options) (Blob, error)
}

// MatrixRenderer is a Renderer that also renders tiles of tile matrix sets
// other than WebMercatorQuad: tms names one (WorldCRS84Quad), t is the tile
// with X its column, Y its row and Z its level.
type MatrixRenderer interface {
	Renderer
	RenderMatrix(ctx context.Context, l layers.Layer, tms string, t maptile.Tile, opt Options) (Blob, error)
}

// ErrNoMatrixRenderer means a tile of another tile matrix set than
// WebMercatorQuad was asked of a service whose Renderer draws only those.
var ErrNoMatrixRenderer = errors.New("tiles: the renderer draws only WebMercatorQuad tiles")

// Options choose what a layer's tile carries.
type Options struct {
	// Properties are the attribute columns to include, each in the layer's
	// dictionary; nil means every attribute of the dictionary.
	Properties []string
	// MaxFeatures caps the features of the layer in one tile; 0 means no cap.
	MaxFeatures int
	// Filter keeps only the features that match a CQL2 filter; nil keeps
	// all.
	Filter *layers.CQLFilter
	// MaxBytes is a budget of the layer's encoded bytes in one tile (an
	// estimate: about three bytes a vertex); features beyond it, the
	// smallest first, are left out. 0 means none.
	MaxBytes int
}

// Blob is one rendered layer of a tile.
type Blob struct {
	// MVT is the layer as an encoded MVT (one Tile.layers field); empty when no
	// feature falls in the tile.
	MVT []byte
	// Features is the number of features encoded.
	Features int
	// Capped says that more features than MaxFeatures fell in the tile and
	// only MaxFeatures were encoded.
	Capped bool
	// Omitted counts the features left out for MaxBytes (the smallest).
	Omitted int
}

// ParseTile returns the tile z/x/y given as decimal strings, or an error
// wrapping ErrInvalidTile.
func ParseTile(z, x, y string) (maptile.Tile, error) {
	zi, err1 := strconv.ParseUint(z, 10, 8)
	xi, err2 := strconv.ParseUint(x, 10, 32)
	yi, err3 := strconv.ParseUint(y, 10, 32)
	if err1 != nil || err2 != nil || err3 != nil || zi > MaxZoom {
		return maptile.Tile{}, fmt.Errorf("%w: %s/%s/%s (want z in 0…%d, x and y in 0…2^z-1)", ErrInvalidTile, z, x, y, MaxZoom)
	}
	t := maptile.New(uint32(xi), uint32(yi), maptile.Zoom(zi))
	if !t.Valid() {
		return maptile.Tile{}, fmt.Errorf("%w: %d/%d/%d: x and y must be below 2^%d", ErrInvalidTile, zi, xi, yi, zi)
	}
	return t, nil
}

// ParseLayerList splits a comma list of layer ids, refusing empty, invalid and
// repeated ids.
func ParseLayerList(s string) ([]string, error) {
	ids := strings.Split(s, ",")
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !layers.ValidID(id) {
			return nil, &layers.ValidationError{Feature: -1, Field: "layers", Reason: fmt.Sprintf("%q is not a layer id", id)}
		}
		if seen[id] {
			return nil, &layers.ValidationError{Feature: -1, Field: "layers", Reason: fmt.Sprintf("%q is listed twice", id)}
		}
		seen[id] = true
	}
	return ids, nil
}
