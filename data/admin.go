package data

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// The administrative layers tessellate the coal belt (78–88.5°E, 17–26°N) on a
// lattice of 0.25° cells whose edges are drawn as wiggly lines. Districts are
// 0.5° blocks of four cells, states are unions of districts after stateMap;
// neighbours share their edges vertex for vertex, so the layers have neither
// gaps nor overlaps.

const (
	latticeWest  = 78.0
	latticeSouth = 17.0
	latticeStep  = 0.25
	latticeNX    = 42
	latticeNY    = 36
	edgeVertices = 300 // per 0.25° lattice edge
)

// stateMap gives the state of each 0.5° district cell, north (26°N) to south,
// west (78°E) to east; '.' is sea. Coarse, but every coalfield falls in its
// real state.
var stateMap = []string{
	"UUUUUUUUUUUBBBBBBBBBB",
	"MUUUUUUUUUUBBBBBBBBWW",
	"MMMMMMMMUUUBBBBBBBJJW",
	"MMMMMMMMMMUJJJJJJJJJW",
	"MMMMMMMMMMCJJJJJJJWWW",
	"MMMMMMMMCCCCJJJJJWWWW",
	"MMMMMMMCCCCCCJJJJWWWW",
	"MMMMMCCCCCCOOOJJJWWWW",
	"MMMMMCCCCCCOOOOOOOWWW",
	"HHHHHCCCCCCOOOOOOO...",
	"HHHHHCCCCOOOOOOOOO...",
	"HHHHHCCCCOOOOOOOO....",
	"HHHHHCCCCOOOOOOO.....",
	"TTTHHCCCCOOOOO.......",
	"TTTTTCCCOOOOO........",
	"TTTTTCCOOAAA.........",
	"TTTTTTAAAAA..........",
	"TTTTTTAAAA...........",
}

var stateNames = map[byte][2]string{
	'U': {"Uttar Pradesh", "उत्तर प्रदेश"},
	'B': {"Bihar", "बिहार"},
	'M': {"Madhya Pradesh", "मध्य प्रदेश"},
	'C': {"Chhattisgarh", "छत्तीसगढ़"},
	'J': {"Jharkhand", "झारखंड"},
	'W': {"West Bengal", "पश्चिम बंगाल"},
	'O': {"Odisha", "ओडिशा"},
	'H': {"Maharashtra", "महाराष्ट्र"},
	'T': {"Telangana", "तेलंगाना"},
	'A': {"Andhra Pradesh", "आंध्र प्रदेश"},
}

var stateCodes = map[byte]string{
	'U': "UP", 'B': "BR", 'M': "MP", 'C': "CG", 'J': "JH", 'W': "WB", 'O': "OD", 'H': "MH", 'T': "TS", 'A': "AP",
}

// stateAt returns the state code letter at p, or 0 outside the lattice or at sea.
func stateAt(p orb.Point) byte {
	c := int(math.Floor((p[0] - latticeWest) / (2 * latticeStep)))
	r := int(math.Floor((latticeSouth + latticeNY*latticeStep - p[1]) / (2 * latticeStep)))
	if r < 0 || r >= len(stateMap) || c < 0 || c >= len(stateMap[r]) || stateMap[r][c] == '.' {
		return 0
	}
	return stateMap[r][c]
}

// stateName returns the state's English name at p ("" outside the lattice).
func stateName(p orb.Point) string {
	if s := stateAt(p); s != 0 {
		return stateNames[s][0]
	}
	return ""
}

// lattice draws and remembers the wiggly edges of one generation run.
type lattice struct {
	seed  int64
	edges map[[3]int][]orb.Point // {dir, i, j} → interior points from (i,j)
}

func newLattice(seed int64) *lattice { return &lattice{seed: seed, edges: map[[3]int][]orb.Point{}} }

func (l *lattice) node(i, j int) orb.Point {
	return orb.Point{latticeWest + float64(i)*latticeStep, latticeSouth + float64(j)*latticeStep}
}

