package formats_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"path/filepath"

	"github.com/coalmap/coalmap/formats"
)

// A pipeline opens a file, creates columns from Fields, and copies the
// features; the CRS tells it what to reproject from.
func ExampleOpen() {
	src, err := formats.Open(filepath.Join("testdata", "blocks", "blocks.shp"), formats.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()

	crs := src.CRS()
	enc, from := src.Encoding()
	fmt.Printf("EPSG:%d (%s), %s %s\n", crs.SRID, crs.From, enc, from)
	for _, f := range src.Fields() {
		fmt.Printf("  %s %s\n", f.Name, f.Type)
	}
	for {
		f, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err) // an *formats.Error naming the feature
		}
		fmt.Println(f.Index, f.Properties["NAME_HI"], geometryType(f))
	}
	st := src.Stats()
	fmt.Println(st.Features, "features,", st.NullGeometries, "without geometry")
	// Output:
	// EPSG:32644 (file .prj), UTF-8 detected (no .cpg)
	//   NAME text
	//   NAME_HI text
	//   AREA_KM2 real
	//   BLOCK_NO integer
	//   ALLOTTED boolean
	//   ALLOT_DATE date
	//   COALFIELD_ text
	// 0 धिरौली कोयला ब्लॉक Polygon
	// 1 पेलमा MultiPolygon
	// 2 गारे पेल्मा सेक्टर II MultiPolygon
	// 3 कोयला none
	// 4 features, 1 without geometry
}

func geometryType(f *formats.Feature) string {
	if f.Geometry == nil {
		return "none"
	}
	return f.Geometry.GeoJSONType()
}

// Errors carry where the problem is; errors.Is finds the kind.
func ExampleError() {
	_, err := formats.Open(filepath.Join("testdata", "survey.kmz"), formats.Options{MaxUncompressed: 100})
	var fe *formats.Error
	if errors.As(err, &fe) {
		fmt.Println(fe.Format, errors.Is(err, formats.ErrTooLarge))
	}
	fmt.Println(err)
	// Output:
	// kmz true
	// formats: kmz: entries decompress to more than the 100-byte cap: archive too large when decompressed
}

// For formats without a declared schema, FullScan settles the column
// types before the first feature, at the cost of reading the file twice.
func ExampleOptions_fullScan() {
	src, err := formats.Open(filepath.Join("testdata", "survey.kml"), formats.Options{FullScan: true})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	for _, f := range src.Fields() {
		fmt.Println(f.Name, f.Type)
	}
	// Output:
	// name text
	// description text
	// folder text
	// pillar_no integer
	// area_ha text
	// surveyed date
}
