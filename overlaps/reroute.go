package overlaps

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/geo"
)

// ErrNoDetour means no alternative alignment avoiding the polygons was
// found: an end of the alignment lies inside one, or the detours kept
// meeting new polygons.
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
}

// detourRounds bounds how often a detour is widened to take in polygons it
// newly meets.
const detourRounds = 6

// Reroute proposes an alignment that keeps the corridor (half the
// right-of-way plus the clearance) out of every polygon of the layers, by
// going around each crossed polygon, or group of nearby polygons, on the
// shorter side, and leaving the alignment as it is elsewhere. The answer
// carries the original's check and the alternative's, which must show no
// crossing; an alignment that already crosses nothing gets no alternative.
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
	res := &RerouteResult{Original: orig, Alternatives: []Alternative{}}
	if len(orig.Crossings) == 0 && !nearWithin(orig, opts.ClearanceM) {
		return res, nil
	}
	names, width, err := opts.resolve(&e.cfg)
	if err != nil {
		return nil, err
	}
	layers, err := e.loadLayers(ctx, names)
	if err != nil {
		return nil, err
	}
	// Keep the corridor's edge, not only the centre line, out of the
	// polygons, with a little to spare for the hull's approximations.
	margin := width/2 + opts.ClearanceM + 5
	type ref struct {
		li *layerIndex
		id int
	}
	var refs []ref
	seen := map[ref]bool{}
	gather := func(b orb.Bound) {
		lat, lon := padDegrees(b, margin+2000)
		b = orb.Bound{Min: orb.Point{b.Min[0] - lon, b.Min[1] - lat}, Max: orb.Point{b.Max[0] + lon, b.Max[1] + lat}}
		for _, li := range layers {
			li.index.Search(b, func(id int) bool {
				r := ref{li, id}
				if !seen[r] {
					seen[r] = true
					refs = append(refs, r)
				}
				return true
			})
		}
	}
	gather(ls.Bound())
	for range detourRounds {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		obstacles := make([]orb.MultiPolygon, len(refs))
		for i, r := range refs {
			obstacles[i] = r.li.feats[r.id].poly.Geometry()
		}
		d, err := geo.DetourPlanar(ls, obstacles, margin)
		if err != nil {
			var ee *geo.EndpointError
			if errors.As(err, &ee) {
				f := refs[ee.Obstacle].li.feats[refs[ee.Obstacle].id]
				end := "starts"
				if ee.End {
					end = "ends"
				}
				return nil, fmt.Errorf("%w: the alignment %s within %.0f m of %s %s (%s)", ErrNoDetour, end, margin, refs[ee.Obstacle].li.name, f.id, f.name)
			}
			return nil, err
		}
		check, err := e.Check(ctx, []Alignment{{ID: a.ID, Geom: d.Line}}, opts)
		if err != nil {
			return nil, err
		}
		if len(check.Crossings) == 0 && !nearWithin(check, opts.ClearanceM) {
			alt := Alternative{
				Geometry: LineGeometry{Type: "LineString", Coordinates: d.Line},
				LengthM:  check.Summary.LengthM,
				Check:    check,
				Avoided:  []PolygonRef{},
			}
			alt.AddedLengthM = alt.LengthM - orig.Summary.LengthM
			alt.AddedPct = pct(alt.AddedLengthM, orig.Summary.LengthM)
			for _, i := range d.Avoided {
				f := refs[i].li.feats[refs[i].id]
				alt.Avoided = append(alt.Avoided, PolygonRef{Layer: refs[i].li.name, ID: f.id, Name: f.name})
			}
			res.Alternatives = append(res.Alternatives, alt)
			return res, nil
		}
		// The detour met polygons beyond those gathered: take them in.
		before := len(refs)
		gather(d.Line.Bound())
		if len(refs) == before {
			break
		}
	}
	return nil, fmt.Errorf("%w after %d rounds", ErrNoDetour, detourRounds)
}

// nearWithin reports whether a check found a polygon strictly closer than
// the clearance (a detour keeps at the clearance, not beyond).
func nearWithin(r *Report, clearance float64) bool {
	for _, n := range r.NearMisses {
		if n.MinDistanceM < clearance-math.Max(1, clearance*0.01) {
			return true
		}
	}
	return false
}
