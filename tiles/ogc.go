package tiles

import (
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/layers"
)

// The tile matrix sets served (OGC 17-083r4, Two Dimensional Tile Matrix Set
// and Tile Set Metadata 2.0, and its registry's JSON definitions), the CRSs
// they use and the media type of their tiles.
const (
	WebMercatorQuad    = "WebMercatorQuad"
	WebMercatorQuadURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
	WorldCRS84Quad     = "WorldCRS84Quad"
	WorldCRS84QuadURI  = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WorldCRS84Quad"
	CRS3857            = "http://www.opengis.net/def/crs/EPSG/0/3857"
	CRS84              = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	MediaTypeMVT       = "application/vnd.mapbox-vector-tile"
)

// MaxCRS84Level is the deepest level of WorldCRS84Quad. Its level z has
// 2^(z+1) × 2^z tiles of 180/2^z degrees, the size of a WebMercatorQuad
// tile of zoom z+1 at the equator, so that its levels stop one short of
// MaxZoom.
const MaxCRS84Level = MaxZoom - 1

// OutsideError is a tile address outside its tile matrix set, or outside the
// limits of the tileset asked for: OGC API – Tiles answers 404 for both. It
// matches layers.ErrNotFound.
type OutsideError struct {
	TMS              string
	Matrix, Row, Col int64
	Reason           string
}

func (e *OutsideError) Error() string {
	return fmt.Sprintf("tiles: %s tile %d/%d/%d (tileMatrix/tileRow/tileCol) %s", e.TMS, e.Matrix, e.Row, e.Col, e.Reason)
}

// Is makes an OutsideError match layers.ErrNotFound.
func (e *OutsideError) Is(target error) bool { return target == layers.ErrNotFound }

// Link is an OGC API link.
type Link struct {
	Href      string `json:"href"`
	Rel       string `json:"rel"`
	Type      string `json:"type,omitempty"`
	Title     string `json:"title,omitempty"`
	Templated bool   `json:"templated,omitempty"`
}

// TileMatrix is one zoom level of a TileMatrixSet (OGC 17-083r4, JSON).
type TileMatrix struct {
	ID               string     `json:"id"`
	ScaleDenominator float64    `json:"scaleDenominator"`
	CellSize         float64    `json:"cellSize"`
	CornerOfOrigin   string     `json:"cornerOfOrigin"`
	PointOfOrigin    [2]float64 `json:"pointOfOrigin"`
	TileWidth        int        `json:"tileWidth"`
	TileHeight       int        `json:"tileHeight"`
	MatrixWidth      int64      `json:"matrixWidth"`
	MatrixHeight     int64      `json:"matrixHeight"`
}

// TileMatrixSet is the definition of a tile matrix set.
type TileMatrixSet struct {
	ID            string       `json:"id"`
	Title         string       `json:"title"`
	URI           string       `json:"uri"`
	CRS           string       `json:"crs"`
	OrderedAxes   []string     `json:"orderedAxes"`
	WellKnownName string       `json:"wellKnownScaleSet,omitempty"`
	TileMatrices  []TileMatrix `json:"tileMatrices"`
	Links         []Link       `json:"links,omitempty"`
}

// mercatorHalf is half the width of the Web Mercator plane, metres.
const mercatorHalf = 20037508.3427892

// metresPerDegree is the length of a degree on the equator of the WGS 84
// ellipsoid, which 17-083r4 uses to give CRS84 cell sizes a scale.
const metresPerDegree = 2 * math.Pi * 6378137 / 360

// pixelSize is the standardised rendering pixel of 17-083r4 (0.28 mm).
const pixelSize = 0.00028

// NewWebMercatorQuad returns the WebMercatorQuad definition, zooms 0…MaxZoom.
func NewWebMercatorQuad() *TileMatrixSet {
	tms := &TileMatrixSet{ID: WebMercatorQuad, Title: "Google Maps Compatible for the World", URI: WebMercatorQuadURI,
		CRS: CRS3857, OrderedAxes: []string{"X", "Y"},
		WellKnownName: "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible"}
	for z := 0; z <= MaxZoom; z++ {
		n := int64(1) << z
		cell := 2 * mercatorHalf / 256 / float64(n)
		tms.TileMatrices = append(tms.TileMatrices, TileMatrix{
			ID: strconv.Itoa(z), CellSize: cell, ScaleDenominator: cell / pixelSize,
			CornerOfOrigin: "topLeft", PointOfOrigin: [2]float64{-mercatorHalf, mercatorHalf},
			TileWidth: 256, TileHeight: 256, MatrixWidth: n, MatrixHeight: n,
		})
	}
	return tms
}

