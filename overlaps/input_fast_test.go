package overlaps

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
)

var fastSeeds = []string{
	`{"type":"LineString","coordinates":[[82.1,23.9],[82.2,23.95],[82.3,24]]}`,
	` {"coordinates":[[82.1,23.9,100],[82.2,23.95,101]],"type":"LineString","bbox":[82.1,23.9,82.2,23.95]} `,
	`{"type":"MultiLineString","coordinates":[[[82.1,23.9],[82.2,23.95]],[[82.3,24],[82.4,24.1]]]}`,
	`{"type":"Feature","id":"A-1","properties":{"name":"x"},"geometry":{"type":"LineString","coordinates":[[82,23],[83,24]]}}`,
	`{"type":"Feature","id":17,"properties":null,"geometry":{"type":"LineString","coordinates":[[82,23],[83,24]]}}`,
	`{"type":"Feature","properties":{"name":"Pelma–Sardega"},"geometry":{"type":"LineString","coordinates":[[82,23],[83,24]]}}`,
	`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[82,23],[83,24]]}},{"type":"Feature","id":"b","geometry":{"type":"MultiLineString","coordinates":[[[82,23],[83,24]]]},"properties":{"k":[1,{"a":"]"}]}}]}`,
	`{"type":"FeatureCollection","features":[]}`,
	`{"type":"Point","coordinates":[82,23]}`,
	`{"type":"LineString","coordinates":[[82,23],[83,24]],}`,
	`{"type":"LineString","coordinates":[[82,23],[83,24]]} x`,
	`{"type":"LineString" "coordinates":[[82,23],[83,24]]}`,
	`{"type":"LineString","coordinates":[[82,23],[83,1e999]]}`,
	`{"type":"LineString","coordinates":[[82,23],[83,24]],"crs":{bad}}`,
	`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[82,23],[83,24]]},"id":{"x":1}}`,
	`{"type":"LineString","coordinates":[[82,23],[83,"24"]]}`,
	`{"type":"LineString","coordinates":[]}`,
	`{"type":"LineString","coord\u0069nates":[[82,23],[83,24]]}`,
	`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null}]}`,
}

// TestParseFastMatchesExact: whenever the fast reader takes a document,
// it reads what encoding/json reads; long arrays (read in two halves) too,
// a fault in either half sending the document to the exact reader.
func TestParseFastMatchesExact(t *testing.T) {
	for _, doc := range fastSeeds {
		checkFast(t, []byte(doc))
	}
	long := func(n int, pos func(i int) string) string {
		var b []byte
		b = append(b, `[`...)
		for i := range n {
			if i > 0 {
				b = append(b, []string{",", " ,", ",\n "}[i%3]...)
			}
			b = append(b, pos(i)...)
		}
		return string(append(b, ']'))
	}
	plain := func(i int) string { return fmt.Sprintf("[%v, %v]", 82+float64(i)/7e3, 23+math.Sin(float64(i))/10) }
	for name, c := range map[string]struct {
		doc  string
		fast bool
	}{
		"line":          {`{"type":"LineString","coordinates":` + long(3000, plain) + `}`, true},
		"z values":      {`{"type":"LineString","coordinates":` + long(3000, func(i int) string { return fmt.Sprintf("[%d.5,%d.25,%d]", 80+i%9, 20+i%7, i) }) + `}`, true},
		"multi":         {`{"type":"MultiLineString","coordinates":[` + long(2000, plain) + `,` + long(1500, plain) + `]}`, true},
		"feature":       {`{"type":"Feature","id":"x","properties":{},"geometry":{"type":"LineString","coordinates":` + long(3000, plain) + `}}`, true},
		"bad in 1st":    {`{"type":"LineString","coordinates":` + long(3000, func(i int) string { return map[bool]string{true: "[01,2]", false: plain(i)}[i == 100] }) + `}`, false},
		"bad in 2nd":    {`{"type":"LineString","coordinates":` + long(3000, func(i int) string { return map[bool]string{true: "[1,2,]", false: plain(i)}[i == 2900] }) + `}`, false},
		"short at half": {`{"type":"LineString","coordinates":` + long(3000, func(i int) string { return map[bool]string{true: "[1]", false: plain(i)}[i == 1500] }) + `}`, false},
	} {
		_, err := parseFast([]byte(c.doc))
		if (err == nil) != c.fast {
			t.Errorf("%s: fast reader %v, want taken %v", name, err, c.fast)
		}
		checkFast(t, []byte(c.doc))
	}
}

// FuzzParseFast checks the fast reader against the exact one on mutated
// documents.
func FuzzParseFast(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) { checkFast(t, doc) })
}

func checkFast(t *testing.T, doc []byte) {
	t.Helper()
	fast, err := parseFast(doc)
	if err != nil {
		return // read the exact way
	}
	exact, err := parseExact(doc)
	if err != nil {
		t.Fatalf("%s: the fast reader took it, the exact one says %v", doc, err)
	}
	if !reflect.DeepEqual(fast, exact) {
		t.Fatalf("%s:\nfast  %#v\nexact %#v", doc, fast, exact)
	}
}

func BenchmarkParseAlignment1500(b *testing.B) {
	var doc []byte
	doc = append(doc, `{"type":"LineString","coordinates":[`...)
	for i := range 1500 {
		if i > 0 {
			doc = append(doc, ',')
		}
		t := float64(i) / 1499
		doc = fmt.Appendf(doc, "[%v,%v]", 81.95+1.45*t, 23.98+0.12*t+0.02*math.Sin(t*37))
	}
	doc = append(doc, "]}"...)
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			if _, err := ParseGeoJSON(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			if _, err := parseExact(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// FuzzNumber checks number against strconv.ParseFloat: the same value, bit
// for bit, and the same end, for every JSON number.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "81.95096731154103", "24.300000000000001", "1e22", "1e23", "123456789012345678901234", "0.000001234", "-1.5E-7", "4.9e-324", "1.7976931348623157e308", "9007199254740993"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, end, ok := number([]byte(s), 0)
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s[:end], 64)
		if err != nil {
			t.Fatalf("number(%q) = %v, but ParseFloat(%q): %v", s, got, s[:end], err)
		}
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("number(%q) = %v (end %d), ParseFloat %v", s, got, end, want)
		}
	})
}

// TestNumberMatchesParseFloat checks number on random coordinates printed
// the ways GIS tools print them (shortest, fixed to 6–17 decimals,
// exponents).
func TestNumberMatchesParseFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(20261205, 7))
	for k := 0; k < 200000; k++ {
		x := (rng.Float64() - 0.5) * 360
		var s string
		switch k % 4 {
		case 0:
			s = strconv.FormatFloat(x, 'g', -1, 64)
		case 1:
			s = strconv.FormatFloat(x, 'f', 6+rng.IntN(12), 64)
		case 2:
			s = strconv.FormatFloat(x*math.Pow10(rng.IntN(40)-20), 'e', -1, 64)
		default:
			s = strconv.FormatFloat(math.Round(x*1e7)/1e7, 'f', -1, 64)
		}
		got, end, ok := number([]byte(s), 0)
		want, _ := strconv.ParseFloat(s, 64)
		if !ok || end != len(s) || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("number(%q) = %v, %d, %v; ParseFloat %v", s, got, end, ok, want)
		}
	}
}
