package formats

import (
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite", for GeoPackage
)

// gpkgReader reads the rows of one GeoPackage feature table.
type gpkgReader struct {
	db    *sql.DB
	rows  *sql.Rows
	table string
	pk    string
	cols  []gpkgCol
	index int
	done  bool
	vals  []any
	ptrs  []any
}

type gpkgCol struct {
	name  string
	field Field
	blob  bool
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// openGPKG opens the feature table named by Options.SourceLayer, or the
// only one the GeoPackage holds.
func openGPKG(path string, opt Options) (Source, error) {
	u := url.URL{Scheme: "file", Path: path, RawQuery: "mode=ro"}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, newError("gpkg", "open", err)
	}
	r, crs, fields, err := gpkgPrepare(db, opt)
	if err != nil {
		db.Close()
		return nil, err
	}
	s, err := newStream("gpkg", r, nil, fields, opt)
	if err != nil {
		return nil, err
	}
	s.crs = overrideSRID(crs, opt)
	s.enc = [2]string{"UTF-8", "SQLite text"}
	return s, nil
}

func gpkgPrepare(db *sql.DB, opt Options) (*gpkgReader, CRS, []Field, error) {
	var crs CRS
	rows, err := db.Query(`SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name`)
	if err != nil {
		return nil, crs, nil, newError("gpkg", "not a GeoPackage (no gpkg_contents table)", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, crs, nil, newError("gpkg", "read gpkg_contents", err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	table := ""
	switch {
	case opt.SourceLayer != "":
		for _, t := range tables {
			if strings.EqualFold(t, opt.SourceLayer) {
				table = t
			}
		}
		if table == "" {
			return nil, crs, nil, newError("gpkg", fmt.Sprintf("no feature layer %q (layers: %s)", opt.SourceLayer, strings.Join(tables, ", ")), nil)
		}
	case len(tables) == 0:
		return nil, crs, nil, newError("gpkg", "no feature layers", ErrEmpty)
	case len(tables) > 1:
		return nil, crs, nil, newError("gpkg", fmt.Sprintf("%d feature layers (%s); choose one with --source-layer (source_layer= over HTTP)", len(tables), strings.Join(tables, ", ")), nil)
	default:
		table = tables[0]
	}
	var geomCol string
	var srsID int
	if err := db.QueryRow(`SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?`, table).Scan(&geomCol, &srsID); err != nil {
		return nil, crs, nil, newError("gpkg", "no gpkg_geometry_columns row for "+table, err)
	}
	crs = CRS{From: "GeoPackage srs_id " + strconv.Itoa(srsID)}
	var org sql.NullString
	var orgID sql.NullInt64
	var def sql.NullString
	if err := db.QueryRow(`SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?`, srsID).Scan(&org, &orgID, &def); err == nil {
		crs.WKT = def.String
		if strings.EqualFold(org.String, "EPSG") && orgID.Int64 > 0 {
			crs.SRID = int(orgID.Int64)
		} else if c, err := crsFromPRJ(def.String); err == nil && c.SRID != 0 {
			crs.SRID = c.SRID
		}
	}
	info, err := db.Query(`SELECT name, type, pk FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, crs, nil, newError("gpkg", "read columns of "+table, err)
	}
	r := &gpkgReader{db: db, table: table}
	var fields []Field
	for info.Next() {
		var name, typ string
		var pk int
		if err := info.Scan(&name, &typ, &pk); err != nil {
			info.Close()
			return nil, crs, nil, newError("gpkg", "read columns of "+table, err)
		}
		switch {
		case pk > 0 && r.pk == "":
			r.pk = name
		case strings.EqualFold(name, geomCol):
		default:
			t, blob := gpkgType(typ)
			c := gpkgCol{name: name, field: Field{Name: name, Original: name, Type: t}, blob: blob}
			r.cols = append(r.cols, c)
			fields = append(fields, c.field)
		}
	}
	info.Close()
	sel := []string{quoteIdent(geomCol)}
	if r.pk != "" {
		sel = append(sel, quoteIdent(r.pk))
	}
	for _, c := range r.cols {
		sel = append(sel, quoteIdent(c.name))
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + quoteIdent(table)
	if r.pk != "" {
		q += " ORDER BY " + quoteIdent(r.pk)
	}
	r.rows, err = db.Query(q)
	if err != nil {
		return nil, crs, nil, newError("gpkg", "read "+table, err)
	}
	r.vals = make([]any, len(sel))
	r.ptrs = make([]any, len(sel))
	for i := range r.vals {
		r.ptrs[i] = &r.vals[i]
	}
	if fields == nil {
		fields = []Field{}
	}
	return r, crs, fields, nil
}

// gpkgType maps a GeoPackage column type to a FieldType.
func gpkgType(t string) (FieldType, bool) {
	t = strings.ToUpper(t)
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = t[:i]
	}
	switch strings.TrimSpace(t) {
	case "INTEGER", "INT", "MEDIUMINT", "SMALLINT", "TINYINT", "BIGINT":
		return Integer, false
	case "BOOLEAN":
		return Boolean, false
	case "REAL", "DOUBLE", "FLOAT", "NUMERIC":
		return Real, false
	case "DATE":
		return Date, false
	case "DATETIME", "TIMESTAMP":
		return Timestamp, false
	case "BLOB":
		return Text, true
	}
	return Text, false
}

func (r *gpkgReader) next() (record, error) {
	if r.done {
		return record{}, io.EOF
	}
	if !r.rows.Next() {
		r.done = true
		if err := r.rows.Err(); err != nil {
			return record{}, featureError("gpkg", r.index, "read row", err)
		}
		return record{}, io.EOF
	}
	idx := r.index
	r.index++
	if err := r.rows.Scan(r.ptrs...); err != nil {
		r.done = true
		return record{}, featureError("gpkg", idx, "read row", err)
	}
	rec := record{f: &Feature{Index: idx, Properties: make(map[string]any, len(r.cols))}}
	if blob, ok := r.vals[0].([]byte); ok && len(blob) > 0 {
		g, z, err := parseGPKGBlob(blob)
		if err != nil {
			return record{}, featureError("gpkg", idx, err.Error(), ErrInvalidGeometry)
		}
		rec.f.Geometry, rec.z = g, z
	}
	off := 1
	if r.pk != "" {
		if r.vals[1] != nil {
			rec.f.ID = idString(r.vals[1])
		}
		off = 2
	}
	rec.keys = make([]string, len(r.cols))
	for i, c := range r.cols {
		v, err := gpkgValue(r.vals[off+i], c)
		if err != nil {
			r.done = true
			e := featureError("gpkg", idx, err.Error(), nil)
			e.Field = c.name
			return record{}, e
		}
		rec.keys[i] = c.field.Name
		rec.f.Properties[c.field.Name] = v
	}
	return rec, nil
}

// gpkgValue converts a SQLite value to the column's declared type. SQLite
// does not enforce declared types, so a value that does not fit is an
// error rather than a silent change.
func gpkgValue(v any, c gpkgCol) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok {
		if c.blob {
			return base64.StdEncoding.EncodeToString(b), nil
		}
		v = string(b)
	}
	switch c.field.Type {
	case Integer:
		switch v := v.(type) {
		case int64:
			return v, nil
		case float64:
			if v == float64(int64(v)) {
				return int64(v), nil
			}
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return n, nil
			}
		}
	case Real:
		switch v := v.(type) {
		case int64:
			return float64(v), nil
		case float64:
			return v, nil
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				return f, nil
			}
		}
	case Boolean:
		switch v := v.(type) {
		case int64:
			return v != 0, nil
		case bool:
			return v, nil
		}
	case Date, Timestamp:
		switch v := v.(type) {
		case time.Time:
			return v, nil
		case string:
			if t, ok := parseDate(v); ok {
				return t, nil
			}
			if t, ok := parseTimestamp(v); ok {
				return t, nil
			}
		}
	case Text:
		switch v := v.(type) {
		case string:
			return v, nil
		case time.Time:
			return v.Format(time.RFC3339Nano), nil
		default:
			return idString(v), nil
		}
	}
	return nil, fmt.Errorf("value %v does not fit the declared type %s", v, c.field.Type)
}

func (r *gpkgReader) close() error {
	if r.rows != nil {
		r.rows.Close()
	}
	return r.db.Close()
}
