package geo

import (
	"container/heap"
	"context"
	"math"

	"github.com/paulmach/orb"
)

// graph is the visibility graph of one search region, found lazily. The
// search is A* with the geodesic distance still to go, times the least a
// metre can cost, as its heuristic — a lower bound of the cost to go, and
// consistent. A node's candidate edges (to the nodes tangent to the
// widened obstacles at both ends) are listed when the search first settles
// it; an edge is tested for visibility and measured for the soft costs only
// when the search pops it, having queued it with its length times that
// least cost, a lower bound of its weight (lazy A*). A route through an
// edge never popped would cost more than the route found, so the answer is
// the optimum of the whole graph while most of it is never built: the
// visibility tests and the soft costs' lookups are the planner's costly
// work.
type graph struct {
	ctx   context.Context
	s     *RouteSpace
	field *CostField
	cost  *CostModel
	pts   []orb.Point // planar
	ll    []orb.Point // EPSG:4326
	nodes []*spaceNode
	term  []int // terminal i is node term[i]
	adj   [][]half
	edges []gEdge
	done  []bool      // the node's edges are known
	rest  []float64   // rest[i]: geodesic length from terminal i to the last through the others
	h     [][]float64 // h[leg][v]: the heuristic, filled as needed (NaN: not yet)
	unit  float64     // the least a metre of route costs
}

type half struct {
	to, edge int32
}

type gEdge struct {
	a, b  int32
	lenM  float64 // geodesic
	state uint8   // edgeUnknown, edgeVisible or edgeBlocked
	w     float64 // the weight, once known
	terms EdgeTerms
}

// The states of an edge.
const (
	edgeUnknown = iota
	edgeVisible
	edgeBlocked
)

// newGraph takes as nodes the terminals and the corners in the search
// region: the points whose planar distances to consecutive terminals i,
// i+1 sum to at most budget/shrink less the other legs' straight lengths
// (all corners when whole).
func (s *RouteSpace) newGraph(ctx context.Context, tp, tll []orb.Point, budget float64, whole bool, field *CostField, cost *CostModel, unit float64) *graph {
	g := &graph{ctx: ctx, s: s, field: field, cost: cost, unit: unit}
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
			bi := budget/s.shrink - (total - dp[i])
			if math.Hypot(q[0]-tp[i][0], q[1]-tp[i][1])+math.Hypot(q[0]-tp[i+1][0], q[1]-tp[i+1][1]) <= bi {
				return true
			}
		}
		return false
	}
	for i, t := range tp {
		g.term = append(g.term, len(g.pts))
		g.pts = append(g.pts, t)
		g.ll = append(g.ll, tll[i])
		g.nodes = append(g.nodes, nil)
	}
	for i := range s.corners {
		c := &s.corners[i]
		if inRegion(c.p) {
			g.pts = append(g.pts, c.p)
			g.ll = append(g.ll, s.proj.Inverse(c.p))
			g.nodes = append(g.nodes, c)
		}
	}
	n := len(g.pts)
	g.adj = make([][]half, n)
	g.done = make([]bool, n)
	g.rest = make([]float64, len(tll))
	for i := len(tll) - 2; i >= 0; i-- {
		g.rest[i] = g.rest[i+1] + DistanceGeodesic(tll[i], tll[i+1])
	}
	g.h = make([][]float64, legs)
	for leg := range g.h {
		g.h[leg] = make([]float64, n)
		for v := range g.h[leg] {
			g.h[leg][v] = math.NaN()
		}
	}
	return g
}

// expand lists the candidate edges of node v to the nodes whose edges are
// not yet listed: those tangent to the widened obstacles at both ends (the
// reduced visibility graph), not yet tested for visibility.
func (g *graph) expand(v int) {
	if g.done[v] {
		return
	}
	g.done[v] = true
	pv, nv := g.pts[v], g.nodes[v]
	for w := range g.pts {
		if g.done[w] || g.pts[w] == pv {
			continue
		}
		if nv != nil && !nv.tangentAt(g.pts[w]) {
			continue
		}
		if nw := g.nodes[w]; nw != nil && !nw.tangentAt(pv) {
			continue
		}
		id := int32(len(g.edges))
		g.edges = append(g.edges, gEdge{a: int32(v), b: int32(w), lenM: DistanceGeodesic(g.ll[v], g.ll[w])})
		g.adj[v] = append(g.adj[v], half{int32(w), id})
		g.adj[w] = append(g.adj[w], half{int32(v), id})
	}
}

// evaluate tests edge e for visibility and, when visible, measures its
// terms and weight; it reports whether the edge is visible.
func (g *graph) evaluate(e int32) bool {
	ed := &g.edges[e]
	if ed.state == edgeUnknown {
		a, b := g.pts[ed.a], g.pts[ed.b]
		ed.state = edgeBlocked
		if g.s.visible(a, b) {
			ed.terms = g.field.terms(a, b, ed.lenM)
			ed.w, ed.state = ed.terms.Cost(g.cost), edgeVisible
		}
	}
	return ed.state == edgeVisible
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
	key   float64 // cost so far + heuristic
	d     float64 // cost so far: exact, or a lower bound through edge
	edge  int32   // ≥ 0: a lower bound through this edge, not yet evaluated
	from  float64 // with edge: the exact cost to the edge's start
}

