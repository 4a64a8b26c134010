// Command biglines writes a GeoJSON FeatureCollection of long transmission
// lines over India, deterministic for a seed, for the benchmarks of large
// line layers (bench/biglines/run.sh):
//
//	go run ./bench/biglines -n 80000 -vertices 700 > lines.geojson
//
// Each line is a random walk with a slowly turning heading, from a random
// start inside India's bounding box (turning back at its edge), its vertices a tower span apart
// (300–450 m), so that a line of 700 vertices runs about 260 km; its
// attributes are a transmission line's: name, voltage, owner, circuits.
// Coordinates are written in full (shortest exact) precision, as
// converters emit them: 80,000 lines of 700 vertices make about 2.2 GB.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
)

func main() {
	n := flag.Int("n", 80000, "lines")
	verts := flag.Int("vertices", 700, "mean vertices per line (uniform in half to one and a half times)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	rng := rand.New(rand.NewPCG(*seed, 11))
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	owners := []string{"PGCIL", "NTPC", "MSETCL", "OPTCL", "CSPTCL", "MPPTCL", "UPPTCL", "JUSNL", "WBSETCL", "TANTRANSCO"}
	volts := []int{132, 220, 400, 765}
	w.WriteString(`{"type":"FeatureCollection","features":[`)
	buf := make([]byte, 0, 64<<10)
	for i := range *n {
		if i > 0 {
			w.WriteByte(',')
		}
		nv := *verts/2 + rng.IntN(*verts+1)
		lon, lat := 70+rng.Float64()*26, 9+rng.Float64()*25
		h := rng.Float64() * 2 * math.Pi
		buf = buf[:0]
		buf = fmt.Appendf(buf, `{"type":"Feature","id":"TL-%d","properties":{"name":"Line %d","voltage_kv":%d,"owner":%q,"circuits":%d},`,
			i+1, i+1, volts[i%len(volts)], owners[i%len(owners)], 1+i%2)
		buf = append(buf, `"geometry":{"type":"LineString","coordinates":[`...)
		for k := range nv {
			if k > 0 {
				buf = append(buf, ',')
				h += (rng.Float64() - 0.5) * 0.15
				span := (0.30 + 0.15*rng.Float64()) / 111.0
				x, y := lon+span*math.Cos(h)/math.Cos(lat*math.Pi/180), lat+span*math.Sin(h)
				if x < 68.5 || x > 97.5 || y < 6.5 || y > 37.5 {
					// Turn back at the edge of India's box.
					h += math.Pi
					x, y = lon+span*math.Cos(h)/math.Cos(lat*math.Pi/180), lat+span*math.Sin(h)
				}
				lon, lat = x, y
			}
			buf = append(buf, '[')
			buf = strconv.AppendFloat(buf, lon, 'f', -1, 64)
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, lat, 'f', -1, 64)
			buf = append(buf, ']')
		}
		buf = append(buf, "]}}"...)
		w.Write(buf)
	}
	w.WriteString("]}\n")
}
