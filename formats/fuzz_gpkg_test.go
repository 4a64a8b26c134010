package formats

import (
	"database/sql"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
)

var fuzzGPKGSeq atomic.Int64

// FuzzGPKGMeta fills a GeoPackage's own tables (gpkg_contents,
// gpkg_geometry_columns, gpkg_spatial_ref_sys) and a feature table with
// arbitrary names, types, CRS definitions and a geometry blob, as a hostile
// file could: the reader quotes every name it uses and answers with an
// *Error or features, never a panic or an SQL error of its own making. It
// runs on an in-memory database: the file format is SQLite's concern.
func FuzzGPKGMeta(f *testing.F) {
	wgs := `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]`
	pt := gpkgBlob(4326, pointZWKB(82.33, 23.95, 312))
	f.Add("pillars", "shape", "POINT", int64(4326), wgs, "INTEGER", pt)
	f.Add(`we"ird`, `ge"om`, "GEOMETRY", int64(100044), "", "TEXT", []byte{'G', 'P', 0, 0x11, 0x44, 0x87, 1, 0})
	f.Add("t; DROP TABLE gpkg_contents; --", "g", "MULTIPOLYGONZM", int64(-1), "PROJCS[", "BLOB", []byte("GP"))
	f.Fuzz(func(t *testing.T, table, geomCol, geomType string, srsID int64, srsDef, colType string, blob []byte) {
		if table == "" || geomCol == "" || strings.ContainsRune(table+geomCol+colType, 0) || strings.EqualFold(geomCol, "a") {
			return
		}
		dsn := fmt.Sprintf("file:fuzzgpkg%d?mode=memory&cache=shared", fuzzGPKGSeq.Add(1))
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		q := quoteIdent
		for _, s := range []string{
			`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`,
			`CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT, description TEXT DEFAULT '', last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)`,
			`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL)`,
			`CREATE TABLE ` + q(table) + ` (fid INTEGER PRIMARY KEY, ` + q(geomCol) + ` BLOB, a ` + q(colType) + `)`,
		} {
			if _, err := db.Exec(s); err != nil {
				return // a name SQLite itself refuses: no such file can exist
			}
		}
		for _, s := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO gpkg_spatial_ref_sys VALUES ('x', ?, 'EPSG', ?, ?, NULL)`, []any{srsID, srsID, srsDef}},
			{`INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES (?, 'features', ?)`, []any{table, srsID}},
			{`INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)`, []any{table, geomCol, geomType, srsID}},
			{`INSERT INTO ` + q(table) + ` (` + q(geomCol) + `, a) VALUES (?, ?)`, []any{blob, colType}},
		} {
			if _, err := db.Exec(s.sql, s.args...); err != nil {
				return
			}
		}
		r, _, _, err := gpkgPrepare(db, Options{})
		if err != nil {
			checkErr(t, err)
			return
		}
		drain(t, r)
	})
}