// NewWorldCRS84Quad returns the WorldCRS84Quad definition, levels
// 0…MaxCRS84Level: longitude and latitude (CRS84 axis order), two tiles
// side by side at level 0.
func NewWorldCRS84Quad() *TileMatrixSet {
	tms := &TileMatrixSet{ID: WorldCRS84Quad, Title: "CRS84 for the World", URI: WorldCRS84QuadURI,
		CRS: CRS84, OrderedAxes: []string{"Lon", "Lat"},
		WellKnownName: "http://www.opengis.net/def/wkss/OGC/1.0/GoogleCRS84Quad"}
	for z := 0; z <= MaxCRS84Level; z++ {
		cell := 180.0 / 256 / math.Exp2(float64(z))
		tms.TileMatrices = append(tms.TileMatrices, TileMatrix{
			ID: strconv.Itoa(z), CellSize: cell, ScaleDenominator: cell * metresPerDegree / pixelSize,
			CornerOfOrigin: "topLeft", PointOfOrigin: [2]float64{-180, 90},
			TileWidth: 256, TileHeight: 256, MatrixWidth: int64(2) << z, MatrixHeight: int64(1) << z,
		})
	}
	return tms
}

// MatrixSets returns the definitions of the tile matrix sets served,
// WebMercatorQuad first.
func MatrixSets() []*TileMatrixSet {
	return []*TileMatrixSet{NewWebMercatorQuad(), NewWorldCRS84Quad()}
}

// MatrixSet returns the definition of the tile matrix set called id.
func MatrixSet(id string) (*TileMatrixSet, bool) {
	switch id {
	case WebMercatorQuad:
		return NewWebMercatorQuad(), true
	case WorldCRS84Quad:
		return NewWorldCRS84Quad(), true
	}
	return nil, false
}

// matrixSize returns the columns and rows of level z of tile matrix set
// tms, and whether it has that level.
func matrixSize(tms string, z int64) (cols, rows int64, ok bool) {
	switch tms {
	case WebMercatorQuad, "":
		if z < 0 || z > MaxZoom {
			return 0, 0, false
		}
		return 1 << z, 1 << z, true
	case WorldCRS84Quad:
		if z < 0 || z > MaxCRS84Level {
			return 0, 0, false
		}
		return 2 << z, 1 << z, true
	}
	return 0, 0, false
}

// WebZoom is the WebMercatorQuad zoom whose tiles are the size of those of
// level z of tile matrix set tms at the equator: the zoom whose layer
// zoom range (MinZoom, MaxZoom) and zoom bands apply to it.
func WebZoom(tms string, z int) int {
	if tms == WorldCRS84Quad {
		return z + 1
	}
	return z
}

// levelOf is the level of tile matrix set tms matching WebMercatorQuad zoom
// z (the inverse of WebZoom, clamped to the set's levels).
func levelOf(tms string, z int) int {
	if tms == WorldCRS84Quad {
		return min(max(z-1, 0), MaxCRS84Level)
	}
	return min(max(z, 0), MaxZoom)
}

