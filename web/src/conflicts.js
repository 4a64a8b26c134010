// The check's answer (POST /overlaps/check) as the page shows it: conflicts
// and near misses normalised, totals, chainages. No DOM, no map: the check
// panel and the printable report share it.
import { fmt, lengthHaversine } from './formats.js';

const num = (...vs) => { for (const v of vs) if (v != null && Number.isFinite(+v)) return +v; return null; };
export { num };

/** piecesCollection turns the pieces inside each polygon (JSON answer) into a FeatureCollection. */
export function piecesCollection(list) {
  return {
    type: 'FeatureCollection',
    features: list.filter((c) => c.pieces?.coordinates?.length).map((c) => ({
      type: 'Feature', geometry: c.pieces, properties: { layer: c.layer, id: c.id, name: c.name, length_m: c.length_m },
    })),
  };
}

/** normaliseResult reads a check's JSON answer (and its pieces as GeoJSON). */
export function normaliseResult(json, gj) {
  const list = json.crossings || json.conflicts || json.results || json.polygons || json.items || [];
  const conflicts = list.map((c) => {
    const id = String(c.id ?? c.feature_id ?? c.fid ?? '');
    const layer = c.layer || c.layer_id || '';
    const entries = c.entries || [];
    const exits = c.exits || [];
    return {
      key: `${layer}/${id}`,
      layer, id,
      name: c.name || c.title || id,
      allocatee: c.allocatee || '',
      status: c.status || '',
      lengthM: num(c.length_m, c.length_inside_m),
      crossings: num(c.crossings, c.crossing_count, entries.length),
      areaHa: num(c.corridor_area_ha, c.area_ha),
      shareAlignment: num(c.share_of_alignment_pct),
      sharePolygon: num(c.share_of_polygon_pct),
      entries, exits,
    };
  });
  const near = (json.near_misses || []).map((c) => ({
    key: `${c.layer}/${c.id ?? c.feature_id}`, layer: c.layer, id: String(c.id ?? c.feature_id ?? ''), name: c.name || c.id,
    distanceM: num(c.distance_m, c.min_distance_m, c.clearance_m),
  }));
  return { conflicts, nearMisses: near, summary: json.summary || {}, geojson: gj || piecesCollection(list), raw: json };
}

/** sortedConflicts orders conflicts along the line (first entry chainage), longest first at a tie. */
export function sortedConflicts(result) {
  return [...result.conflicts].sort((a, b) => {
    const ca = a.entries[0]?.chainage_km ?? Infinity;
    const cb = b.entries[0]?.chainage_km ?? Infinity;
    return ca - cb || (b.lengthM || 0) - (a.lengthM || 0);
  });
}

/** summaryOf is the check's headline: alignment length, length inside, share, corridor area. */
export function summaryOf(result, lines) {
  const total = result.conflicts.reduce((a, c) => ({
    length: a.length + (c.lengthM || 0), crossings: a.crossings + (c.crossings || 0), area: a.area + (c.areaHa || 0),
  }), { length: 0, crossings: 0, area: 0 });
  const s = result.summary;
  const alignLen = num(s.alignment_length_m, s.length_m) ?? lines.reduce((a, l) => a + lengthHaversine(l), 0);
  const inside = num(s.length_inside_m, s.total_length_m) ?? total.length;
  const share = num(s.share_inside_pct, s.share_of_alignment_pct) ?? (alignLen ? (100 * inside) / alignLen : null);
  return { total, alignLen, inside, share, areaHa: num(s.corridor_area_ha) ?? total.area };
}

/** chainageText lists a conflict's entry → exit chainages in km. */
export function chainageText(c) {
  const n = Math.max(c.entries.length, c.exits.length);
  if (!n) return '—';
  const parts = [];
  for (let i = 0; i < n; i++) {
    parts.push(`${fmt.km(c.entries[i]?.chainage_km)} → ${fmt.km(c.exits[i]?.chainage_km)}`);
  }
  return parts.join('; ');
}

/** piecesOf are the parts of the alignment inside one conflict's polygon. */
export function piecesOf(result, c) {
  return (result.geojson?.features || []).filter((f) => {
    const p = f.properties || {};
    return (p.layer || p.layer_id) === c.layer && String(p.id ?? p.feature_id ?? p.polygon_id) === c.id;
  });
}
