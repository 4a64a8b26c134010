package formats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/coalmap/coalmap/geo"
)

// Open opens the file, folder or archive at path as a stream of features.
//
// The format comes from Options.Format, else from the extension, else from
// the content:
//
//	.geojson .json                     GeoJSON FeatureCollection (or GeoJSONSeq, by content)
//	.geojsonl .geojsons .ndjson .jsonl GeoJSONSeq: one feature per line, RS separators allowed
//	.shp, a folder, .zip               Shapefile (a folder or zip must hold one, or name it in SourceLayer);
//	                                   a zip of a .kml is KMZ, a zip of another GDAL format goes to ogr2ogr
//	.gpkg                              GeoPackage
//	.kml .kmz                          KML, KMZ
//	.csv .tsv                          CSV with a WKT column or lon/lat columns
//	anything else                      ogr2ogr, when installed
//
// Errors are *Error; errors.Is finds ErrEmpty, ErrUnsupported,
// ErrUnsafeArchive, ErrTooLarge and ErrNoGDAL.
func Open(path string, opt Options) (Source, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, newError("open", "cannot open input", err)
	}
	format := strings.ToLower(opt.Format)
	if format == "" {
		format, err = sniff(path, fi)
		if err != nil {
			return nil, err
		}
	}
	if !fi.IsDir() && fi.Size() == 0 {
		return nil, newError(format, filepath.Base(path)+" is empty", ErrEmpty)
	}
	switch format {
	case "geojson":
		return openGeoJSON(path, opt)
	case "geojsonseq":
		return openGeoJSONSeq(path, opt)
	case "shapefile":
		switch {
		case fi.IsDir():
			return openShapefileDir(path, opt)
		case strings.EqualFold(filepath.Ext(path), ".zip"):
			return openShapefileZip(path, opt)
		}
		return openShapefile(shpFilesDir(path), opt)
	case "gpkg":
		return openGPKG(path, opt)
	case "kml":
		return openKML(path, false, opt)
	case "kmz":
		return openKML(path, true, opt)
	case "csv":
		return openCSV(path, opt)
	case "ogr":
		return openOGR(path, opt)
	}
	return nil, newError("open", fmt.Sprintf("unknown format %q", format), ErrUnsupported)
}

// sniff decides the format of path by its extension, then its content.
func sniff(path string, fi os.FileInfo) (string, error) {
	if fi.IsDir() {
		if strings.EqualFold(filepath.Ext(path), ".gdb") {
			return "ogr", nil
		}
		return "shapefile", nil
	}
	head, err := readHead(path, 64<<10)
	if err != nil {
		return "", newError("open", "cannot read input", err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".geojson", ".json":
		if isSeq(head) {
			return "geojsonseq", nil
		}
		return "geojson", nil
	case ".geojsonl", ".geojsons", ".geojsonseq", ".ndjson", ".jsonl":
		return "geojsonseq", nil
	case ".shp":
		return "shapefile", nil
	case ".zip":
		if zipHolds(path, ".kml") && !zipHolds(path, ".shp") {
			return "kmz", nil
		}
		return "shapefile", nil
	case ".gpkg":
		return "gpkg", nil
	case ".kml":
		return "kml", nil
	case ".kmz":
		return "kmz", nil
	case ".csv", ".tsv":
		return "csv", nil
	}
	h := bytes.TrimLeft(head, " \t\r\n\ufeff")
	switch {
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return "gpkg", nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		if zipHolds(path, ".kml") && !zipHolds(path, ".shp") {
			return "kmz", nil
		}
		return "shapefile", nil
	case len(h) > 0 && h[0] == 0x1e:
		return "geojsonseq", nil
	case len(h) > 0 && h[0] == '{':
		if isSeq(head) {
			return "geojsonseq", nil
		}
		return "geojson", nil
	case bytes.HasPrefix(h, []byte("<")) && bytes.Contains(head, []byte("<kml")):
		return "kml", nil
	}
	return "ogr", nil
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	m, err := io.ReadFull(f, b)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	return b[:m], err
}

// isSeq reports whether head starts newline-delimited GeoJSON: an RS, or a
// first line that is a whole JSON object followed by more content.
func isSeq(head []byte) bool {
	h := bytes.TrimLeft(head, " \t\r\n")
	if len(h) > 0 && h[0] == 0x1e {
		return true
	}
	i := bytes.IndexByte(h, '\n')
	if i < 0 {
		return false
	}
	first := bytes.TrimSpace(h[:i])
	rest := bytes.TrimSpace(h[i:])
	return len(first) > 0 && first[0] == '{' && json.Valid(first) && len(rest) > 0 && rest[0] == '{'
}

func zipHolds(path, ext string) bool {
	a, err := openArchive(path, "zip", 1<<62)
	if err != nil {
		return false
	}
	defer a.close()
	for _, f := range a.files() {
		if strings.EqualFold(filepath.Ext(f.Name), ext) {
			return true
		}
	}
	return false
}

func openGeoJSON(path string, opt Options) (Source, error) {
	m := &meter{}
	open := func() (*geojsonReader, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, newError("geojson", "open", err)
		}
		g, err := geojsonOpen(m.reader(f, fileSize(f)), f)
		if err != nil {
			f.Close()
			return nil, err
		}
		return g, nil
	}
	g, err := open()
	if err != nil {
		return nil, err
	}
	crs := g.crs
	s, err := newStream("geojson", g, func() (reader, error) { return open() }, nil, opt)
	if err != nil {
		return nil, err
	}
	s.crs = overrideSRID(crs, opt)
	s.meter = m
	s.enc = [2]string{"UTF-8", "JSON is UTF-8 (RFC 8259)"}
	return s, nil
}

func openGeoJSONSeq(path string, opt Options) (Source, error) {
	m := &meter{}
	open := func() (reader, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, newError("geojsonseq", "open", err)
		}
		return newGeoJSONSeqReader(m.reader(f, fileSize(f)), f, "geojsonseq"), nil
	}
	r, err := open()
	if err != nil {
		return nil, err
	}
	s, err := newStream("geojsonseq", r, open, nil, opt)
	if err != nil {
		return nil, err
	}
	s.crs = overrideSRID(CRS{SRID: geo.SRIDWGS84, From: "default 4326"}, opt)
	s.meter = m
	s.enc = [2]string{"UTF-8", "JSON is UTF-8 (RFC 8259)"}
	return s, nil
}

// overrideSRID applies Options.SRID.
func overrideSRID(c CRS, opt Options) CRS {
	if opt.SRID != 0 {
		c.SRID, c.From = opt.SRID, "--srid"
	}
	return c
}