// edge returns the interior points of the edge from node (i,j) east (dir 0)
// or north (dir 1). Offsets stay within the edge's diamond (|offset| <
// min(t, 1−t)·length), so edges meet only at nodes.
func (l *lattice) edge(dir, i, j int) []orb.Point {
	k := [3]int{dir, i, j}
	if e, ok := l.edges[k]; ok {
		return e
	}
	r := newRNG(l.seed, fmt.Sprintf("edge/%d/%d/%d", dir, i, j))
	w := newWiggle(r, 5, true)
	amp := 0.09 * latticeStep // × π·|noise| ≤ 0.29 of the edge: inside the diamond
	a := l.node(i, j)
	pts := make([]orb.Point, 0, edgeVertices)
	ws := w.sampler(edgeVertices)
	for s := 1; s < edgeVertices; s++ {
		t := float64(s) / edgeVertices
		off := amp * ws.next()
		if dir == 0 {
			pts = append(pts, orb.Point{round6(a[0] + t*latticeStep), round6(a[1] + off)})
		} else {
			pts = append(pts, orb.Point{round6(a[0] + off), round6(a[1] + t*latticeStep)})
		}
	}
	l.edges[k] = pts
	return pts
}

// regionPolygons traces the boundary of a set of lattice cells and returns it
// as polygons (anticlockwise shells, clockwise holes).
func (l *lattice) regionPolygons(in func(i, j int) bool) orb.MultiPolygon {
	type node = [2]int
	type dedge struct{ from, to node }
	out := map[node][]node{}
	for i := 0; i < latticeNX; i++ {
		for j := 0; j < latticeNY; j++ {
			if !in(i, j) {
				continue
			}
			// anticlockwise round the cell, keeping the sides that face out
			if !in(i, j-1) {
				out[node{i, j}] = append(out[node{i, j}], node{i + 1, j})
			}
			if !in(i+1, j) {
				out[node{i + 1, j}] = append(out[node{i + 1, j}], node{i + 1, j + 1})
			}
			if !in(i, j+1) {
				out[node{i + 1, j + 1}] = append(out[node{i + 1, j + 1}], node{i, j + 1})
			}
			if !in(i-1, j) {
				out[node{i, j + 1}] = append(out[node{i, j + 1}], node{i, j})
			}
		}
	}
	// Start nodes in a fixed order so the output is deterministic.
	var starts []node
	for i := 0; i <= latticeNX; i++ {
		for j := 0; j <= latticeNY; j++ {
			if len(out[node{i, j}]) > 0 {
				starts = append(starts, node{i, j})
			}
		}
	}
	var shells, holes []orb.Ring
	for _, s := range starts {
		for len(out[s]) > 0 {
			var nodes []node
			cur, prev := s, node{}
			first := true
			for {
				cands := out[cur]
				if len(cands) == 0 {
					break
				}
				k := 0
				if len(cands) > 1 && !first {
					k = sharpestLeft(prev, cur, cands)
				}
				next := cands[k]
				out[cur] = append(cands[:k:k], cands[k+1:]...)
				nodes = append(nodes, cur)
				prev, cur, first = cur, next, false
				if cur == s {
					break
				}
			}
			ring := l.ringThrough(nodes)
			if ringAreaDeg(ring) > 0 {
				shells = append(shells, ring)
			} else {
				holes = append(holes, ring)
			}
		}
	}
	mp := make(orb.MultiPolygon, len(shells))
	for i, s := range shells {
		mp[i] = orb.Polygon{s}
	}
	for _, h := range holes {
		for i := range mp {
			if ringContainsRing(mp[i][0], h) {
				mp[i] = append(mp[i], h)
				break
			}
		}
	}
	return mp
}

// sharpestLeft picks, among the edges leaving cur, the one that turns most to
// the left after arriving from prev: it keeps rings that touch at a node apart.
func sharpestLeft(prev, cur [2]int, cands [][2]int) int {
	dx, dy := cur[0]-prev[0], cur[1]-prev[1]
	best, bestScore := 0, -10
	for k, c := range cands {
		ex, ey := c[0]-cur[0], c[1]-cur[1]
		cross := dx*ey - dy*ex
		dot := dx*ex + dy*ey
		score := 0
		switch {
		case cross > 0:
			score = 2 // left
		case dot > 0:
			score = 1 // straight
		case cross < 0:
			score = 0 // right
		}
		if score > bestScore {
			best, bestScore = k, score
		}
	}
	return best
}

