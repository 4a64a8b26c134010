// The planner's answer (POST /routes) as the page shows it: each route's
// colour and label, the metric columns (crossing classes and soft layers as
// the answer names them), the routes' KML. No DOM, no map: the routes panel
// and the printable report share it.
import { fmt } from './formats.js';

// The alignment's blue for the original; for the alternatives, colours that
// stay apart from it, from the conflicts' red and from each other (Okabe–Ito).
export const ORIGINAL_COLOR = '#1f3fe0';
export const ROUTE_COLORS = ['#009e73', '#e69f00', '#cc79a7', '#56b4e9', '#8c510a'];

/**
 * routeWidth is the stroke (px) of the i-th of n alternatives, the first the
 * widest: where they run together they show as nested stripes.
 */
export const routeWidth = (i, n) => 2.2 + 2 * (n - 1 - i);

/** normaliseRoutes labels and colours each route; the original (if any) stays first. */
export function normaliseRoutes(answer) {
  const list = Array.isArray(answer?.routes) ? answer.routes : [];
  let alt = 0;
  const routes = list.map((r, index) => {
    const original = r.kind === 'original';
    const color = original ? ORIGINAL_COLOR : ROUTE_COLORS[alt % ROUTE_COLORS.length];
    if (!original) alt++;
    return { ...r, index, original, color, label: original ? 'Original' : `Route ${r.rank ?? alt}` };
  });
  return {
    routes,
    crossingKeys: keysOf(routes, 'crossings', ['hard']),
    softKeys: keysOf(routes, 'soft_ha', []),
    parameters: answer?.parameters || {},
    dataVersions: answer?.data_versions || {},
    unavoidable: answer?.unavoidable || [],
  };
}

function keysOf(routes, field, first) {
  const seen = new Set(first.filter((k) => routes.some((r) => r[field] && k in r[field])));
  for (const r of routes) for (const k of Object.keys(r[field] || {})) seen.add(k);
  return [...seen];
}

const CLASS_LABELS = {
  hard: 'Hard',
  railways: 'Railways', national_highways: 'Nat. highways', rivers: 'Rivers', transmission_lines: 'Power lines',
};

/** keyLabel names a crossing class or soft layer: the catalog's title when the key is a layer id. */
export function keyLabel(key, titleOf) {
  return CLASS_LABELS[key] || titleOf?.(key) || String(key).replace(/_/g, ' ').replace(/^./, (x) => x.toUpperCase());
}

/** shortLabel is a column title short enough for a narrow column ("400 kV lines"). */
export function shortLabel(label) {
  return label.replace(/\s*\([^)]*\)/g, '').replace(/transmission lines?/i, 'lines').replace(/^Railway lines?$/i, 'Railways')
    .replace(/^Rivers and streams$/i, 'Rivers').replace(/^National highways$/i, 'Nat. highways');
}

const n = (v) => (v == null || !Number.isFinite(+v) ? null : +v);
const signed = (v, f) => (v == null ? '—' : v < 0 ? `−${f(-v)}` : `+${f(v)}`);
const km = (m) => (m == null ? '—' : `${(m / 1000).toFixed(2)} km`);
const kmEq = (v) => (v == null ? '—' : (+v).toFixed(2));

/**
 * clearanceText says how far the corridor's edge stays from the nearest hard
 * polygon (unavoidable ones aside); below 0 the corridor overlaps one.
 */
function clearanceText(r) {
  const v = n(r.min_clearance_m);
  if (v == null) return 'none near';
  return v < 0 ? `−${fmt.m(-v)} (overlap)` : fmt.m(v);
}

/** sharedWith is the length route r shares with route j, in metres. */
export const sharedWith = (r, j) => n(r.shared_m?.[j]) ?? 0;

/** maxShared is the other route r shares most with: {j, m, pct}. */
export function maxShared(r, routes) {
  let best = null;
  routes.forEach((o, j) => {
    if (j === r.index) return;
    const m = sharedWith(r, j);
    if (!best || m > best.m) best = { j, m, pct: r.length_m ? (100 * m) / r.length_m : null };
  });
  return best;
}

export const BREAKDOWN = [
  ['length_km', 'length'], ['soft_km', 'soft layers'], ['crossings_km', 'crossings'], ['parallel_km', 'parallel'], ['angles_km', 'angle points'],
];

/** breakdownText spells out a route's cost: its parts in km-equivalents (the parallel bonus comes negative). */
export function breakdownText(r) {
  const b = r.cost_breakdown || {};
  const parts = BREAKDOWN.filter(([k]) => n(b[k])).map(([k, label], i) => `${b[k] < 0 ? '− ' : i ? '+ ' : ''}${label} ${kmEq(Math.abs(b[k]))}`);
  return `${parts.join(' ')} = ${kmEq(n(r.cost))}`;
}

