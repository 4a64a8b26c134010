package postgis_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paulmach/orb/planar"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

func TestPolygonsReadsALayerInOneSnapshot(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	for _, q := range []string{
		`INSERT INTO catalog.layers (id, title, geometry_type, data_version) VALUES ('blocks', 'Blocks', 'MultiPolygon', 7), ('rail', 'Rail', 'MultiLineString', 1)`,
		`CREATE TABLE layers.blocks (fid bigint PRIMARY KEY, feature_id text NOT NULL UNIQUE, geom geometry(MultiPolygon, 4326), name text, "Weird Name" integer)`,
		`INSERT INTO layers.blocks VALUES
		 (1, 'dhirauli', ST_Multi(ST_GeomFromText('POLYGON((82.30 23.93, 82.36 23.93, 82.36 23.97, 82.30 23.97, 82.30 23.93))', 4326)), 'Dhirauli', 1),
		 (2, 'b2', ST_GeomFromText('MULTIPOLYGON(((82.4 23.9, 82.5 23.9, 82.5 24.0, 82.4 23.9)), ((82.6 23.9, 82.7 23.9, 82.7 24.0, 82.6 23.9)))', 4326), 'Two parts', NULL),
		 (3, 'empty', NULL, 'No geometry', 3)`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	src := postgis.NewPolygons(pool)
	version, feats, err := src.Polygons(ctx, "blocks")
	if err != nil {
		t.Fatal(err)
	}
	if version != 7 || len(feats) != 2 {
		t.Fatalf("version %d, %d features; want 7 and 2 (the null geometry skipped)", version, len(feats))
	}
	if feats[0].ID != "dhirauli" || feats[0].Props["name"] != "Dhirauli" || feats[0].Props["Weird Name"] != float64(1) {
		t.Fatalf("feature 0 = %+v", feats[0])
	}
	if len(feats[1].Geom) != 2 {
		t.Fatalf("multipolygon parts = %d, want 2", len(feats[1].Geom))
	}
	var pgArea float64
	if err := pool.QueryRow(ctx, `SELECT ST_Area(geom) FROM layers.blocks WHERE fid = 2`).Scan(&pgArea); err != nil {
		t.Fatal(err)
	}
	if got := planar.Area(feats[1].Geom); abs(got-pgArea) > 1e-12 {
		t.Fatalf("area %g, PostGIS says %g", got, pgArea)
	}

	t.Run("unknown layer", func(t *testing.T) {
		if _, _, err := src.Polygons(ctx, "nope"); !errors.Is(err, layers.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
	t.Run("not a polygon layer", func(t *testing.T) {
		if _, _, err := src.Polygons(ctx, "rail"); !errors.Is(err, layers.ErrInvalid) {
			t.Fatalf("err = %v, want ErrInvalid", err)
		}
	})
	t.Run("hostile id", func(t *testing.T) {
		if _, _, err := src.Polygons(ctx, `blocks"; DROP TABLE layers.blocks; --`); !errors.Is(err, layers.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
