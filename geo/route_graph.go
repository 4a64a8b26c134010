package geo

import (
	"container/heap"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/paulmach/orb"
)

// RouteProblem is what Plan is asked: routes through terminals in order
// (from, waypoints…, to; EPSG:4326) under a cost model.
type RouteProblem struct {
	Terminals []orb.Point
	// Cost is the soft cost model; nil means length alone.
	Cost *CostModel
	// K is the number of routes wanted, at least 1.
	K int
	// MaxShared bounds the length any two routes share, as a fraction of
	// the shorter one's length.
	MaxShared float64
	// MinSectionM is the shortest straight section between two angle
	// points that straightening aims for (0: none).
	MinSectionM float64
	// Slack widens the search region for alternatives: they are looked
	// for among routes costing up to (1 + Slack) times the best (0: 0.3).
	Slack float64
}

// PlannedRoute is one route Plan found.
type PlannedRoute struct {
	// Line is the route, densified along its great-circle sections to
	// vertices at most DensifyM apart so that its reading as straight in
	// degrees (PostGIS geometry) and as great-circle arcs (geography)
	// differ by under a centimetre.
	Line orb.LineString
	// Angles are the route's angle points (its vertices before
	// densifying, ends included).
	Angles orb.LineString
	// GraphCost is the route's cost on the graph, before straightening.
	GraphCost float64
	// GraphLengthM is its geodesic length before straightening.
	GraphLengthM float64
	// ShortSections counts sections still shorter than MinSectionM after
	// straightening (where no straighter route keeps the margin).
	ShortSections int
}

// NoRouteError says no route keeps the margin between two terminals; the
// terminal named is the one enclosed (the one from which less of the free
// space can be reached).
type NoRouteError struct {
	Terminal int
}

func (e *NoRouteError) Error() string {
	return fmt.Sprintf("%v: terminal %d is enclosed", ErrNoRoute, e.Terminal)
}

func (e *NoRouteError) Unwrap() error { return ErrNoRoute }

// TerminalError says a terminal does not keep the margin from a hard
// polygon.
type TerminalError struct{ Terminal int }

// ErrTerminalBlocked means a terminal lies within the margin of a hard
// polygon.
var ErrTerminalBlocked = errors.New("geo: terminal within the margin of a hard polygon")

func (e *TerminalError) Error() string {
	return fmt.Sprintf("%v: terminal %d", ErrTerminalBlocked, e.Terminal)
}

func (e *TerminalError) Unwrap() error { return ErrTerminalBlocked }

// DensifyM is the longest piece of a planned route's line.
const DensifyM = 1000.0

// graph is the visibility graph of one search region.
type graph struct {
	pts   []orb.Point // planar
	nodes []*spaceNode
	term  []int // terminal i is node term[i]
	adj   [][]half
	edges []gEdge
}

type half struct {
	to, edge int32
}

type gEdge struct {
	a, b  int32
	lenM  float64
	w     float64
	terms EdgeTerms
}

// Plan returns up to p.K routes through the terminals, best first, that keep
// the space's margin from every hard polygon, each the cheapest under the
// cost model on the visibility graph, alternatives sharing at most
// p.MaxShared of their length. See the package doc for the graph.
func (s *RouteSpace) Plan(p RouteProblem) ([]PlannedRoute, error) {
	if len(p.Terminals) < 2 {
		return nil, fmt.Errorf("geo: a route needs two terminals")
	}
	if p.K < 1 {
		p.K = 1
	}
	if p.Slack <= 0 {
		p.Slack = 0.3
	}
	tp := make([]orb.Point, len(p.Terminals))
	for i, t := range p.Terminals {
		q, ok := s.proj.Forward(t)
		if !ok || !s.clearPoint(q, s.margin*(1-1e-9)) {
			return nil, &TerminalError{Terminal: i}
		}
		tp[i] = q
	}
	field := newCostField(s.proj, p.Cost)
	bonus := 0.0
	if p.Cost != nil {
		for _, l := range p.Cost.Lines {
			bonus = math.Max(bonus, l.BonusPerM)
		}
	}
	straight := 0.0
	for i := 1; i < len(p.Terminals); i++ {
		straight += DistanceGeodesic(p.Terminals[i-1], p.Terminals[i])
	}
	shrink := s.shrink
	budget := 1.15*straight + 4*s.marginM
	whole := false
	for round := 0; ; round++ {
		g := s.buildGraph(tp, budget, shrink, whole, field, p.Cost)
		best, ok := g.shortest(p.Cost, nil)
		if !ok {
			if whole {
				return nil, &NoRouteError{Terminal: g.enclosed()}
			}
			budget *= 2
			if round >= 3 {
				whole = true
			}
			continue
		}
		// The best route's length is at most cost/(1−bonus): any route as
		// cheap lies in the region of that length.
		need := best.cost / (1 - bonus)
		if p.K > 1 {
			need *= 1 + p.Slack
		}
		if need > budget && !whole {
			budget = math.Max(need, budget*1.5)
			continue
		}
		paths := []gPath{best}
		if p.K > 1 {
			paths = g.alternatives(best, p)
		}
		out := make([]PlannedRoute, 0, len(paths))
		for _, path := range paths {
			out = append(out, s.finish(g, path, p))
		}
		return out, nil
	}
}

