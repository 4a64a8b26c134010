package overlaps

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/geo"
)

// ErrNoDetour means no alternative alignment avoiding the polygons was
// found: an end of the alignment is enclosed by them.
var ErrNoDetour = errors.New("overlaps: no alignment avoiding the polygons found")

// PolygonRef names a polygon of a layer.
type PolygonRef struct {
	Layer string `json:"layer"`
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
}

// Alternative is a proposed alignment that avoids the polygons, with what it
// costs in length and the check that proves it.
type Alternative struct {
	Geometry     LineGeometry `json:"geometry"`
	LengthM      float64      `json:"length_m"`
	AddedLengthM float64      `json:"added_length_m"`
	AddedPct     float64      `json:"added_pct"`
	// Avoided are the polygons the original crossed (or came within the
	// clearance of) that this alignment goes around.
	Avoided []PolygonRef `json:"avoided"`
	// Unavoidable are the polygons the alignment starts or ends in (or
	// within the corridor of): a siding inside its own block, say. The
	// alternative still crosses them, and avoids every other.
	Unavoidable []PolygonRef `json:"unavoidable"`
	// Check is the overlap check of the alternative: no crossings.
	Check *Report `json:"check"`
}

// LineGeometry is a GeoJSON LineString geometry.
type LineGeometry struct {
	Type        string         `json:"type"` // always "LineString"
	Coordinates orb.LineString `json:"coordinates"`
}

// RerouteResult is the original alignment's check and the alternatives.
type RerouteResult struct {
	Original     *Report       `json:"original"`
	Alternatives []Alternative `json:"alternatives"`
	// Unavoidable are the polygons an end of the alignment lies in (or
	// within the corridor of), which no alternative can avoid.
	Unavoidable []PolygonRef `json:"unavoidable"`
}

// Reroute proposes an alignment that keeps the corridor (half the
// right-of-way plus the clearance) out of every polygon of the layers: the
// shortest such route between the alignment's ends (Engine.Routes in free
// mode, hard constraints only, one alternative). The answer carries the
// original's check and the alternative's, which shows no crossing other
// than of unavoidable polygons (those an end lies in or within the
// corridor of); an alignment that already crosses nothing but those gets
// no alternative.
func (e *Engine) Reroute(ctx context.Context, a Alignment, opts Options) (*RerouteResult, error) {
	ls, ok := a.Geom.(orb.LineString)
	if !ok {
		if mls, multi := a.Geom.(orb.MultiLineString); multi && len(mls) == 1 {
			ls, ok = mls[0], true
		}
	}
	if !ok {
		return nil, &AlignmentError{Index: 0, ID: a.ID, Err: &geo.LineError{Err: geo.ErrNotLine, Type: fmt.Sprintf("%T (a reroute takes one LineString)", a.Geom), Part: -1, Vertex: -1}}
	}
	orig, err := e.Check(ctx, []Alignment{a}, opts)
	if err != nil {
		return nil, err
	}
	res := &RerouteResult{Original: orig, Alternatives: []Alternative{}, Unavoidable: []PolygonRef{}}
	if isClear(orig, opts.ClearanceM, nil) {
		return res, nil
	}
	req := &RouteRequest{Alignment: ls, AlignmentID: a.ID, Mode: ModeFree, K: 1, MaxShared: DefaultMaxShared,
		Corridor: opts.Corridor, ClearanceM: opts.ClearanceM, Hard: opts.Layers, Soft: &SoftCosts{}}
	job, err := e.resolveRoute(ctx, req)
	if err != nil {
		var ie *RouteInputError
		if errors.As(err, &ie) {
			// Answer in the check's words: the query parameters.
			field := strings.TrimPrefix(ie.Field, "corridor.")
			if strings.HasPrefix(field, "hard[") {
				field = "against"
			}
			return nil, &OptionError{Field: field, Reason: ie.Reason}
		}
		return nil, err
	}
	skip := map[[2]string]bool{}
	for k := range job.unavoid {
		f := k.li.feats[k.id]
		skip[[2]string{k.li.name, f.id}] = true
		res.Unavoidable = append(res.Unavoidable, PolygonRef{Layer: k.li.name, ID: f.id, Name: f.name})
	}
	sort.Slice(res.Unavoidable, func(i, j int) bool { return res.Unavoidable[i].ID < res.Unavoidable[j].ID })
	if isClear(orig, opts.ClearanceM, skip) {
		// Only unavoidable polygons are crossed: nothing to propose.
		return res, nil
	}
	plans, err := e.planFree(ctx, job)
	if err != nil {
		if errors.Is(err, ErrRouteBlocked) {
			return nil, fmt.Errorf("%w: %v", ErrNoDetour, err)
		}
		return nil, err
	}
	line := plans[0].line
	check, err := e.Check(ctx, []Alignment{{ID: a.ID, Geom: line}}, opts)
	if err != nil {
		return nil, err
	}
	alt := Alternative{
		Geometry:    LineGeometry{Type: "LineString", Coordinates: line},
		LengthM:     check.Summary.LengthM,
		Check:       check,
		Avoided:     []PolygonRef{},
		Unavoidable: res.Unavoidable,
	}
	alt.AddedLengthM = alt.LengthM - orig.Summary.LengthM
	alt.AddedPct = pct(alt.AddedLengthM, orig.Summary.LengthM)
	seen := map[[2]string]bool{}
	add := func(layer, id, name string) {
		k := [2]string{layer, id}
		if skip[k] || seen[k] {
			return
		}
		seen[k] = true
		alt.Avoided = append(alt.Avoided, PolygonRef{Layer: layer, ID: id, Name: name})
	}
	for _, c := range orig.Crossings {
		add(c.Layer, c.ID, c.Name)
	}
	for _, n := range orig.NearMisses {
		if n.MinDistanceM < opts.ClearanceM {
			add(n.Layer, n.ID, n.Name)
		}
	}
	res.Alternatives = append(res.Alternatives, alt)
	return res, nil
}

// isClear reports whether a check found no crossing and no polygon strictly
// closer than the clearance, other than those of skip (layer, id).
func isClear(r *Report, clearance float64, skip map[[2]string]bool) bool {
	for _, c := range r.Crossings {
		if !skip[[2]string{c.Layer, c.ID}] {
			return false
		}
	}
	for _, n := range r.NearMisses {
		if !skip[[2]string{n.Layer, n.ID}] && n.MinDistanceM < clearance-math.Max(1, clearance*0.01) {
			return false
		}
	}
	return true
}
