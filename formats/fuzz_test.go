package formats

import (
	"bufio"
	"bytes"
	"io"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
)

// FuzzShapefile feeds arbitrary .shp and .dbf bytes through the reader.
func FuzzShapefile(f *testing.F) {
	dir := filepath.Join("testdata", "blocks")
	f.Add(mustRead(f, filepath.Join(dir, "blocks.shp")), mustRead(f, filepath.Join(dir, "blocks.dbf")))
	z := newTestShapefile([]orb.Geometry{
		orb.MultiPolygon{{cwRect(0, 0, 4, 4), ccwRect(1, 1, 2, 2)}, {cwRect(5, 5, 6, 6)}},
		orb.LineString{{0, 0}, {1, 1}}, nil,
	}, true, []dbfCol{{"N", 'N', 3, 0}, {"D", 'D', 8, 0}}, [][]string{{"1", "20200101"}, {"2", ""}, {"3", "x"}})
	f.Add(z[".shp"], z[".dbf"])
	f.Fuzz(func(t *testing.T, shp, dbf []byte) {
		d, err := readDBFHeader(bytes.NewReader(dbf))
		if err != nil {
			checkErr(t, err)
			return
		}
		d.setText(textDecoder{name: "UTF-8"})
		r := &shpReader{shp: bufio.NewReader(bytes.NewReader(shp)), shpC: io.NopCloser(nil), dbf: d, dbfC: io.NopCloser(nil),
			files: &shpFiles{close: func() error { return nil }}}
		if err := r.header(); err != nil {
			checkErr(t, err)
			return
		}
		drain(t, r)
	})
}

// FuzzDBFSniff checks that encoding detection and decoding never fail on
// arbitrary text bytes.
func FuzzDBFSniff(f *testing.F) {
	f.Add([]byte("कोयला"))
	f.Add([]byte("Sarda\xe9"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s utf8Sniffer
		s.add(b)
		textDecoder{name: "UTF-8"}.decode(b)
		windows1252().decode(b)
	})
}
