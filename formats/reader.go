package formats

import "io"

// ReadGeoJSON reads a GeoJSON document from r — a FeatureCollection, a lone
// Feature or a bare Geometry — as a Source, with the same decoding, checks
// and errors as Open gives a .geojson file: it is how a request body (a
// feature sent to the API) goes through the reader an import of a file
// uses. The schema is inferred from the first Options.SampleSize features
// (FullScan is ignored: r is read once). Close does not close r.
func ReadGeoJSON(r io.Reader, opt Options) (Source, error) {
	m := &meter{}
	g, err := geojsonOpen(m.reader(r, 0), nil)
	if err != nil {
		return nil, err
	}
	crs := g.crs
	s, err := newStream("geojson", g, nil, nil, opt)
	if err != nil {
		return nil, err
	}
	s.crs = overrideSRID(crs, opt)
	s.meter = m
	s.enc = [2]string{"UTF-8", "JSON is UTF-8 (RFC 8259)"}
	return s, nil
}
