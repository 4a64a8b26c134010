package tiles

import (
	"math"
	"strconv"

	"github.com/coalmap/coalmap/layers"
)

// OGC API – Tiles identifiers of the one tile matrix set served.
const (
	WebMercatorQuad    = "WebMercatorQuad"
	WebMercatorQuadURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
	CRS3857            = "http://www.opengis.net/def/crs/EPSG/0/3857"
	CRS84              = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	MediaTypeMVT       = "application/vnd.mapbox-vector-tile"
)

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

// NewWebMercatorQuad returns the WebMercatorQuad definition, zooms 0…MaxZoom.
func NewWebMercatorQuad() *TileMatrixSet {
	tms := &TileMatrixSet{ID: WebMercatorQuad, Title: "Google Maps Compatible for the World", URI: WebMercatorQuadURI,
		CRS: CRS3857, OrderedAxes: []string{"E", "N"},
		WellKnownName: "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible"}
	for z := 0; z <= MaxZoom; z++ {
		n := int64(1) << z
		cell := 2 * mercatorHalf / 256 / float64(n)
		tms.TileMatrices = append(tms.TileMatrices, TileMatrix{
			ID: strconv.Itoa(z), CellSize: cell, ScaleDenominator: cell / 0.00028,
			CornerOfOrigin: "topLeft", PointOfOrigin: [2]float64{-mercatorHalf, mercatorHalf},
			TileWidth: 256, TileHeight: 256, MatrixWidth: n, MatrixHeight: n,
		})
	}
	return tms
}

// TileSet is an OGC API – Tiles tileset description of one layer.
type TileSet struct {
	Title            string         `json:"title,omitempty"`
	Description      string         `json:"description,omitempty"`
	DataType         string         `json:"dataType"`
	CRS              string         `json:"crs"`
	TileMatrixSetURI string         `json:"tileMatrixSetURI"`
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

// TileSetLayer describes the MVT layer of a tileset.
type TileSetLayer struct {
	ID                string         `json:"id"`
	Title             string         `json:"title,omitempty"`
	DataType          string         `json:"dataType"`
	GeometryDimension int            `json:"geometryDimension"`
	MinZoom           int            `json:"minTileMatrix,string"`
	MaxZoom           int            `json:"maxTileMatrix,string"`
	Properties        map[string]any `json:"propertiesSchema,omitempty"`
}

// NewTileSet describes layer l's vector tiles in WebMercatorQuad. self is
// the tileset's URL, tmsURL the tile matrix set's, and tileURL the templated
// URL with {tileMatrix}, {tileRow} and {tileCol}.
func NewTileSet(l layers.Layer, self, tmsURL, tileURL string) *TileSet {
	ts := &TileSet{Title: l.Title, Description: l.Description, DataType: "vector", CRS: CRS3857,
		TileMatrixSetURI: WebMercatorQuadURI, Attribution: Attribution(l),
		Links: []Link{
			{Href: self, Rel: "self", Type: "application/json", Title: "this tileset"},
			{Href: tmsURL, Rel: "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", Type: "application/json", Title: WebMercatorQuad},
			{Href: tileURL, Rel: "item", Type: MediaTypeMVT, Title: "vector tiles", Templated: true},
		}}
	props := map[string]any{}
	for _, a := range l.Attributes {
		props[a.Name] = map[string]string{"type": jsonSchemaType(a.Type), "title": a.Alias}
	}
	ts.Layers = []TileSetLayer{{ID: l.ID, Title: l.Title, DataType: "vector", GeometryDimension: dimension(l.GeometryType),
		MinZoom: l.MinZoom, MaxZoom: l.MaxZoom,
		Properties: map[string]any{"type": "object", "properties": props}}}
	if l.Extent != nil {
		e := *l.Extent
		ts.BoundingBox = &BoundingBox{LowerLeft: [2]float64{e[0], e[1]}, UpperRight: [2]float64{e[2], e[3]}, CRS: CRS84}
		for z := l.MinZoom; z <= l.MaxZoom; z++ {
			n := float64(int64(1) << z)
			col := func(lon float64) int64 { return clampTile(math.Floor((lon+180)/360*n), n) }
			row := func(lat float64) int64 {
				r := lat * math.Pi / 180
				return clampTile(math.Floor((1-math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi)/2*n), n)
			}
			ts.TileMatrixLimits = append(ts.TileMatrixLimits, MatrixLimits{TileMatrix: strconv.Itoa(z),
				MinTileRow: row(e[3]), MaxTileRow: row(e[1]), MinTileCol: col(e[0]), MaxTileCol: col(e[2])})
		}
	}
	return ts
}

func clampTile(v, n float64) int64 { return int64(math.Max(0, math.Min(n-1, v))) }

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