// ParseMatrixTile reads an OGC API – Tiles address (tileMatrix, tileRow,
// tileCol, as decimal strings) in tile matrix set tms. The tile is returned
// as a maptile.Tile with Z the level, Y the row and X the column. Numbers
// that are not whole are ErrInvalidTile (400); a tile outside the set, or
// an unknown set, is an *OutsideError (404).
func ParseMatrixTile(tms, matrix, row, col string) (maptile.Tile, error) {
	z, err1 := strconv.ParseInt(matrix, 10, 64)
	y, err2 := strconv.ParseInt(row, 10, 64)
	x, err3 := strconv.ParseInt(col, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return maptile.Tile{}, fmt.Errorf("%w: tileMatrix %q, tileRow %q, tileCol %q must be whole numbers", ErrInvalidTile, matrix, row, col)
	}
	if _, ok := MatrixSet(tms); !ok {
		return maptile.Tile{}, &OutsideError{TMS: tms, Matrix: z, Row: y, Col: x, Reason: "names no tile matrix set served (WebMercatorQuad, WorldCRS84Quad)"}
	}
	cols, rows, ok := matrixSize(tms, z)
	switch {
	case !ok:
		last := MaxZoom
		if tms == WorldCRS84Quad {
			last = MaxCRS84Level
		}
		return maptile.Tile{}, &OutsideError{TMS: tms, Matrix: z, Row: y, Col: x, Reason: fmt.Sprintf("is outside the tile matrix set: tileMatrix goes from 0 to %d", last)}
	case y < 0 || y >= rows || x < 0 || x >= cols:
		return maptile.Tile{}, &OutsideError{TMS: tms, Matrix: z, Row: y, Col: x,
			Reason: fmt.Sprintf("is outside the tile matrix set: tile matrix %d has rows 0…%d and columns 0…%d", z, rows-1, cols-1)}
	}
	return maptile.Tile{X: uint32(x), Y: uint32(y), Z: maptile.Zoom(z)}, nil
}

// TileBound returns the bounds in EPSG:4326 (lon/lat) of tile t of tile
// matrix set tms (X the column, Y the row, Z the level).
func TileBound(tms string, t maptile.Tile) orb.Bound {
	if tms == WorldCRS84Quad {
		s := 180 / math.Exp2(float64(t.Z))
		return orb.Bound{
			Min: orb.Point{-180 + float64(t.X)*s, 90 - float64(t.Y+1)*s},
			Max: orb.Point{-180 + float64(t.X+1)*s, 90 - float64(t.Y)*s},
		}
	}
	return t.Bound()
}

// TileSet is an OGC API – Tiles tileset description (17-083r4 tile set
// metadata): one layer's tiles, or the dataset's, in one tile matrix set.
type TileSet struct {
	Title            string         `json:"title,omitempty"`
	Description      string         `json:"description,omitempty"`
	Keywords         []string       `json:"keywords,omitempty"`
	Version          string         `json:"version,omitempty"`
	License          string         `json:"license,omitempty"`
	AccessConstraint string         `json:"accessConstraints,omitempty"`
	DataType         string         `json:"dataType"`
	CRS              string         `json:"crs"`
	TileMatrixSetURI string         `json:"tileMatrixSetURI"`
	MediaTypes       []string       `json:"mediaTypes"`
	Attribution      string         `json:"attribution,omitempty"`
	BoundingBox      *BoundingBox   `json:"boundingBox,omitempty"`
	TileMatrixLimits []MatrixLimits `json:"tileMatrixSetLimits,omitempty"`
	Layers           []TileSetLayer `json:"layers,omitempty"`
	Links            []Link         `json:"links"`
}

// BoundingBox is a tileset's extent.
type BoundingBox struct {
	LowerLeft  [2]float64 `json:"lowerLeft"`
	UpperRight [2]float64 `json:"upperRight"`
	CRS        string     `json:"crs"`
}

// MatrixLimits bound the tiles of one zoom level that hold data.
type MatrixLimits struct {
	TileMatrix string `json:"tileMatrix"`
	MinTileRow int64  `json:"minTileRow"`
	MaxTileRow int64  `json:"maxTileRow"`
	MinTileCol int64  `json:"minTileCol"`
	MaxTileCol int64  `json:"maxTileCol"`
}

// TileSetLayer describes one MVT layer of a tileset.
type TileSetLayer struct {
	ID                string         `json:"id"`
	Title             string         `json:"title,omitempty"`
	Description       string         `json:"description,omitempty"`
	DataType          string         `json:"dataType"`
	GeometryDimension int            `json:"geometryDimension"`
	FeatureType       string         `json:"featureType,omitempty"`
	MinZoom           int            `json:"minTileMatrix,string"`
	MaxZoom           int            `json:"maxTileMatrix,string"`
	BoundingBox       *BoundingBox   `json:"boundingBox,omitempty"`
	Properties        map[string]any `json:"propertiesSchema,omitempty"`
	Links             []Link         `json:"links,omitempty"`
}