// buildGraph links the terminals and the corners in the search region: the
// points whose planar distances to consecutive terminals i, i+1 sum to at
// most budget/shrink less the other legs' straight lengths.
func (s *RouteSpace) buildGraph(tp []orb.Point, budget, shrink float64, whole bool, field *costField, cost *CostModel) *graph {
	g := &graph{}
	legs := len(tp) - 1
	dp := make([]float64, legs)
	total := 0.0
	for i := 0; i < legs; i++ {
		dp[i] = math.Hypot(tp[i+1][0]-tp[i][0], tp[i+1][1]-tp[i][1])
		total += dp[i]
	}
	inRegion := func(q orb.Point) bool {
		if whole {
			return true
		}
		for i := 0; i < legs; i++ {
			bi := budget/shrink - (total - dp[i])
			if math.Hypot(q[0]-tp[i][0], q[1]-tp[i][1])+math.Hypot(q[0]-tp[i+1][0], q[1]-tp[i+1][1]) <= bi {
				return true
			}
		}
		return false
	}
	for _, t := range tp {
		g.term = append(g.term, len(g.pts))
		g.pts = append(g.pts, t)
		g.nodes = append(g.nodes, nil)
	}
	for i := range s.corners {
		c := &s.corners[i]
		if inRegion(c.p) {
			g.pts = append(g.pts, c.p)
			g.nodes = append(g.nodes, c)
		}
	}
	n := len(g.pts)
	g.adj = make([][]half, n)
	workers := runtime.GOMAXPROCS(0)
	results := make([][]gEdge, workers)
	var wg sync.WaitGroup
	var next sync.Mutex
	row := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				next.Lock()
				i := row
				row++
				next.Unlock()
				if i >= n {
					return
				}
				pi, ni := g.pts[i], g.nodes[i]
				for j := i + 1; j < n; j++ {
					pj, nj := g.pts[j], g.nodes[j]
					if pi == pj {
						continue
					}
					if ni != nil && !ni.tangentAt(pj) {
						continue
					}
					if nj != nil && !nj.tangentAt(pi) {
						continue
					}
					if !s.visible(pi, pj) {
						continue
					}
					l := DistanceGeodesic(s.proj.Inverse(pi), s.proj.Inverse(pj))
					t := field.terms(pi, pj, l)
					results[w] = append(results[w], gEdge{a: int32(i), b: int32(j), lenM: l, w: t.Cost(cost), terms: t})
				}
			}
		}(w)
	}
	wg.Wait()
	for _, r := range results {
		for _, e := range r {
			id := int32(len(g.edges))
			g.edges = append(g.edges, e)
			g.adj[e.a] = append(g.adj[e.a], half{e.b, id})
			g.adj[e.b] = append(g.adj[e.b], half{e.a, id})
		}
	}
	return g
}

// gPath is a path on the graph: nodes, the edges between them, its cost.
type gPath struct {
	nodes []int32
	edges []int32
	cost  float64
	lenM  float64
}

type pqItem struct {
	state int
	d     float64
}

type pq []pqItem

func (q pq) Len() int                  { return len(q) }
func (q pq) Less(i, j int) bool        { return q[i].d < q[j].d }
func (q pq) Swap(i, j int)             { q[i], q[j] = q[j], q[i] }
func (q *pq) Push(x any)               { *q = append(*q, x.(pqItem)) }
func (q *pq) Pop() any                 { o := *q; x := o[len(o)-1]; *q = o[:len(o)-1]; return x }
func (g *graph) isTerminal(v int) bool { return v < len(g.term) }