type pq []pqItem

func (q pq) Len() int                  { return len(q) }
func (q pq) Less(i, j int) bool        { return q[i].key < q[j].key }
func (q pq) Swap(i, j int)             { q[i], q[j] = q[j], q[i] }
func (q *pq) Push(x any)               { *q = append(*q, x.(pqItem)) }
func (q *pq) Pop() any                 { o := *q; x := o[len(o)-1]; *q = o[:len(o)-1]; return x }
func (g *graph) isTerminal(v int) bool { return v < len(g.term) }

// heuristic is a lower bound of the cost from node v on leg leg to the
// last terminal: the geodesic distance to the leg's end and the legs after
// it, times the least a metre costs.
func (g *graph) heuristic(v, leg int) float64 {
	h := g.h[leg][v]
	if math.IsNaN(h) {
		h = g.unit * (DistanceGeodesic(g.ll[v], g.ll[g.term[leg+1]]) + g.rest[leg+1])
		g.h[leg][v] = h
	}
	return h
}

// shortest runs A* over (node, leg) states: the path visits the terminals
// in order; entering a corner costs an angle point. Edges in removed are
// left out. It gives up, finding nothing, when the graph's context ends.
func (g *graph) shortest(removed map[int32]bool) (gPath, bool) {
	n := len(g.pts)
	legs := len(g.term) - 1
	angle := 0.0
	if g.cost != nil {
		angle = g.cost.AngleM
	}
	states := n * legs
	dist := make([]float64, states)
	prev := make([]int32, states)
	via := make([]int32, states)
	closed := make([]bool, states)
	for i := range dist {
		dist[i] = math.Inf(1)
		prev[i] = -1
	}
	start := g.term[0]
	dist[start] = 0
	h := &pq{{state: start, key: g.heuristic(start, 0), edge: -1}}
	// reach records an exact cost d to state ns, from state from by edge.
	reach := func(ns, from int, edge int32, d float64) {
		if d < dist[ns] {
			dist[ns] = d
			prev[ns] = int32(from)
			via[ns] = edge
			heap.Push(h, pqItem{state: ns, key: d + g.heuristic(ns%n, ns/n), d: d, edge: -1})
		}
	}
	goal := -1
	for pops := 0; h.Len() > 0; pops++ {
		it := heap.Pop(h).(pqItem)
		if pops%256 == 0 && g.ctx.Err() != nil {
			return gPath{}, false
		}
		if it.edge >= 0 {
			// A lower bound through an edge: evaluate it, queue the exact cost.
			if closed[it.state] || !g.evaluate(it.edge) {
				continue
			}
			ed := &g.edges[it.edge]
			v, leg := it.state%n, it.state/n
			from := leg*n + int(ed.a)
			if int(ed.a) == v {
				from = leg*n + int(ed.b)
			}
			w := ed.w
			if !g.isTerminal(v) {
				w += angle
			}
			reach(it.state, from, it.edge, it.from+w)
			continue
		}
		if closed[it.state] || it.d > dist[it.state] {
			continue
		}
		closed[it.state] = true
		v, leg := it.state%n, it.state/n
		if v == g.term[leg+1] {
			if leg+1 == legs {
				goal = it.state
				break
			}
			reach((leg+1)*n+v, it.state, -1, it.d)
		}
		g.expand(v)
		for _, e := range g.adj[v] {
			ns := leg*n + int(e.to)
			if removed[e.edge] || closed[ns] {
				continue
			}
			ed := &g.edges[e.edge]
			switch ed.state {
			case edgeBlocked:
				continue
			case edgeVisible:
				w := ed.w
				if !g.isTerminal(int(e.to)) {
					w += angle
				}
				reach(ns, it.state, e.edge, it.d+w)
			default:
				lb := it.d + g.unit*ed.lenM
				if !g.isTerminal(int(e.to)) {
					lb += angle
				}
				if lb < dist[ns] {
					heap.Push(h, pqItem{state: ns, key: lb + g.heuristic(int(e.to), leg), d: lb, edge: e.edge, from: it.d})
				}
			}
		}
	}
	if goal < 0 {
		return gPath{}, false
	}
	var p gPath
	p.cost = dist[goal]
	for st := goal; st >= 0; st = int(prev[st]) {
		if prev[st] >= 0 && via[st] >= 0 {
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

// enclosed names the terminal from which the least of the graph is
// reachable, on the first leg with no route (every edge evaluated).
func (g *graph) enclosed() int {
	for v := range g.pts {
		g.expand(v)
	}
	for e := range g.edges {
		g.evaluate(int32(e))
	}
	reach := func(v int) map[int]bool {
		seen := map[int]bool{v: true}
		stack := []int{v}
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, e := range g.adj[u] {
				if g.edges[e.edge].state == edgeVisible && !seen[int(e.to)] {
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