// TileSetSpec says what a tileset document describes and where it lives.
type TileSetSpec struct {
	// TMS is the tile matrix set's id (WebMercatorQuad or WorldCRS84Quad).
	TMS string
	// Layers are the layers of the tileset, in their order in a tile.
	Layers []layers.Layer
	// Title and Description default to those of a single layer.
	Title, Description string
	// Self is the tileset's URL, TMSURL the tile matrix set's, TileURL the
	// templated tile URL (with {tileMatrix}, {tileRow} and {tileCol}).
	Self, TMSURL, TileURL string
	// LayerURL, when set, returns the URL of a layer's collection (linked
	// from the layer's entry).
	LayerURL func(id string) string
	// Links are more links of the tileset (a TileJSON alternate, the
	// collection it represents).
	Links []Link
}

// NewTileSet describes the vector tiles of spec.Layers in tile matrix set
// spec.TMS. Its tileMatrixSetLimits hold, per level of the layers' zoom
// range, the tiles that meet their extent: other tiles of the set are not
// part of the tileset (OutsideLimits tells them).
func NewTileSet(spec TileSetSpec) *TileSet {
	tmsURI, crs := WebMercatorQuadURI, CRS3857
	if spec.TMS == WorldCRS84Quad {
		tmsURI, crs = WorldCRS84QuadURI, CRS84
	}
	ts := &TileSet{Title: spec.Title, Description: spec.Description, DataType: "vector", CRS: crs, TileMatrixSetURI: tmsURI,
		MediaTypes: []string{MediaTypeMVT}, Version: Versions(spec.Layers),
		Links: append([]Link{
			{Href: spec.Self, Rel: "self", Type: "application/json", Title: "this tileset"},
			{Href: spec.TMSURL, Rel: "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", Type: "application/json", Title: spec.TMS},
			{Href: spec.TileURL, Rel: "item", Type: MediaTypeMVT, Title: "Mapbox vector tiles", Templated: true},
		}, spec.Links...)}
	var attrib []string
	restricted := false
	for _, l := range spec.Layers {
		if a := Attribution(l); a != "" && !contains(attrib, a) {
			attrib = append(attrib, a)
		}
		restricted = restricted || l.Access != layers.Public
	}
	if len(attrib) > 0 {
		ts.Attribution = attrib[0]
		for _, a := range attrib[1:] {
			ts.Attribution += "; " + a
		}
	}
	if restricted {
		ts.AccessConstraint = "restricted"
	}
	if len(spec.Layers) == 1 {
		l := spec.Layers[0]
		if ts.Title == "" {
			ts.Title = l.Title
		}
		if ts.Description == "" {
			ts.Description = l.Description
		}
		ts.Keywords, ts.License = l.Keywords, l.License
	}
	var ext *layers.Extent
	for _, l := range spec.Layers {
		tl := TileSetLayer{ID: l.ID, Title: l.Title, Description: l.Description, DataType: "vector",
			GeometryDimension: dimension(l.GeometryType), FeatureType: string(l.GeometryType),
			MinZoom: levelOf(spec.TMS, l.MinZoom), MaxZoom: levelOf(spec.TMS, max(l.MinZoom, l.MaxZoom)),
			Properties: propertiesSchema(l)}
		if l.Extent != nil {
			tl.BoundingBox = bbox84(*l.Extent)
			ext = union(ext, *l.Extent)
		}
		if spec.LayerURL != nil {
			tl.Links = []Link{{Href: spec.LayerURL(l.ID), Rel: "http://www.opengis.net/def/rel/ogc/1.0/geodata", Type: "application/json", Title: l.Title}}
		}
		ts.Layers = append(ts.Layers, tl)
	}
	if ext != nil {
		ts.BoundingBox = bbox84(*ext)
	}
	ts.TileMatrixLimits = Limits(spec.TMS, spec.Layers)
	return ts
}

