package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/project"

	"github.com/coalmap/coalmap/tiles"
)

// TestTileMatrixSetDocuments: /tileMatrixSets lists both sets, each
// definition has the values of the OGC registry's JSON (17-083r4 annex,
// github.com/opengeospatial/2D-Tile-Matrix-Set registry/json), copied here
// for a few levels.
func TestTileMatrixSetDocuments(t *testing.T) {
	e := newTileEnv(t, tiles.Config{}, nil)
	var list struct {
		TileMatrixSets []struct {
			ID, Title, URI, CRS string
			Links               []tiles.Link
		} `json:"tileMatrixSets"`
		Links []tiles.Link `json:"links"`
	}
	if r := e.get(t, "/tileMatrixSets"); r.status != 200 || json.Unmarshal(r.body, &list) != nil {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if len(list.TileMatrixSets) != 2 || len(list.Links) == 0 || list.Links[0].Rel != "self" {
		t.Fatalf("%+v", list)
	}
	type level struct {
		id          string
		scale, cell float64
		w, h        int64
		origin      [2]float64
	}
	want := map[string]struct {
		uri, crs string
		axes     []string
		n        int
		levels   []level
	}{
		"WebMercatorQuad": {tiles.WebMercatorQuadURI, "http://www.opengis.net/def/crs/EPSG/0/3857", []string{"X", "Y"}, 25, []level{
			{"0", 559082264.028717, 156543.033928041, 1, 1, [2]float64{-20037508.3427892, 20037508.3427892}},
			{"12", 136494.693366386, 38.2185141425881, 4096, 4096, [2]float64{-20037508.3427892, 20037508.3427892}},
			{"24", 33.3238997476528, 0.0093306919293428, 16777216, 16777216, [2]float64{-20037508.3427892, 20037508.3427892}},
		}},
		"WorldCRS84Quad": {tiles.WorldCRS84QuadURI, "http://www.opengis.net/def/crs/OGC/1.3/CRS84", []string{"Lon", "Lat"}, 24, []level{
			{"0", 279541132.014358, 0.703125, 2, 1, [2]float64{-180, 90}},
			{"9", 545978.773465544, 0.001373291015625, 1024, 512, [2]float64{-180, 90}},
			{"23", 33.3238997476528, 0.00000008381903171539, 16777216, 8388608, [2]float64{-180, 90}},
		}},
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Abs(b) }
	for _, item := range list.TileMatrixSets {
		w, ok := want[item.ID]
		if !ok || item.URI != w.uri || item.CRS != w.crs {
			t.Fatalf("listed %+v", item)
		}
		var self string
		for _, l := range item.Links {
			if l.Rel == "self" {
				self = l.Href
			}
		}
		u, _ := url.Parse(self)
		var tms tiles.TileMatrixSet
		r := e.get(t, u.Path)
		if r.status != 200 || json.Unmarshal(r.body, &tms) != nil {
			t.Fatalf("%s: %d %s", self, r.status, r.body)
		}
		if tms.ID != item.ID || tms.URI != w.uri || tms.CRS != w.crs || strings.Join(tms.OrderedAxes, ",") != strings.Join(w.axes, ",") ||
			len(tms.TileMatrices) != w.n {
			t.Fatalf("%s: %+v", item.ID, tms)
		}
		for _, lv := range w.levels {
			i, _ := strconv.Atoi(lv.id)
			m := tms.TileMatrices[i]
			if m.ID != lv.id || !near(m.ScaleDenominator, lv.scale) || !near(m.CellSize, lv.cell) || m.MatrixWidth != lv.w ||
				m.MatrixHeight != lv.h || m.PointOfOrigin != lv.origin || m.TileWidth != 256 || m.CornerOfOrigin != "topLeft" {
				t.Errorf("%s level %s: %+v, want %+v", item.ID, lv.id, m, lv)
			}
		}
	}
	if r := e.get(t, "/tileMatrixSets/GoogleMapsCompatible"); r.status != 404 {
		t.Fatalf("unknown set: %d", r.status)
	}
}

// envelopeSQL is the envelope in EPSG:4326 of tile ($2 column, $3 row) of
// level $1 of tile matrix set tms, as PostGIS computes it.
func envelopeSQL(tms, col, row string) string {
	if tms == tiles.WorldCRS84Quad {
		return fmt.Sprintf("ST_TileEnvelope($1 + 1, %s, %s, bounds => ST_MakeEnvelope(-180, -270, 180, 90, 4326))", col, row)
	}
	return fmt.Sprintf("ST_Transform(ST_TileEnvelope($1, %s, %s), 4326)", col, row)
}

// TestTileSetLimitsAgainstPostGIS: each level's tileMatrixSetLimits are the
// tightest range of tiles whose envelopes (ST_TileEnvelope's) cover the
// layer's extent, for both sets; the tileset's links resolve.
func TestTileSetLimitsAgainstPostGIS(t *testing.T) {
	e := newTileEnv(t, tiles.Config{}, nil)
	var ext [4]float64
	if err := e.pool.QueryRow(context.Background(), `SELECT extent FROM catalog.layers WHERE id = 'coal_blocks'`).Scan(&ext); err != nil {
		t.Fatal(err)
	}
	var sets struct {
		Tilesets []struct {
			CRS              string       `json:"crs"`
			TileMatrixSetURI string       `json:"tileMatrixSetURI"`
			Links            []tiles.Link `json:"links"`
		} `json:"tilesets"`
	}
	if r := e.get(t, "/collections/coal_blocks/tiles"); r.status != 200 || json.Unmarshal(r.body, &sets) != nil || len(sets.Tilesets) != 2 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for _, tms := range []string{tiles.WebMercatorQuad, tiles.WorldCRS84Quad} {
		var ts tiles.TileSet
		r := e.get(t, "/collections/coal_blocks/tiles/"+tms)
		if r.status != 200 || json.Unmarshal(r.body, &ts) != nil {
			t.Fatalf("%s: %d %s", tms, r.status, r.body)
		}
		rels := map[string]string{}
		for _, l := range ts.Links {
			rels[l.Rel] = l.Href
		}
		for _, rel := range []string{"self", relTilingScheme, "item", relGeodata} {
			if rels[rel] == "" {
				t.Fatalf("%s: no %s link: %v", tms, rel, ts.Links)
			}
		}
		u, _ := url.Parse(rels[relTilingScheme])
		if r := e.get(t, u.Path); r.status != 200 || !strings.Contains(string(r.body), `"id":"`+tms+`"`) {
			t.Fatalf("%s: tiling scheme %s: %d", tms, u.Path, r.status)
		}
		if ts.DataType != "vector" || len(ts.Layers) != 1 || ts.Layers[0].ID != "coal_blocks" || ts.Layers[0].GeometryDimension != 2 ||
			ts.MediaTypes[0] != tiles.MediaTypeMVT || ts.Version != "1" {
			t.Fatalf("%s: %+v", tms, ts)
		}
		// The fixture's zooms are 4…16: WorldCRS84Quad levels 3…15.
		first, last := 4, 16
		if tms == tiles.WorldCRS84Quad {
			first, last = 3, 15
		}
		if len(ts.TileMatrixLimits) != last-first+1 || ts.TileMatrixLimits[0].TileMatrix != strconv.Itoa(first) {
			t.Fatalf("%s: limits %+v", tms, ts.TileMatrixLimits)
		}
		for _, m := range ts.TileMatrixLimits {
			z, _ := strconv.Atoi(m.TileMatrix)
			box := fmt.Sprintf("ST_MakeEnvelope(%v, %v, %v, %v, 4326)", ext[0], ext[1], ext[2], ext[3])
			span := func(c0, r0, c1, r1 string) string {
				return fmt.Sprintf("ST_Envelope(ST_Collect(%s, %s))", envelopeSQL(tms, c0, r0), envelopeSQL(tms, c1, r1))
			}
			q := fmt.Sprintf(`SELECT ST_Covers(%[1]s, %[2]s),
			  $2 = $4 OR NOT ST_Covers(%[3]s, %[2]s), $2 = $4 OR NOT ST_Covers(%[4]s, %[2]s),
			  $3 = $5 OR NOT ST_Covers(%[5]s, %[2]s), $3 = $5 OR NOT ST_Covers(%[6]s, %[2]s)`,
				span("$2", "$3", "$4", "$5"), box,
				span("$2 + 1", "$3", "$4", "$5"), span("$2", "$3", "$4 - 1", "$5"),
				span("$2", "$3 + 1", "$4", "$5"), span("$2", "$3", "$4", "$5 - 1"))
			var covers, l, rt, top, bottom bool
			if err := e.pool.QueryRow(context.Background(), q, z, m.MinTileCol, m.MinTileRow, m.MaxTileCol, m.MaxTileRow).
				Scan(&covers, &l, &rt, &top, &bottom); err != nil {
				t.Fatal(err)
			}
			if !covers || !l || !rt || !top || !bottom {
				t.Errorf("%s level %d: limits %+v cover the extent: %v; tight (left, right, top, bottom): %v %v %v %v",
					tms, z, m, covers, l, rt, top, bottom)
			}
		}
	}
}

// crs84Tile finds, with PostGIS as the judge, the WorldCRS84Quad tile of
// level z holding point p.
func crs84Tile(t *testing.T, e *tileEnv, z int, p orb.Point) (col, row int) {
	t.Helper()
	s := 180 / math.Exp2(float64(z))
	col, row = int((p[0]+180)/s), int((90-p[1])/s)
	var in bool
	q := `SELECT ST_Covers(` + envelopeSQL(tiles.WorldCRS84Quad, "$2", "$3") + `, ST_SetSRID(ST_MakePoint($4, $5), 4326))`
	if err := e.pool.QueryRow(context.Background(), q, z, col, row, p[0], p[1]).Scan(&in); err != nil || !in {
		t.Fatalf("tile %d/%d/%d does not hold %v (%v)", z, row, col, p, err)
	}
	return col, row
}

// TestWorldCRS84QuadTile: a WorldCRS84Quad tile rendered by PostGIS holds
// the features PostGIS finds in its envelope, each drawn where PostGIS puts
// its part inside the tile; from the zoom bands (coal_blocks) and from the
// layer table (defence_land, restricted, without bands).
func TestWorldCRS84QuadTile(t *testing.T) {
	e := newTileEnv(t, tiles.Config{CacheBytes: 16 << 20}, nil)
	ctx := context.Background()
	const z = 9
	cases := []struct {
		layer, feature, token string
		tol                   float64 // degrees: the band's simplification and the grid
	}{
		{"coal_blocks", "CB-0", "", 0.001},
		{"coal_blocks", "CF-1", "", 0.001},
		{"defence_land", "DL-1", e.token, 0.0002},
	}
	for _, c := range cases {
		t.Run(c.layer+"/"+c.feature, func(t *testing.T) {
			var fid int64
			var px, py float64
			q := fmt.Sprintf(`SELECT fid, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM layers.%s WHERE feature_id = $1`, c.layer)
			if err := e.pool.QueryRow(ctx, q, c.feature).Scan(&fid, &px, &py); err != nil {
				t.Fatal(err)
			}
			col, row := crs84Tile(t, e, z, orb.Point{px, py})
			path := fmt.Sprintf("/collections/%s/tiles/WorldCRS84Quad/%d/%d/%d", c.layer, z, row, col)
			if c.token != "" {
				if r := e.get(t, path); r.status != 404 {
					t.Fatalf("restricted layer without a token: %d", r.status)
				}
			}
			var hdr []string
			if c.token != "" {
				hdr = []string{"Authorization", "Bearer " + c.token}
			}
			r := e.get(t, path, hdr...)
			if r.status != 200 || r.header.Get("Content-Type") != tiles.MediaTypeMVT {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
			ls := decode(t, r.body)
			if len(ls) != 1 || ls[0].Name != c.layer || ls[0].Extent != tiles.Extent {
				t.Fatalf("layers %v", ls)
			}
			// PostGIS: the features in the tile (must), and those the
			// buffer of 64 units may add (may).
			env := envelopeSQL(tiles.WorldCRS84Quad, "$2", "$3")
			menv := strings.Replace(env, "4326))", "4326), margin => 64.0 / 4096)", 1)
			// A feature under two pixels of the level may be dropped by the
			// zoom band's generalisation.
			pix := 180 / math.Exp2(z) / 256
			rows, err := e.pool.Query(ctx, fmt.Sprintf(`SELECT fid, ST_Intersects(geom, %s)
			    AND greatest(ST_XMax(geom) - ST_XMin(geom), ST_YMax(geom) - ST_YMin(geom)) >= 2 * $4::float8
			  FROM layers.%s WHERE ST_Intersects(geom, %s)`, env, c.layer, menv), z, col, row, pix)
			if err != nil {
				t.Fatal(err)
			}
			must, may := map[int64]bool{}, map[int64]bool{}
			for rows.Next() {
				var id int64
				var in bool
				if err := rows.Scan(&id, &in); err != nil {
					t.Fatal(err)
				}
				may[id], must[id] = true, in
			}
			got := map[int64]*geojson.Feature{}
			for _, f := range ls[0].Features {
				got[int64(f.ID.(float64))] = f
			}
			for id, in := range must {
				if _, ok := got[id]; in && !ok {
					var desc string
					e.pool.QueryRow(ctx, fmt.Sprintf(`SELECT feature_id || ' ' || ST_AsText(ST_Envelope(geom)) FROM layers.%s WHERE fid = $1`, c.layer), id).Scan(&desc)
					t.Errorf("feature %d (%s) is in the tile's envelope but not in the tile", id, desc)
				}
			}
			for id := range got {
				if !may[id] {
					t.Errorf("feature %d is in the tile but not within its buffer", id)
				}
			}
			f, ok := got[fid]
			if !ok {
				t.Fatalf("%s (fid %d) not in the tile", c.feature, fid)
			}
			// The feature decoded to lon/lat, against its part inside the tile.
			b := tiles.TileBound(tiles.WorldCRS84Quad, maptileOf(col, row, z))
			g := project.Geometry(f.Geometry, func(p orb.Point) orb.Point {
				return orb.Point{b.Min[0] + p[0]/tiles.Extent*(b.Max[0]-b.Min[0]), b.Max[1] - p[1]/tiles.Extent*(b.Max[1]-b.Min[1])}
			})
			gb := g.Bound()
			gb = orb.Bound{Min: orb.Point{max(gb.Min[0], b.Min[0]), max(gb.Min[1], b.Min[1])}, Max: orb.Point{min(gb.Max[0], b.Max[0]), min(gb.Max[1], b.Max[1])}}
			var want [4]float64
			q = fmt.Sprintf(`SELECT ST_XMin(i), ST_YMin(i), ST_XMax(i), ST_YMax(i) FROM (SELECT ST_Intersection(geom, %s) i FROM layers.%s WHERE fid = $4) s`, env, c.layer)
			if err := e.pool.QueryRow(ctx, q, z, col, row, fid).Scan(&want[0], &want[1], &want[2], &want[3]); err != nil {
				t.Fatal(err)
			}
			have := [4]float64{gb.Min[0], gb.Min[1], gb.Max[0], gb.Max[1]}
			for i := range want {
				if math.Abs(have[i]-want[i]) > c.tol {
					t.Fatalf("%s drawn over %v, PostGIS puts its part in the tile over %v", c.feature, have, want)
				}
			}
		})
	}

	t.Run("filtered", func(t *testing.T) {
		col, row := crs84Tile(t, e, z, orb.Point{82.01, 23.705})
		path := fmt.Sprintf("/collections/coal_blocks/tiles/WorldCRS84Quad/%d/%d/%d?filter=%s", z, row, col, url.QueryEscape("grade = 'G11'"))
		r := e.get(t, path)
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		got := map[int64]bool{}
		for _, f := range decode(t, r.body)[0].Features {
			if f.Properties["grade"] != "G11" {
				t.Errorf("feature %v of grade %v in a tile filtered on G11", f.ID, f.Properties["grade"])
			}
			got[int64(f.ID.(float64))] = true
		}
		// PostGIS: the G11 blocks of at least two pixels in the tile.
		env := envelopeSQL(tiles.WorldCRS84Quad, "$2", "$3")
		rows, err := e.pool.Query(ctx, `SELECT fid FROM layers.coal_blocks WHERE grade = 'G11' AND ST_Intersects(geom, `+env+`)
		    AND greatest(ST_XMax(geom) - ST_XMin(geom), ST_YMax(geom) - ST_YMin(geom)) >= 2 * $4::float8`, z, col, row, 180/math.Exp2(z)/256)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var fid int64
			rows.Scan(&fid)
			n++
			if !got[fid] {
				t.Errorf("G11 block %d missing from the filtered tile", fid)
			}
		}
		if n == 0 {
			t.Fatal("no G11 block in the tile: the test tests nothing")
		}
	})

	t.Run("cached", func(t *testing.T) {
		col, row := crs84Tile(t, e, z, orb.Point{82.5, 24.0})
		path := fmt.Sprintf("/collections/transmission_lines/tiles/WorldCRS84Quad/%d/%d/%d", z, row, col)
		a, b := e.get(t, path), e.get(t, path)
		if a.status != 200 || a.header.Get("X-Cache") != "miss" || b.header.Get("X-Cache") != "hit" || string(a.body) != string(b.body) ||
			a.header.Get("ETag") != b.header.Get("ETag") {
			t.Fatalf("%d %v, then %v", a.status, a.header, b.header)
		}
	})

	t.Run("addresses outside", func(t *testing.T) {
		col, row := crs84Tile(t, e, z, orb.Point{82.01, 23.705})
		for _, c := range []struct {
			path   string
			status int
		}{
			{"/collections/coal_blocks/tiles/WorldCRS84Quad/24/0/0", 404},                          // no level 24
			{fmt.Sprintf("/collections/coal_blocks/tiles/WorldCRS84Quad/%d/512/%d", z, col), 404},  // row beyond the matrix
			{fmt.Sprintf("/collections/coal_blocks/tiles/WorldCRS84Quad/%d/%d/1024", z, row), 404}, // column beyond
			{"/collections/coal_blocks/tiles/WorldCRS84Quad/9/0/0", 404},                           // outside the layer's limits
			{"/collections/coal_blocks/tiles/WorldCRS84Quad/1/0/1", 404},                           // above its first level
			{"/collections/coal_blocks/tiles/WorldCRS84Quad/x/0/0", 400},
			{"/collections/coal_blocks/tiles/OtherQuad/9/0/0", 404},
			{"/collections/no_such_layer/tiles/WorldCRS84Quad/9/0/0", 404},
			{fmt.Sprintf("/collections/coal_blocks/tiles/WorldCRS84Quad/%d/%d/%d", z, row, col), 200},
		} {
			if r := e.get(t, c.path); r.status != c.status || c.status >= 400 && !strings.Contains(string(r.body), `"error"`) {
				t.Errorf("%s: %d %s, want %d", c.path, r.status, r.body, c.status)
			}
		}
	})
}

// TestDatasetTiles: /tiles lists the dataset's tilesets; a dataset tile
// holds every layer the caller may see that is drawn at its level, or those
// the collections parameter names, in order.
func TestDatasetTiles(t *testing.T) {
	e := newTileEnv(t, tiles.Config{CacheBytes: 16 << 20}, nil)
	var list struct {
		Tilesets []struct {
			Links []tiles.Link `json:"links"`
		} `json:"tilesets"`
	}
	if r := e.get(t, "/tiles"); r.status != 200 || json.Unmarshal(r.body, &list) != nil || len(list.Tilesets) != 2 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var ts tiles.TileSet
	if r := e.get(t, "/tiles/WorldCRS84Quad"); r.status != 200 || json.Unmarshal(r.body, &ts) != nil {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var ids []string
	for _, l := range ts.Layers {
		ids = append(ids, l.ID)
	}
	if strings.Join(ids, ",") != "coal_blocks,sidings,transmission_lines" || ts.AccessConstraint != "" {
		t.Fatalf("anonymous dataset layers %v (%s)", ids, ts.AccessConstraint)
	}
	r := e.get(t, "/tiles/WorldCRS84Quad", "Authorization", "Bearer "+e.token)
	if json.Unmarshal(r.body, &ts) != nil || len(ts.Layers) != 4 || ts.AccessConstraint != "restricted" {
		t.Fatalf("with a token: %s", r.body)
	}

	col, row := crs84Tile(t, e, 9, orb.Point{82.01, 23.705})
	path := fmt.Sprintf("/tiles/WorldCRS84Quad/9/%d/%d", row, col)
	names := func(r tileResponse) string {
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var n []string
		for _, l := range decode(t, r.body) {
			n = append(n, l.Name)
		}
		return strings.Join(n, ",")
	}
	if got := names(e.get(t, path)); got != "coal_blocks,sidings,transmission_lines" {
		t.Fatalf("dataset tile layers %s", got)
	}
	if got := names(e.get(t, path+"?collections=transmission_lines,"+url.QueryEscape(e.ts.URL+"/collections/coal_blocks"))); got != "transmission_lines,coal_blocks" {
		t.Fatalf("collections= tile layers %s", got)
	}
	if r := e.get(t, path+"?collections=defence_land"); r.status != 404 {
		t.Fatalf("restricted collection without a token: %d", r.status)
	}
	if got := names(e.get(t, path+"?collections=defence_land", "Authorization", "Bearer "+e.token)); got != "defence_land" {
		t.Fatalf("restricted collection with a token: %s", got)
	}
	if r := e.get(t, path+"?collections=coal_blocks,coal_blocks"); r.status != 400 || !strings.Contains(string(r.body), "collections") {
		t.Fatalf("repeated collection: %d %s", r.status, r.body)
	}
	// The WebMercatorQuad dataset tile of a z12 tile over the fixtures.
	if got := names(e.get(t, fmt.Sprintf("/tiles/WebMercatorQuad/%d/%d/%d", z12.Z, z12.Y, z12.X))); got != "coal_blocks,sidings,transmission_lines" {
		t.Fatalf("WebMercatorQuad dataset tile layers %s", got)
	}
}

func maptileOf(col, row, z int) maptile.Tile {
	return maptile.Tile{X: uint32(col), Y: uint32(row), Z: maptile.Zoom(z)}
}