// shortest runs Dijkstra over (node, leg) states: the path visits the
// terminals in order; entering a corner costs an angle point. Edges in
// removed are left out.
func (g *graph) shortest(cost *CostModel, removed []bool) (gPath, bool) {
	n := len(g.pts)
	legs := len(g.term) - 1
	angle := 0.0
	if cost != nil {
		angle = cost.AngleM
	}
	states := n * legs
	dist := make([]float64, states)
	prev := make([]int32, states)
	via := make([]int32, states)
	for i := range dist {
		dist[i] = math.Inf(1)
		prev[i] = -1
	}
	start := g.term[0]
	dist[start] = 0
	h := &pq{{start, 0}}
	goal := -1
	for h.Len() > 0 {
		it := heap.Pop(h).(pqItem)
		if it.d > dist[it.state] {
			continue
		}
		v, leg := it.state%n, it.state/n
		if v == g.term[leg+1] {
			if leg+1 == legs {
				goal = it.state
				break
			}
			ns := (leg+1)*n + v
			if it.d < dist[ns] {
				dist[ns] = it.d
				prev[ns] = int32(it.state)
				via[ns] = -1
				heap.Push(h, pqItem{ns, it.d})
			}
		}
		for _, e := range g.adj[v] {
			if removed != nil && removed[e.edge] {
				continue
			}
			w := g.edges[e.edge].w
			if !g.isTerminal(int(e.to)) {
				w += angle
			}
			ns := leg*n + int(e.to)
			if d := it.d + w; d < dist[ns] {
				dist[ns] = d
				prev[ns] = int32(it.state)
				via[ns] = e.edge
				heap.Push(h, pqItem{ns, d})
			}
		}
	}
	if goal < 0 {
		return gPath{}, false
	}
	var p gPath
	p.cost = dist[goal]
	for st := goal; st >= 0; st = int(prev[st]) {
		if via[st] >= 0 && prev[st] >= 0 {
			p.edges = append(p.edges, via[st])
			p.lenM += g.edges[via[st]].lenM
		}
		v := int32(st % n)
		if len(p.nodes) == 0 || p.nodes[len(p.nodes)-1] != v {
			p.nodes = append(p.nodes, v)
		}
		if prev[st] < 0 {
			break
		}
	}
	for i, j := 0, len(p.nodes)-1; i < j; i, j = i+1, j-1 {
		p.nodes[i], p.nodes[j] = p.nodes[j], p.nodes[i]
	}
	for i, j := 0, len(p.edges)-1; i < j; i, j = i+1, j-1 {
		p.edges[i], p.edges[j] = p.edges[j], p.edges[i]
	}
	return p, true
}

// shared returns the length two paths share (edges in common).
func (g *graph) shared(a, b gPath) float64 {
	in := map[int32]bool{}
	for _, e := range a.edges {
		in[e] = true
	}
	s := 0.0
	for _, e := range b.edges {
		if in[e] {
			s += g.edges[e].lenM
			delete(in, e)
		}
	}
	return s
}

// alternatives finds up to p.K paths, best first, any two sharing at most
// p.MaxShared of the shorter one's length, by the ESX method of
// Chondrogiannis et al. (k-shortest paths with limited overlap): for each
// new path, take the cheapest path of the graph; while it shares too much
// with a path already taken, remove from the graph the shared edge that the
// most taken paths use (the longest of those first) and search again.
func (g *graph) alternatives(best gPath, p RouteProblem) []gPath {
	out := []gPath{best}
	var cost *CostModel = p.Cost
	limit := best.cost * (1 + p.Slack)
	const maxRemovals = 400
	for len(out) < p.K {
		removed := make([]bool, len(g.edges))
		var found *gPath
		for it := 0; it < maxRemovals; it++ {
			cand, ok := g.shortest(cost, removed)
			if !ok || cand.cost > limit {
				break
			}
			worst := -1
			worstUse, worstLen := 0, 0.0
			okAll := true
			for _, q := range out {
				if g.shared(cand, q) > p.MaxShared*math.Min(cand.lenM, q.lenM)+1e-6 {
					okAll = false
					break
				}
			}
			if okAll {
				found = &cand
				break
			}
			for _, e := range cand.edges {
				use := 0
				for _, q := range out {
					for _, qe := range q.edges {
						if qe == e {
							use++
							break
						}
					}
				}
				if use == 0 {
					continue
				}
				if l := g.edges[e].lenM; use > worstUse || (use == worstUse && l > worstLen) {
					worst, worstUse, worstLen = int(e), use, l
				}
			}
			if worst < 0 {
				break
			}
			removed[worst] = true
		}
		if found == nil {
			break
		}
		out = append(out, *found)
	}
	return out
}

// enclosed names the terminal from which the least of the graph is
// reachable, on the first leg with no route.
func (g *graph) enclosed() int {
	reach := func(v int) map[int]bool {
		seen := map[int]bool{v: true}
		stack := []int{v}
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, e := range g.adj[u] {
				if !seen[int(e.to)] {
					seen[int(e.to)] = true
					stack = append(stack, int(e.to))
				}
			}
		}
		return seen
	}
	for i := 0; i+1 < len(g.term); i++ {
		a := reach(g.term[i])
		if a[g.term[i+1]] {
			continue
		}
		b := reach(g.term[i+1])
		if len(b) < len(a) {
			return i + 1
		}
		return i
	}
	return 0
}
