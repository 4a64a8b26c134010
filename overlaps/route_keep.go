package overlaps

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/geo"
)

// planKeep keeps the alignment wherever it is clear and replaces each
// conflicting stretch — a run of sections that come within the margin of a
// hard polygon — by the shortest margin-keeping route between the clear
// vertices around it. Alternative r takes, for every stretch, that
// stretch's r-th route (limited overlap among a stretch's routes as in free
// mode); one more replaces the whole span from the first conflict to the
// last in one route. They are ranked by cost afterwards.
func (e *Engine) planKeep(ctx context.Context, job *routeJob) ([]planned, error) {
	var aln orb.LineString
	for _, p := range job.req.Alignment {
		if len(aln) == 0 || aln[len(aln)-1] != p {
			aln = append(aln, p)
		}
	}
	if len(aln) < 2 {
		return nil, inErr("alignment", "has zero length")
	}
	box := searchBound(aln, job.margin+2000)
	polys, _ := job.obstacles(box)
	// Every vertex counts as a terminal so that no obstacle around one is
	// replaced by its hull: the test below must see the polygons as drawn.
	space, err := geo.NewRouteSpace(polys, aln, job.margin)
	if err != nil {
		return nil, err
	}
	clear := make([]bool, len(aln))
	for i, p := range aln {
		clear[i] = space.Clear(p)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if !clear[0] || !clear[len(aln)-1] {
		i := 0
		if clear[0] {
			i = len(aln) - 1
		}
		name := map[bool]string{true: "from", false: "to"}[i == 0]
		return nil, job.blocked(name, aln[i], nil, nil, "lies within the margin of a hard polygon")
	}
	type stretch struct{ a, b int }
	var stretches []stretch
	for i := 0; i+1 < len(aln); i++ {
		ok := clear[i] && clear[i+1] && space.VisibleGeodesic(aln[i], aln[i+1])
		if ok {
			continue
		}
		if n := len(stretches); n > 0 && stretches[n-1].b == i {
			stretches[n-1].b = i + 1
		} else {
			stretches = append(stretches, stretch{i, i + 1})
		}
	}
	if len(stretches) == 0 {
		return []planned{}, nil
	}
	chain := make([]float64, len(aln))
	for i := 1; i < len(aln); i++ {
		chain[i] = chain[i-1] + geo.DistanceGeodesic(aln[i-1], aln[i])
	}
	subs := make([][]geo.PlannedRoute, len(stretches))
	for s, st := range stretches {
		names := []string{fmt.Sprintf("the clear point at chainage %.0f m", chain[st.a]), fmt.Sprintf("the clear point at chainage %.0f m", chain[st.b])}
		rs, err := e.plan(ctx, job, []orb.Point{aln[st.a], aln[st.b]}, job.req.K, names)
		if err != nil {
			return nil, err
		}
		subs[s] = rs
	}
	assemble := func(pick func(s int) orb.LineString, sts []stretch) planned {
		var line orb.LineString
		prev := 0
		var rep []Stretch
		for s, st := range sts {
			line = append(line, aln[prev:st.a]...)
			line = append(line, pick(s)...)
			prev = st.b + 1
			rep = append(rep, Stretch{FromM: chain[st.a], ToM: chain[st.b]})
		}
		line = append(line, aln[prev:]...)
		return planned{line: line, replaced: rep}
	}
	var out []planned
	seen := map[string]bool{}
	for r := 0; r < job.req.K; r++ {
		key := ""
		p := assemble(func(s int) orb.LineString {
			i := min(r, len(subs[s])-1)
			key += fmt.Sprint(i, ",")
			return subs[s][i].Line
		}, stretches)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, p)
	}
	if len(stretches) > 1 && len(out) < job.req.K {
		first, last := stretches[0], stretches[len(stretches)-1]
		names := []string{fmt.Sprintf("the clear point at chainage %.0f m", chain[first.a]), fmt.Sprintf("the clear point at chainage %.0f m", chain[last.b])}
		rs, err := e.plan(ctx, job, []orb.Point{aln[first.a], aln[last.b]}, 1, names)
		if err != nil {
			return nil, err
		}
		out = append(out, assemble(func(int) orb.LineString { return rs[0].Line }, []stretch{{first.a, last.b}}))
	}
	return out, nil
}
