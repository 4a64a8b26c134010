package formats

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestCRSFromPRJ(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "prj", "*.prj"))
	if len(files) < 30 {
		t.Fatalf("only %d .prj fixtures", len(files))
	}
	authority := regexp.MustCompile(`,AUTHORITY\["[^"]*","[^"]*"\]`)
	for _, f := range files {
		name := filepath.Base(f)
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if code, err := strconv.Atoi(strings.SplitN(name, ".", 2)[0]); err == nil {
			want = code
		}
		// A WGS 84 UTM zone beyond India's table, matched by the generic
		// rule, which says so in From.
		generic := name == "unknown.esri.prj"
		if generic {
			want = 32640
		}
		t.Run(name, func(t *testing.T) {
			c, err := crsFromPRJ(string(b))
			if err != nil {
				t.Fatal(err)
			}
			if c.SRID != want || c.WKT == "" || (c.From != "file .prj") != generic {
				t.Errorf("SRID %d (%q), want %d", c.SRID, c.From, want)
			}
		})
		if strings.Contains(name, ".gdal.") {
			t.Run(name+" without AUTHORITY", func(t *testing.T) {
				stripped := authority.ReplaceAllString(string(b), "")
				c, err := crsFromPRJ(stripped)
				if err != nil {
					t.Fatal(err)
				}
				if want == 3857 {
					want = 0 // GDAL's 3857 is Mercator_1SP on a sphere: only the authority tells
				}
				if c.SRID != want {
					t.Errorf("SRID %d, want %d, from %s", c.SRID, want, stripped)
				}
			})
		}
	}
}

func TestCRSFromPRJCases(t *testing.T) {
	tests := []struct {
		name string
		wkt  string
		srid int
		err  string
	}{
		{"empty", "", 0, ""},
		{"bom and spaces", "\ufeff  GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]\n", 4326, ""},
		{"GRS80 is not WGS 84", `GEOGCS["GRS80",DATUM["x",SPHEROID["GRS 1980",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["Degree",0.0174532925199433]]`, 0, ""},
		{"Paris meridian", `GEOGCS["x",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Paris",2.33722917],UNIT["Degree",0.0174532925199433]]`, 0, ""},
		{"NAD83 UTM 15N is not WGS 84", `PROJCS["NAD_1983_UTM_Zone_15N",GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",-93.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`, 0, ""},
		{"utm 47S beyond the table", `PROJCS["WGS_1984_UTM_Zone_47S",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",10000000.0],PARAMETER["Central_Meridian",99.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`, 32747, ""},
		{"utm 47N beyond the table", `PROJCS["WGS_1984_UTM_Zone_47N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",99.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`, 32647, ""},
		{"wkt2 id", `GEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563]],ID["EPSG",4326]]`, 4326, ""},
		{"malformed", `GEOGCS["x",DATUM[`, 0, "malformed WKT"},
		{"too deep", strings.Repeat("A[", 100) + strings.Repeat("]", 100), 0, "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := crsFromPRJ(tt.wkt)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.SRID != tt.srid {
				t.Errorf("SRID = %d, want %d", c.SRID, tt.srid)
			}
		})
	}
}

func FuzzPRJ(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "prj", "*.prj"))
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := crsFromPRJ(s)
		if err == nil && c.SRID < 0 {
			t.Errorf("negative SRID %d", c.SRID)
		}
	})
}