// ringThrough expands a closed chain of lattice nodes into a ring with the
// edges' wiggles.
func (l *lattice) ringThrough(nodes [][2]int) orb.Ring {
	ring := make(orb.Ring, 0, len(nodes)*edgeVertices+1)
	for k, a := range nodes {
		b := nodes[(k+1)%len(nodes)]
		ring = append(ring, l.node(a[0], a[1]))
		switch {
		case b[0] == a[0]+1:
			ring = append(ring, l.edge(0, a[0], a[1])...)
		case b[0] == a[0]-1:
			ring = appendReversed(ring, l.edge(0, b[0], b[1]))
		case b[1] == a[1]+1:
			ring = append(ring, l.edge(1, a[0], a[1])...)
		default:
			ring = appendReversed(ring, l.edge(1, b[0], b[1]))
		}
	}
	return append(ring, ring[0])
}

func appendReversed(dst, src []orb.Point) []orb.Point {
	for i := len(src) - 1; i >= 0; i-- {
		dst = append(dst, src[i])
	}
	return dst
}

// ringContainsRing reports whether inner's first vertex lies in outer (the
// traced rings never cross).
func ringContainsRing(outer, inner orb.Ring) bool {
	p := inner[0]
	in := false
	for i, j := 0, len(outer)-1; i < len(outer); j, i = i, i+1 {
		a, b := outer[i], outer[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// districtCell is one 0.5° district of the lattice.
type districtCell struct {
	c, r   int // column from the west, row from the north, in stateMap
	state  byte
	name   string
	nameHi string
	hq     orb.Point
}

// districtCells lists the districts, west to east, north to south. A cell that
// holds a real district headquarters takes its name; the others get a
// generated one.
func districtCells(seed int64) []districtCell {
	r := newRNG(seed, "districts")
	var out []districtCell
	used := map[string]bool{}
	for row, line := range stateMap {
		for col := 0; col < len(line); col++ {
			if line[col] == '.' {
				continue
			}
			d := districtCell{c: col, r: row, state: line[col]}
			west := latticeWest + float64(col)*2*latticeStep
			north := latticeSouth + latticeNY*latticeStep - float64(row)*2*latticeStep
			for _, h := range districtHQs {
				if h.At[0] >= west && h.At[0] < west+0.5 && h.At[1] < north && h.At[1] >= north-0.5 && !used[h.Name] {
					d.name, d.nameHi, d.hq = h.Name, h.NameHi, h.At
					used[h.Name] = true
					break
				}
			}
			if d.name == "" {
				for {
					d.name, d.nameHi = placeName(r)
					if !used[d.name] {
						break
					}
				}
				used[d.name] = true
				d.hq = orb.Point{round6(west + r.between(0.15, 0.35)), round6(north - r.between(0.15, 0.35))}
			}
			out = append(out, d)
		}
	}
	return out
}

// in reports whether lattice cell (i, j) belongs to the district.
func (d districtCell) in(i, j int) bool {
	return i/2 == d.c && (latticeNY-1-j)/2 == d.r && i >= 0 && j >= 0 && i < latticeNX && j < latticeNY
}

// stateCells reports whether lattice cell (i, j) lies in state s.
func stateCells(s byte) func(i, j int) bool {
	return func(i, j int) bool {
		if i < 0 || j < 0 || i >= latticeNX || j >= latticeNY {
			return false
		}
		return stateMap[(latticeNY-1-j)/2][i/2] == s
	}
}

// stateOrder lists the state codes in a fixed order.
func stateOrder() []byte {
	var out []byte
	seen := map[byte]bool{}
	for _, line := range stateMap {
		for i := 0; i < len(line); i++ {
			if c := line[i]; c != '.' && !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// slug turns a name into a feature id.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
