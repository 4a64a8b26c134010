package overlaps

import (
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// RoutesFeatures returns the routes as a GeoJSON FeatureCollection, one
// feature per route with its metrics as properties.
func RoutesFeatures(res *RoutesResult) FeatureCollection {
	fc := FeatureCollection{Type: "FeatureCollection", Features: []Feature{}}
	for _, r := range res.Routes {
		id := "original"
		if r.Kind != "original" {
			id = "alternative-" + strconv.Itoa(r.Rank)
		}
		fc.Features = append(fc.Features, Feature{Type: "Feature", ID: id, Geometry: r.Geometry, Properties: map[string]any{
			"rank": r.Rank, "kind": r.Kind, "length_m": r.LengthM, "added_length_m": r.AddedLengthM, "added_pct": r.AddedPct,
			"angle_points": r.AnglePoints, "crossings": r.Crossings, "hard_crossed": r.HardCrossed, "soft_ha": r.SoftHa,
			"min_clearance_m": r.MinClearanceM, "colocated_km": r.ColocatedKm, "shared_m": r.SharedM, "cost": r.Cost,
			"cost_breakdown": r.CostBreakdown, "replaced": r.Replaced, "short_sections": r.ShortSections,
		}})
	}
	return fc
}

// WriteRoutesCSV writes one row per route with its scalar metrics; the
// crossing classes and soft layers get a column each.
func WriteRoutesCSV(w *csv.Writer, res *RoutesResult) error {
	var cross, soft []string
	seenC, seenS := map[string]bool{}, map[string]bool{}
	for _, r := range res.Routes {
		for k := range r.Crossings {
			if !seenC[k] {
				seenC[k] = true
				cross = append(cross, k)
			}
		}
		for k := range r.SoftHa {
			if !seenS[k] {
				seenS[k] = true
				soft = append(soft, k)
			}
		}
	}
	sort.Strings(cross)
	sort.Strings(soft)
	head := []string{"rank", "kind", "length_m", "added_length_m", "added_pct", "angle_points", "min_clearance_m", "colocated_km",
		"cost", "length_km", "soft_km", "crossings_km", "parallel_km", "angles_km", "hard_crossed", "replaced", "short_sections"}
	for _, c := range cross {
		head = append(head, "crossings_"+c)
	}
	for _, s := range soft {
		head = append(head, "soft_ha_"+s)
	}
	for i := range res.Routes {
		head = append(head, fmt.Sprintf("shared_m_%d", i))
	}
	if err := w.Write(head); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	for _, r := range res.Routes {
		clear := ""
		if r.MinClearanceM != nil {
			clear = f(*r.MinClearanceM)
		}
		var hard []string
		for _, h := range r.HardCrossed {
			hard = append(hard, h.Layer+"/"+h.ID)
		}
		var rep []string
		for _, s := range r.Replaced {
			rep = append(rep, f(s.FromM)+"-"+f(s.ToM))
		}
		b := r.CostBreakdown
		row := []string{strconv.Itoa(r.Rank), r.Kind, f(r.LengthM), f(r.AddedLengthM), f(r.AddedPct), strconv.Itoa(r.AnglePoints), clear, f(r.ColocatedKm),
			f(r.Cost), f(b.LengthKm), f(b.SoftKm), f(b.CrossingsKm), f(b.ParallelKm), f(b.AnglesKm), strings.Join(hard, ";"), strings.Join(rep, ";"), strconv.Itoa(r.ShortSections)}
		for _, c := range cross {
			row = append(row, strconv.Itoa(r.Crossings[c]))
		}
		for _, s := range soft {
			row = append(row, f(r.SoftHa[s]))
		}
		for _, v := range r.SharedM {
			row = append(row, f(v))
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