// Limits returns, per level of tile matrix set tms that any of ls is drawn
// at, the range of rows and columns whose tiles meet the extent of a layer
// drawn there. Layers without an extent (empty) add nothing.
func Limits(tms string, ls []layers.Layer) []MatrixLimits {
	byLevel := map[int]*MatrixLimits{}
	lo, hi := math.MaxInt, -1
	for _, l := range ls {
		if l.Extent == nil {
			continue
		}
		e := *l.Extent
		for z := levelOf(tms, l.MinZoom); z <= levelOf(tms, max(l.MinZoom, l.MaxZoom)); z++ {
			cols, rows, _ := matrixSize(tms, int64(z))
			c0, c1 := tileCol(e[0], cols), tileCol(e[2], cols)
			r0, r1 := tileRow(tms, e[3], rows), tileRow(tms, e[1], rows)
			m, ok := byLevel[z]
			if !ok {
				byLevel[z] = &MatrixLimits{TileMatrix: strconv.Itoa(z), MinTileRow: r0, MaxTileRow: r1, MinTileCol: c0, MaxTileCol: c1}
				lo, hi = min(lo, z), max(hi, z)
				continue
			}
			m.MinTileRow, m.MaxTileRow = min(m.MinTileRow, r0), max(m.MaxTileRow, r1)
			m.MinTileCol, m.MaxTileCol = min(m.MinTileCol, c0), max(m.MaxTileCol, c1)
		}
	}
	var out []MatrixLimits
	for z := lo; z <= hi; z++ {
		if m, ok := byLevel[z]; ok {
			out = append(out, *m)
		}
	}
	return out
}

// OutsideLimits returns an *OutsideError if tile t of tile matrix set tms
// is not within limits (nil limits mean the whole set).
func OutsideLimits(tms string, t maptile.Tile, limits []MatrixLimits) error {
	if limits == nil {
		return nil
	}
	z := strconv.Itoa(int(t.Z))
	for _, m := range limits {
		if m.TileMatrix != z {
			continue
		}
		if int64(t.Y) < m.MinTileRow || int64(t.Y) > m.MaxTileRow || int64(t.X) < m.MinTileCol || int64(t.X) > m.MaxTileCol {
			return &OutsideError{TMS: tms, Matrix: int64(t.Z), Row: int64(t.Y), Col: int64(t.X),
				Reason: fmt.Sprintf("is outside the tileset's limits: tile matrix %s has data in rows %d…%d and columns %d…%d",
					z, m.MinTileRow, m.MaxTileRow, m.MinTileCol, m.MaxTileCol)}
		}
		return nil
	}
	first, last := limits[0].TileMatrix, limits[len(limits)-1].TileMatrix
	return &OutsideError{TMS: tms, Matrix: int64(t.Z), Row: int64(t.Y), Col: int64(t.X),
		Reason: fmt.Sprintf("is outside the tileset's limits: it has tile matrices %s to %s", first, last)}
}

// tileCol is the column of longitude lon in a level of cols columns (both
// sets span 360° of longitude).
func tileCol(lon float64, cols int64) int64 {
	n := float64(cols)
	return clampTile(math.Floor((lon+180)/360*n), n)
}

// tileRow is the row of latitude lat in a level of rows rows of tms.
func tileRow(tms string, lat float64, rows int64) int64 {
	n := float64(rows)
	if tms == WorldCRS84Quad {
		return clampTile(math.Floor((90-lat)/180*n), n)
	}
	r := lat * math.Pi / 180
	return clampTile(math.Floor((1-math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi)/2*n), n)
}

func clampTile(v, n float64) int64 { return int64(math.Max(0, math.Min(n-1, v))) }

func bbox84(e layers.Extent) *BoundingBox {
	return &BoundingBox{LowerLeft: [2]float64{e[0], e[1]}, UpperRight: [2]float64{e[2], e[3]}, CRS: CRS84}
}

func union(a *layers.Extent, b layers.Extent) *layers.Extent {
	if a == nil {
		return &b
	}
	return &layers.Extent{math.Min(a[0], b[0]), math.Min(a[1], b[1]), math.Max(a[2], b[2]), math.Max(a[3], b[3])}
}

// propertiesSchema is the JSON Schema of the attributes a layer's tiles carry.
func propertiesSchema(l layers.Layer) map[string]any {
	props := map[string]any{}
	for _, a := range l.Attributes {
		p := map[string]any{"type": jsonSchemaType(a.Type)}
		if a.Alias != "" {
			p["title"] = a.Alias
		}
		if a.Description != "" {
			p["description"] = a.Description
		}
		props[a.Name] = p
	}
	return map[string]any{"type": "object", "properties": props}
}

func jsonSchemaType(t layers.AttrType) string {
	switch t {
	case layers.Integer:
		return "integer"
	case layers.Real:
		return "number"
	case layers.Boolean:
		return "boolean"
	}
	return "string"
}

func dimension(g layers.GeometryType) int {
	switch g {
	case layers.Point, layers.MultiPoint:
		return 0
	case layers.LineString, layers.MultiLineString:
		return 1
	}
	return 2
}
