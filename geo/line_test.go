package geo

import (
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestPrepareLineErrors(t *testing.T) {
	long := make(orb.LineString, 11)
	for i := range long {
		long[i] = orb.Point{82 + float64(i)*0.01, 23}
	}
	tests := []struct {
		name  string
		g     orb.Geometry
		limit int
		want  error
		part  int
	}{
		{"nil", nil, 0, ErrEmpty, -1},
		{"point", orb.Point{82, 23}, 0, ErrNotLine, -1},
		{"polygon", orb.Polygon{box(82, 23, 83, 24)}, 0, ErrNotLine, -1},
		{"empty-linestring", orb.LineString{}, 0, ErrEmpty, -1},
		{"empty-multilinestring", orb.MultiLineString{}, 0, ErrEmpty, -1},
		{"one-vertex", orb.LineString{{82, 23}}, 0, ErrEmpty, 0},
		{"empty-second-part", orb.MultiLineString{{{82, 23}, {83, 23}}, {}}, 0, ErrEmpty, 1},
		{"zero-length", orb.LineString{{82, 23}, {82, 23}, {82, 23}}, 0, ErrZeroLength, 0},
		{"zero-length-part", orb.MultiLineString{{{82, 23}, {83, 23}}, {{82, 23}, {82, 23}}}, 0, ErrZeroLength, 1},
		{"lon-out-of-range", orb.LineString{{82, 23}, {182, 23}}, 0, ErrOutOfRange, 0},
		{"lat-out-of-range", orb.LineString{{82, 23}, {82, -91}}, 0, ErrOutOfRange, 0},
		{"nan", orb.LineString{{82, 23}, {math.NaN(), 23}}, 0, ErrOutOfRange, 0},
		{"too-many-vertices", long, 10, ErrTooManyVertices, -1},
		{"segment-over-180-degrees", orb.LineString{{-100, 23}, {82, 23}}, 0, ErrWideSegment, 0},
		{"at-the-limit", long, 11, nil, 0},
		{"self-crossing-allowed", orb.LineString{{82, 23}, {82.1, 23.1}, {82.1, 23}, {82, 23.1}}, 0, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := PrepareLine(tt.g, tt.limit)
			if tt.want == nil {
				if err != nil || l == nil {
					t.Fatalf("PrepareLine: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var le *LineError
			if !errors.As(err, &le) || le.Part != tt.part {
				t.Errorf("err = %#v, want part %d", err, tt.part)
			}
			if l != nil {
				t.Errorf("got a line with an error")
			}
		})
	}
}

func TestPreparedLineChainage(t *testing.T) {
	ml := orb.MultiLineString{{{82, 23}, {82.1, 23}, {82.1, 23}}, {{82.2, 23}, {82.2, 23.1}}}
	l := mustLine(t, ml)
	want := d(orb.Point{82, 23}, orb.Point{82.1, 23}) + d(orb.Point{82.2, 23}, orb.Point{82.2, 23.1})
	if math.Abs(l.LengthGeodesic()-want) > 1e-6 {
		t.Errorf("length = %.6f, want %.6f", l.LengthGeodesic(), want)
	}
	if got := l.Geometry().(orb.MultiLineString); len(got[0]) != 2 {
		t.Errorf("duplicate vertex kept: %v", got)
	}
	if l.Closed() || l.NumVertices() != 5 {
		t.Errorf("Closed = %v, NumVertices = %d", l.Closed(), l.NumVertices())
	}
}

func TestMinDistanceGeodesic(t *testing.T) {
	p := PreparePolygon(block)
	holed := PreparePolygon(orb.MultiPolygon{{box(82.30, 23.90, 82.32, 23.92), box(82.305, 23.905, 82.315, 23.915)}})
	north := d(orb.Point{82.31, 23.92}, orb.Point{82.31, 23.9209})
	inHole := d(orb.Point{82.31, 23.915}, orb.Point{82.31, 23.914})
	tests := []struct {
		name   string
		p      *PreparedPolygon
		line   orb.LineString
		within float64
		want   float64
		ok     bool
	}{
		{"parallel-north", p, orb.LineString{{82.29, 23.9209}, {82.33, 23.9209}}, 200, north, true},
		{"parallel-north-beyond", p, orb.LineString{{82.29, 23.9209}, {82.33, 23.9209}}, 50, math.Inf(1), false},
		{"crossing", p, orb.LineString{{82.29, 23.91}, {82.33, 23.91}}, 0, 0, true},
		{"touching-vertex", p, orb.LineString{{82.31, 23.93}, {82.33, 23.91}}, 0, 0, true},
		{"inside", p, orb.LineString{{82.305, 23.91}, {82.315, 23.91}}, 0, 0, true},
		{"inside-hole", holed, orb.LineString{{82.307, 23.914}, {82.313, 23.914}}, 500, inHole, true},
		{"corner-diagonal", p, orb.LineString{{82.3209, 23.9309}, {82.3309, 23.9209}}, 2000, sampledDistance(orb.Point{82.32, 23.92}, orb.Point{82.3209, 23.9309}, orb.Point{82.3309, 23.9209}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := MinDistanceGeodesic(mustLine(t, tt.line), tt.p, tt.within)
			if ok != tt.ok || (ok && math.Abs(got-tt.want) > 0.01+1e-4*tt.want) {
				t.Errorf("MinDistanceGeodesic = %.4f, %v; want %.4f, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// sampledDistance is the least geodesic distance from c to 100,000 points
// along the degree-straight segment ab.
func sampledDistance(c, a, b orb.Point) float64 {
	best := math.Inf(1)
	for i := 0; i <= 100000; i++ {
		best = math.Min(best, d(c, lerp(a, b, float64(i)/100000)))
	}
	return best
}