/**
 * metrics are the table's columns (the report's rows): for each, a label, a
 * group, and value (a number, for tests and sorting) and text of a route.
 */
export function metrics(model, titleOf) {
  const { routes, crossingKeys, softKeys } = model;
  return [
    { key: 'length', label: 'Length', value: (r) => n(r.length_m), text: (r) => km(n(r.length_m)) },
    { key: 'added', label: 'Added', value: (r) => n(r.added_length_m), text: (r) => (r.original ? '—' : `${signed(n(r.added_length_m), (v) => km(v))} (${signed(n(r.added_pct), fmt.pct)})`) },
    { key: 'angle_points', label: 'Angle points', value: (r) => n(r.angle_points), text: (r) => fmt.int(r.angle_points) },
    ...crossingKeys.map((k) => ({ key: `crossings.${k}`, group: 'Crossings', label: keyLabel(k, titleOf), value: (r) => n(r.crossings?.[k]) ?? 0, text: (r) => fmt.int(r.crossings?.[k] ?? 0),
      title: k === 'hard' ? (r) => (r.hard_crossed || []).map((h) => `${h.name || h.id} (${fmt.m(h.length_m)})`).join(', ') : null })),
    ...softKeys.map((k) => ({ key: `soft_ha.${k}`, group: 'Soft layers (ha in RoW)', label: keyLabel(k, titleOf), value: (r) => n(r.soft_ha?.[k]) ?? 0, text: (r) => (+(r.soft_ha?.[k] ?? 0)).toFixed(2) })),
    { key: 'min_clearance', label: 'Min clearance', value: (r) => n(r.min_clearance_m), text: clearanceText,
      title: () => 'Of the corridor’s edge from the nearest hard polygon, unavoidable ones aside; below 0 the corridor overlaps one' },
    { key: 'colocated', label: 'Co-located', value: (r) => n(r.colocated_km), text: (r) => `${(+(r.colocated_km ?? 0)).toFixed(2)} km` },
    { key: 'shared', label: 'Most shared', value: (r) => maxShared(r, routes)?.m ?? null,
      text: (r) => { const s = maxShared(r, routes); return s ? `${km(s.m)} with ${routes[s.j].label}` : '—'; },
      title: (r) => routes.filter((o) => o.index !== r.index).map((o) => `${km(sharedWith(r, o.index))} shared with ${o.label}`).join('\n') },
    { key: 'cost', group: COST, label: 'Total', value: (r) => n(r.cost), text: (r) => kmEq(n(r.cost)), title: breakdownText },
    ...BREAKDOWN.map(([k, label]) => ({ key: `cost_breakdown.${k}`, group: COST, label: label[0].toUpperCase() + label.slice(1),
      value: (r) => n(r.cost_breakdown?.[k]), text: (r) => kmEq(n(r.cost_breakdown?.[k])) })),
  ];
}

const COST = 'Cost (km-equivalents)';

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]);
// KML colours are aabbggrr.
const kmlColor = (hex) => `ff${hex.slice(5, 7)}${hex.slice(3, 5)}${hex.slice(1, 3)}`;

/** routesKML writes every route as a Placemark in its colour, with its metrics as data. */
export function routesKML(model, name) {
  const styles = model.routes.map((r) => `    <Style id="route-${r.index}"><LineStyle><color>${kmlColor(r.color)}</color><width>${r.original ? 3 : 4}</width></LineStyle></Style>`).join('\n');
  const marks = model.routes.map((r) => {
    const data = [['rank', r.rank], ['kind', r.kind], ['length_m', r.length_m], ['added_length_m', r.added_length_m], ['added_pct', r.added_pct],
      ['angle_points', r.angle_points], ['min_clearance_m', r.min_clearance_m], ['colocated_km', r.colocated_km], ['cost', r.cost]]
      .filter(([, v]) => v != null).map(([k, v]) => `<Data name="${k}"><value>${esc(v)}</value></Data>`).join('');
    const coords = (r.geometry?.coordinates || []).map(([x, y]) => `${(+x).toFixed(7)},${(+y).toFixed(7)}`).join(' ');
    return `    <Placemark>
      <name>${esc(r.label)}</name>
      <styleUrl>#route-${r.index}</styleUrl>
      <ExtendedData>${data}</ExtendedData>
      <LineString><tessellate>1</tessellate><coordinates>${coords}</coordinates></LineString>
    </Placemark>`;
  }).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
  <Document>
    <name>${esc(name)}</name>
${styles}
${marks}
  </Document>
</kml>
`;
}
