package geo

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// RouteProblem is what Plan is asked: routes through terminals in order
// (from, waypoints…, to; EPSG:4326) under a cost model.
type RouteProblem struct {
	Terminals []orb.Point
	// Cost is the soft cost model; nil means length alone.
	Cost *CostModel
	// Field is Cost drawn on the space's plane (NewCostField with the
	// space's Projection), when the caller has one; else Plan draws it.
	Field *CostField
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

// Plan returns up to p.K routes through the terminals, best first, that keep
// the space's margin from every hard polygon, each the cheapest under the
// cost model on the visibility graph, alternatives sharing at most
// p.MaxShared of their length. See the package doc for the graph. It stops
// with ctx's error when ctx ends.
func (s *RouteSpace) Plan(ctx context.Context, p RouteProblem) ([]PlannedRoute, error) {
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
	field := p.Field
	if field == nil || field.proj != s.proj || field.model != p.Cost {
		field = NewCostField(s.proj, p.Cost)
	}
	// A metre of route costs at least 1 − bonus: the bonuses of all the
	// parallel line sets could be earned at once.
	bonus := 0.0
	if p.Cost != nil {
		for _, l := range p.Cost.Lines {
			bonus += l.BonusPerM
		}
	}
	if bonus >= 1 {
		return nil, fmt.Errorf("geo: the parallel bonuses add up to %g per metre: a route would earn more than it costs", bonus)
	}
	straight := 0.0
	for i := 1; i < len(p.Terminals); i++ {
		straight += DistanceGeodesic(p.Terminals[i-1], p.Terminals[i])
	}
	// The search region: the corners through which a route is no longer
	// than budget. A first guess, grown until a route is found; then the
	// best route's cost bounds every cheaper route's length, and the region
	// is made to hold them all (and, for alternatives, those within the
	// slack). The graph's edges are found only from the corners the search
	// reaches (see graph).
	budget := 1.05*straight + 4*s.marginM
	whole := false
	var g *graph
	build := func(b float64) {
		budget = b
		g = s.newGraph(ctx, tp, p.Terminals, budget, whole, field, p.Cost, 1-bonus)
	}
	build(budget)
	var best gPath
	for round := 0; ; round++ {
		var ok bool
		best, ok = g.shortest(nil)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !ok {
			if whole {
				return nil, &NoRouteError{Terminal: g.enclosed()}
			}
			if round >= 3 {
				whole = true
			}
			build(budget * 1.5)
			continue
		}
		// The best route's length is at most cost/(1−bonus): any route as
		// cheap lies in the region of that length.
		if need := best.cost / (1 - bonus); need > budget && !whole {
			build(need * 1.001)
			continue
		}
		break
	}
	paths := []gPath{best}
	if p.K > 1 {
		// Alternatives are looked for among routes costing up to
		// (1 + slack) times the best: first a slack of at most 10 %, which
		// keeps the region small; the whole slack only when that found
		// fewer than K because the next candidate cost more.
		for _, slack := range []float64{math.Min(firstSlack, p.Slack), p.Slack} {
			if need := best.cost / (1 - bonus) * (1 + slack); need > budget && !whole {
				build(need * 1.001)
				best, _ = g.shortest(nil) // the same route, on the new graph
			}
			var limited bool
			paths, limited = g.alternatives(best, p, slack)
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if len(paths) == p.K || !limited {
				break
			}
		}
	}
	out := make([]PlannedRoute, 0, len(paths))
	for _, path := range paths {
		out = append(out, s.finish(g, path, p))
	}
	return out, nil
}

// firstSlack is the slack of the first search for alternatives.
const firstSlack = 0.1

// alternatives finds up to p.K paths, best first, any two sharing at most
// p.MaxShared of the shorter one's length, by the ESX method of
// Chondrogiannis et al. (k-shortest paths with limited overlap): for each
// new path, take the cheapest path of the graph; while it shares too much
// with a path already taken, remove from the graph the shared edge that the
// most taken paths use (the longest of those first) and search again. Only
// paths costing up to (1 + slack) times the best are taken; limited says
// whether the search stopped at that limit.
func (g *graph) alternatives(best gPath, p RouteProblem, slack float64) (paths []gPath, limited bool) {
	out := []gPath{best}
	limit := best.cost * (1 + slack)
	const maxRemovals = 400
	for len(out) < p.K {
		removed := map[int32]bool{}
		var found *gPath
		for it := 0; it < maxRemovals && g.ctx.Err() == nil; it++ {
			cand, ok := g.shortest(removed)
			if !ok {
				break
			}
			if cand.cost > limit {
				limited = true
				break
			}
			worst := int32(-1)
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
					worst, worstUse, worstLen = e, use, l
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
	return out, limited
}
