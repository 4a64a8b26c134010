package postgis_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/formats"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/layers/layerstest"
	"github.com/coalmap/coalmap/postgis"
)

// layerBandRows reads every zoom band and index table of layer id, keyed
// by band and fid (index rows by -fid).
func layerBandRows(t *testing.T, s *postgis.Store, id string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, b := range []string{"z0", "z6", "z8", "z10", "z12", "z14"} {
		rows, err := s.Pool().Query(ctx, fmt.Sprintf(`SELECT fid, ST_AsText(geom) FROM tilegen.%[1]s__%[2]s
UNION ALL SELECT -fid, ST_AsText(geom) FROM tilegen.%[1]s__%[2]s_i ORDER BY 1, 2`, id, b))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var fid int64
			var wkt string
			if err := rows.Scan(&fid, &wkt); err != nil {
				t.Fatal(err)
			}
			out[fmt.Sprintf("%s/%d", b, fid)] += wkt + ";"
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// wavy is a polygon of n vertices around c, about r degrees across, with a
// wavy boundary (simplified away at low zoom, cut into several pieces).
func wavy(c orb.Point, r float64, n int) orb.Polygon {
	ring := make(orb.Ring, 0, n+1)
	for k := range n {
		a := 2 * math.Pi * float64(k) / float64(n)
		rr := r * (1 + 0.15*math.Sin(7*a) + 0.03*math.Sin(61*a))
		ring = append(ring, orb.Point{c[0] + rr*math.Cos(a), c[1] + rr*math.Sin(a)})
	}
	return orb.Polygon{append(ring, ring[0])}
}

// TestImportBuildsBands imports layers of polygons (some invalid, repaired
// or rejected by the import's check) and of long lines: their bands are
// current once the import returns, and equal bands built afresh from the
// layer table.
func TestImportBuildsBands(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	polys := layerstest.Grid(300, true)
	extra := []orb.Geometry{
		wavy(orb.Point{82.3, 23.9}, 0.05, 3000),
		wavy(orb.Point{82.5, 23.7}, 0.002, 400),
		// A bow tie: invalid, repaired into two triangles or rejected.
		orb.Polygon{{{82.1, 23.6}, {82.2, 23.7}, {82.2, 23.6}, {82.1, 23.7}, {82.1, 23.6}}},
	}
	for i, g := range extra {
		f := polys.Feats[0]
		f.Index, f.ID, f.Geometry = len(polys.Feats), fmt.Sprintf("extra-%d", i), g
		polys.Feats = append(polys.Feats, f)
	}
	lines := layerstest.Grid(0, false)
	for i := range 40 {
		l := make(orb.LineString, 2000)
		for k := range l {
			x := float64(k) / 2000
			l[k] = orb.Point{81.9 + 0.6*x, 23.5 + 0.01*float64(i) + 0.02*math.Sin(40*x+float64(i))}
		}
		lines.Feats = append(lines.Feats, formats.Feature{Index: i, ID: fmt.Sprintf("line-%d", i), Geometry: l,
			Properties: map[string]any{"name": fmt.Sprintf("Line %d", i)}})
	}
	lineLayer := layerstest.Layer("lines", layers.Public, false)
	lineLayer.GeometryType = layers.MultiLineString
	lineLayer.Attributes = lineLayer.Attributes[:1]
	lines.Schema = layerstest.GridFields[:1]

	for _, c := range []struct {
		id      string
		l       *layers.Layer
		src     *layerstest.Slice
		invalid layers.InvalidMode
	}{
		{"blocks", layerstest.Layer("blocks", layers.Public, true), polys, layers.Repair},
		{"rejecting", layerstest.Layer("rejecting", layers.Public, true), polys, layers.Reject},
		{"lines", lineLayer, lines, layers.Repair},
	} {
		t.Run(c.id, func(t *testing.T) {
			if _, err := s.PutLayer(ctx, c.l, "test"); err != nil {
				t.Fatal(err)
			}
			src := *c.src
			res, err := layerstest.Importer(s).Import(ctx, layers.ImportSpec{Layer: c.id, Source: &src, SourceName: "test", Actor: "test", Invalid: c.invalid})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d features, %d repaired, %d rejected", res.Features, res.Repaired, res.Rejected)
			if ok, err := s.BandsCurrent(ctx, c.id); err != nil || !ok {
				t.Fatalf("bands after the import: current %v, %v", ok, err)
			}
			imported := layerBandRows(t, s, c.id)
			if _, err := s.Pool().Exec(ctx, `DELETE FROM tilegen.bands WHERE layer_id = $1`, c.id); err != nil {
				t.Fatal(err)
			}
			if err := postgis.PrepareLayerTiles(ctx, s.Pool(), c.id); err != nil {
				t.Fatal(err)
			}
			fresh := layerBandRows(t, s, c.id)
			if len(imported) != len(fresh) {
				t.Fatalf("%d band rows from the import, %d built afresh", len(imported), len(fresh))
			}
			for k, v := range fresh {
				if imported[k] != v {
					t.Fatalf("%s: from the import %.200s, built afresh %.200s", k, imported[k], v)
				}
			}
		})
	}
}
