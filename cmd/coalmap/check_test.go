package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// blocksFixture makes a coal_blocks layer and a 765 kV line layer by SQL and
// returns the database URL.
func blocksFixture(t *testing.T) string {
	t.Helper()
	url := pgtest.URL(t)
	pool := pgtest.NewPoolFor(t, url)
	for _, q := range []string{
		`INSERT INTO catalog.layers (id, title, geometry_type, category) VALUES
		 ('coal_blocks', 'Coal blocks', 'MultiPolygon', 'coal_resources'),
		 ('tx_765kv', 'Transmission lines 765 kV', 'MultiLineString', 'power')`,
		`CREATE TABLE layers.coal_blocks (fid bigint PRIMARY KEY, feature_id text NOT NULL UNIQUE, geom geometry(MultiPolygon, 4326), name text)`,
		`INSERT INTO layers.coal_blocks VALUES
		 (1, 'dhirauli', ST_Multi(ST_GeomFromText('POLYGON((82.30 23.93, 82.36 23.93, 82.36 23.97, 82.30 23.97, 82.30 23.93))', 4326)), 'Dhirauli'),
		 (2, 'other', ST_Multi(ST_GeomFromText('POLYGON((82.40 23.93, 82.42 23.93, 82.42 23.97, 82.40 23.97, 82.40 23.93))', 4326)), 'Other')`,
		`CREATE TABLE layers.tx_765kv (fid bigint PRIMARY KEY, feature_id text NOT NULL UNIQUE, geom geometry(MultiLineString, 4326), voltage_kv integer)`,
		`INSERT INTO layers.tx_765kv VALUES (1, 'dhirauli-765kv', ST_Multi(ST_GeomFromText('LINESTRING(82.28 23.95, 82.48 23.95)', 4326)), 765)`,
	} {
		if _, err := pool.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	return url
}

func TestCheckCommand(t *testing.T) {
	url := blocksFixture(t)
	dir := t.TempDir()
	line := filepath.Join(dir, "proposed.geojson")
	os.WriteFile(line, []byte(`{"type":"Feature","id":"proposed","geometry":{"type":"LineString","coordinates":[[82.28,23.95],[82.48,23.95]]},"properties":{}}`), 0o644)

	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"check", "--database-url", url, "--voltage-kv", "765", "--format", "json", line}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep overlaps.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Crossings) != 2 || rep.RowWidthM != 64 {
		t.Fatalf("crossings %d, width %g", len(rep.Crossings), rep.RowWidthM)
	}
	var want float64
	pool := pgtest.NewPoolFor(t, url)
	if err := pool.QueryRow(context.Background(), `SELECT ST_Length(ST_Intersection(ST_GeomFromText('LINESTRING(82.28 23.95, 82.48 23.95)', 4326), geom)::geography)
		FROM layers.coal_blocks WHERE feature_id = 'dhirauli'`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if got := rep.Crossings[0].LengthM; rep.Crossings[0].ID != "dhirauli" || math.Abs(got-want) > math.Max(1, want*0.001) {
		t.Fatalf("first crossing %s %.1f m, PostGIS %.1f m", rep.Crossings[0].ID, got, want)
	}

	t.Run("text", func(t *testing.T) {
		out.Reset()
		if code := run(context.Background(), []string{"check", "--database-url", url, line}, &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		for _, s := range []string{"proposed", "dhirauli", "Dhirauli", "Total: 1 alignments"} {
			if !strings.Contains(out.String(), s) {
				t.Errorf("text report lacks %q:\n%s", s, out.String())
			}
		}
	})
	t.Run("reroute", func(t *testing.T) {
		out.Reset()
		if code := run(context.Background(), []string{"check", "--database-url", url, "--reroute", "--clearance-m", "45", line}, &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		if !strings.Contains(out.String(), "alternative:") || !strings.Contains(out.String(), "dhirauli") {
			t.Fatalf("reroute output:\n%s", out.String())
		}
	})
	t.Run("overlaps run to CSV", func(t *testing.T) {
		csvPath := filepath.Join(dir, "pairs.csv")
		errb.Reset()
		if code := run(context.Background(), []string{"overlaps", "--database-url", url, "--lines", "tx_765kv", "--polygons", "coal_blocks", "-o", csvPath}, &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		f, _ := os.Open(csvPath)
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 3 || recs[1][1] != "dhirauli-765kv" || recs[1][11] != "64.0" {
			t.Fatalf("rows: %v", recs)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.geojson")
		os.WriteFile(bad, []byte(`{"type":"Point","coordinates":[82.3,23.9]}`), 0o644)
		for name, args := range map[string][]string{
			"point":         {"check", "--database-url", url, bad},
			"missing file":  {"check", "--database-url", url, filepath.Join(dir, "nope.geojson")},
			"unknown layer": {"check", "--database-url", url, "--against", "nope", line},
			"no lines":      {"overlaps", "--database-url", url},
		} {
			errb.Reset()
			if code := run(context.Background(), args, &out, &errb); code == 0 || errb.Len() == 0 {
				t.Errorf("%s: exit %d, stderr %q", name, code, errb.String())
			}
		}
	})
}
