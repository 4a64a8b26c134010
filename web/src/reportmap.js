// The report's map: an SVG drawn from the features themselves (no tiles, no
// WebGL), so that it prints as crisp vectors at any scale and is complete the
// moment the data is in. Web Mercator, north up, with a scale bar, a north
// arrow and graticule ticks on the frame.
import { svg } from './dom.js';
import { bboxOf, unionBbox } from './formats.js';
import { routeWidth } from './routedata.js';

const R = 6378137;
const mx = (lon) => (R * lon * Math.PI) / 180;
const my = (lat) => R * Math.log(Math.tan(Math.PI / 4 + (Math.max(-85, Math.min(85, lat)) * Math.PI) / 360));

/** frameOf fits a bbox into a width × height frame with a margin; its project maps [lon, lat] to pixels. */
export function frameOf(b, { width = 1000, maxHeight = 820, minHeight = 480, pad = 0.08 } = {}) {
  let [w, s, e, n] = b;
  // Grow the shorter side so that the line does not touch the frame.
  const dx = mx(e) - mx(w);
  const dy = my(n) - my(s);
  const gx = Math.max(dx, 1) * pad;
  const gy = Math.max(dy, 1) * pad;
  let x0 = mx(w) - gx; let x1 = mx(e) + gx;
  let y0 = my(s) - gy; let y1 = my(n) + gy;
  let height = Math.round((width * (y1 - y0)) / (x1 - x0));
  height = Math.max(minHeight, Math.min(maxHeight, height));
  // Keep the aspect: widen whichever span is short for the frame.
  const want = (x1 - x0) * (height / width);
  if (want > y1 - y0) { const c = (y0 + y1) / 2; y0 = c - want / 2; y1 = c + want / 2; } else {
    const wx = (y1 - y0) * (width / height); const c = (x0 + x1) / 2; x0 = c - wx / 2; x1 = c + wx / 2;
  }
  const k = width / (x1 - x0);
  const lonOf = (x) => ((x / k + x0) / R) * (180 / Math.PI);
  const latOf = (y) => (2 * Math.atan(Math.exp((y1 - y / k) / R)) - Math.PI / 2) * (180 / Math.PI);
  w = lonOf(0); e = lonOf(width); n = latOf(0); s = latOf(height);
  return {
    width, height, bbox: [w, s, e, n],
    project: ([lon, lat]) => [(mx(lon) - x0) * k, (y1 - my(lat)) * k],
    // metres on the ground per pixel at the frame's middle latitude
    metresPerPx: (1 / k) * Math.cos((((s + n) / 2) * Math.PI) / 180),
  };
}

const d = (n) => n.toFixed(1);

function pathOfLine(coords, p) {
  return coords.map((c, i) => { const [x, y] = p(c); return `${i ? 'L' : 'M'}${d(x)} ${d(y)}`; }).join('');
}

/** pathOf turns any GeoJSON line or polygon geometry into SVG path data. */
export function pathOf(g, p) {
  if (!g) return '';
  switch (g.type) {
    case 'LineString': return pathOfLine(g.coordinates, p);
    case 'MultiLineString': return g.coordinates.map((l) => pathOfLine(l, p)).join('');
    case 'Polygon': return g.coordinates.map((r) => `${pathOfLine(r, p)}Z`).join('');
    case 'MultiPolygon': return g.coordinates.map((poly) => poly.map((r) => `${pathOfLine(r, p)}Z`).join('')).join('');
    case 'GeometryCollection': return g.geometries.map((x) => pathOf(x, p)).join('');
    default: return '';
  }
}

const niceStep = (x) => {
  const e = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * e >= x) return m * e;
  return 10 * e;
};

/** labelPoint is a point on a polygon's largest ring to hang its name on (the vertex average). */
function labelPoint(g) {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  let best = null;
  for (const poly of polys) if (!best || poly[0].length > best.length) best = poly[0];
  if (!best) return null;
  const n = best.length - 1 || 1;
  return [best.slice(0, n).reduce((a, c) => a + c[0], 0) / n, best.slice(0, n).reduce((a, c) => a + c[1], 0) / n];
}

/** pointAlong is the point at a fraction of a line's vertex-to-vertex length (planar, for labels). */
function pointAlong(coords, t) {
  let total = 0;
  for (let i = 1; i < coords.length; i++) total += Math.hypot(coords[i][0] - coords[i - 1][0], coords[i][1] - coords[i - 1][1]);
  let acc = 0;
  for (let i = 1; i < coords.length; i++) {
    const seg = Math.hypot(coords[i][0] - coords[i - 1][0], coords[i][1] - coords[i - 1][1]);
    if (acc + seg >= t * total) {
      const f = seg ? (t * total - acc) / seg : 0;
      return [coords[i - 1][0] + f * (coords[i][0] - coords[i - 1][0]), coords[i - 1][1] + f * (coords[i][1] - coords[i - 1][1])];
    }
    acc += seg;
  }
  return coords[coords.length - 1];
}

export const MAP_STYLE = {
  background: '#fbfaf6', state: '#8d7fa3', river: '#7fb0e0', road: '#d9b873', rail: '#555555',
  hard: { fill: '#cdbfae', stroke: '#6d5a48' }, soft: { fill: '#cfe6c4', stroke: '#6f9f5f' },
  conflict: { fill: '#f4a49b', stroke: '#b3130a' }, near: { fill: '#fde0b0', stroke: '#c77800' },
  piece: '#b3130a',
};

/**
 * drawMap builds the map: data holds the alignment lines, the routes (with
 * colour and label), the check's result (conflicts, near misses, pieces and
 * polygon outlines by key) and context features by kind.
 */
export function drawMap(data) {
  let b = bboxOf(data.lines);
  for (const r of data.routes) b = unionBbox(b, bboxOf(r.geometry));
  for (const p of data.waypoints) b = unionBbox(b, [p[0], p[1], p[0], p[1]]);
  const f = frameOf(b, data.size);
  const p = f.project;
  const S = MAP_STYLE;
  const root = svg('svg', { viewBox: `0 0 ${f.width} ${f.height}`, class: 'report-map', role: 'img', 'aria-label': data.title, 'font-family': 'Noto Sans, DejaVu Sans, sans-serif' });
  const clip = svg('clipPath', { id: 'frame-clip' }, svg('rect', { x: 0, y: 0, width: f.width, height: f.height }));
  root.append(svg('defs', {}, clip));
  const g = svg('g', { 'clip-path': 'url(#frame-clip)' });
  root.append(svg('rect', { x: 0, y: 0, width: f.width, height: f.height, fill: S.background }), g);
  const path = (geom, attrs) => { const dd = pathOf(geom, p); if (dd) g.append(svg('path', { d: dd, ...attrs })); };
  const ctx = data.context;
  for (const ft of ctx.soft) path(ft.geometry, { fill: S.soft.fill, stroke: S.soft.stroke, 'stroke-width': 0.6, 'fill-rule': 'evenodd' });
  for (const ft of ctx.states) path(ft.geometry, { fill: 'none', stroke: S.state, 'stroke-width': 1.2, 'stroke-dasharray': '6 3' });
  for (const ft of ctx.rivers) path(ft.geometry, { fill: 'none', stroke: S.river, 'stroke-width': 1.4, 'stroke-linecap': 'round' });
  for (const ft of ctx.roads) path(ft.geometry, { fill: 'none', stroke: S.road, 'stroke-width': 1.6, 'stroke-linecap': 'round' });
  for (const ft of ctx.rails) {
    path(ft.geometry, { fill: 'none', stroke: S.rail, 'stroke-width': 2 });
    path(ft.geometry, { fill: 'none', stroke: '#ffffff', 'stroke-width': 1, 'stroke-dasharray': '5 5' });
  }
  const conflictKeys = new Set(data.result?.conflicts.map((c) => c.key) || []);
  const nearKeys = new Set(data.result?.nearMisses.map((c) => c.key) || []);
  for (const ft of ctx.hard) {
    if (conflictKeys.has(ft.key) || nearKeys.has(ft.key)) continue;
    path(ft.geometry, { fill: S.hard.fill, stroke: S.hard.stroke, 'stroke-width': 0.8, 'fill-rule': 'evenodd' });
  }
  const outline = (key) => data.outlines.get(key) || ctx.hard.find((x) => x.key === key)?.geometry;
  for (const c of data.result?.nearMisses || []) path(outline(c.key), { fill: S.near.fill, stroke: S.near.stroke, 'stroke-width': 1.4, 'stroke-dasharray': '5 3', 'fill-rule': 'evenodd' });
  for (const c of data.result?.conflicts || []) path(outline(c.key), { fill: S.conflict.fill, stroke: S.conflict.stroke, 'stroke-width': 1.6, 'fill-rule': 'evenodd' });
  // The alignment: the pieces inside polygons under it in red, then the line.
  for (const ft of data.result?.geojson?.features || []) path(ft.geometry, { fill: 'none', stroke: S.piece, 'stroke-width': 9, 'stroke-opacity': 0.55, 'stroke-linecap': 'round' });
  const original = data.routes.find((r) => r.original);
  for (const l of data.lines) {
    g.append(svg('path', { d: pathOfLine(l, p), fill: 'none', stroke: '#ffffff', 'stroke-width': 6, 'stroke-linejoin': 'round', 'stroke-linecap': 'round' }));
    g.append(svg('path', { d: pathOfLine(l, p), fill: 'none', stroke: original?.color || '#1f3fe0', 'stroke-width': 3.2, 'stroke-linejoin': 'round', 'stroke-linecap': 'round' }));
  }
  // Where alternatives run together, each is drawn narrower than the one
  // before it: they show as nested stripes instead of hiding each other.
  const alts = data.routes.filter((r) => !r.original && r.geometry);
  const width = (i) => routeWidth(i, alts.length);
  alts.forEach((r, i) => path(r.geometry, { fill: 'none', stroke: '#ffffff', 'stroke-width': width(i) + 2.5, 'stroke-linejoin': 'round', 'stroke-linecap': 'round' }));
  alts.forEach((r, i) => path(r.geometry, { fill: 'none', stroke: r.color, 'stroke-width': width(i), 'stroke-linejoin': 'round', 'stroke-linecap': 'round', class: 'route', 'data-index': r.index }));
  // Entry and exit points.
  for (const c of data.result?.conflicts || []) {
    for (const pt of [...c.entries, ...c.exits]) {
      if (!Number.isFinite(pt.lon)) continue;
      const [x, y] = p([pt.lon, pt.lat]);
      g.append(svg('circle', { cx: d(x), cy: d(y), r: 3.2, fill: c.entries.includes(pt) ? '#1a9850' : '#d73027', stroke: '#fff', 'stroke-width': 1 }));
    }
  }
  // Labels: conflict names, route numbers along each route, the ends, waypoints.
  const anchor = (x) => (x > f.width - 110 ? 'end' : x < 110 ? 'start' : 'middle');
  const text = (x, y, s, attrs = {}) => g.append(svg('text', { x: d(x), y: d(y), 'font-size': 13, 'text-anchor': anchor(x), 'paint-order': 'stroke', stroke: '#ffffff', 'stroke-width': 3.5, 'stroke-linejoin': 'round', fill: '#222', text: s, ...attrs }));
  // Names of the polygons crossed, moved up or down until they clear the
  // ones already placed (a rough box: 7 px a character, 15 px high).
  const placed = [];
  const box = (x, y, s) => {
    const w = s.length * 7;
    const a = anchor(x);
    const x0 = a === 'end' ? x - w : a === 'start' ? x : x - w / 2;
    return [x0, y - 12, x0 + w, y + 3];
  };
  const hits = (b) => placed.some((q) => b[0] < q[2] && q[0] < b[2] && b[1] < q[3] && q[1] < b[3]);
  for (const c of data.result?.conflicts || []) {
    const o = outline(c.key);
    const lp = o && labelPoint(o);
    if (!lp) continue;
    const [x, y0] = p(lp);
    let y = y0 - 8;
    for (const dy of [0, -16, 16, -32, 32, -48, 48]) {
      if (!hits(box(x, y0 - 8 + dy, c.name))) { y = y0 - 8 + dy; break; }
    }
    placed.push(box(x, y, c.name));
    text(x, y, c.name, { fill: S.conflict.stroke, 'font-weight': 600 });
  }
  alts.forEach((r, i) => {
    const coords = r.geometry.type === 'LineString' ? r.geometry.coordinates : r.geometry.coordinates.flat();
    const [x, y] = p(pointAlong(coords, (i + 1) / (alts.length + 1)));
    g.append(svg('circle', { cx: d(x), cy: d(y), r: 10, fill: r.color, stroke: '#fff', 'stroke-width': 2 }));
    g.append(svg('text', { x: d(x), y: d(y + 4.5), 'font-size': 12, 'font-weight': 700, 'text-anchor': 'middle', fill: '#fff', text: String(r.rank ?? i + 1) }));
  });
  const ends = data.lines.length ? [data.lines[0][0], data.lines[data.lines.length - 1].at(-1)] : [];
  ends.forEach((c, i) => {
    const [x, y] = p(c);
    g.append(svg('rect', { x: d(x - 9), y: d(y - 9), width: 18, height: 18, fill: '#1f3fe0', stroke: '#fff', 'stroke-width': 2, rx: 2 }));
    g.append(svg('text', { x: d(x), y: d(y + 4.5), 'font-size': 12, 'font-weight': 700, 'text-anchor': 'middle', fill: '#fff', text: i ? 'B' : 'A' }));
  });
  data.waypoints.forEach((c, i) => {
    const [x, y] = p(c);
    g.append(svg('circle', { cx: d(x), cy: d(y), r: 8, fill: '#fff', stroke: '#6a1b9a', 'stroke-width': 2.5 }));
    g.append(svg('text', { x: d(x), y: d(y + 4), 'font-size': 10, 'font-weight': 700, 'text-anchor': 'middle', fill: '#6a1b9a', text: String(i + 1) }));
  });
  root.append(...furniture(f));
  return root;
}

/** furniture: the frame, graticule ticks, a scale bar and a north arrow. */
function furniture(f) {
  const out = [svg('rect', { x: 0.5, y: 0.5, width: f.width - 1, height: f.height - 1, fill: 'none', stroke: '#333', 'stroke-width': 1 })];
  const [w, s, e, n] = f.bbox;
  const step = niceStep(Math.max(e - w, n - s) / 5);
  const deg = (v) => `${Math.abs(v).toFixed(step < 0.1 ? 2 : 1)}°`;
  for (let lon = Math.ceil(w / step) * step; lon <= e; lon += step) {
    const [x] = f.project([lon, s]);
    out.push(svg('line', { x1: d(x), y1: 0, x2: d(x), y2: 8, stroke: '#333' }), svg('line', { x1: d(x), y1: f.height - 8, x2: d(x), y2: f.height, stroke: '#333' }));
    out.push(svg('text', { x: d(x + 3), y: 19, 'font-size': 11, fill: '#333', 'paint-order': 'stroke', stroke: '#fff', 'stroke-width': 3, text: `${deg(lon)} E` }));
  }
  for (let lat = Math.ceil(s / step) * step; lat <= n; lat += step) {
    const [, y] = f.project([w, lat]);
    out.push(svg('line', { x1: 0, y1: d(y), x2: 8, y2: d(y), stroke: '#333' }), svg('line', { x1: f.width - 8, y1: d(y), x2: f.width, y2: d(y), stroke: '#333' }));
    out.push(svg('text', { x: 11, y: d(y - 3), 'font-size': 11, fill: '#333', 'paint-order': 'stroke', stroke: '#fff', 'stroke-width': 3, text: `${deg(lat)} N` }));
  }
  // Scale bar: a round length near a fifth of the width.
  const m = niceStep((f.width / 5) * f.metresPerPx);
  const px = m / f.metresPerPx;
  const x0 = 20; const y0 = f.height - 22;
  out.push(svg('rect', { x: x0 - 6, y: y0 - 20, width: px + 60, height: 34, fill: '#ffffff', 'fill-opacity': 0.85 }));
  out.push(svg('rect', { x: x0, y: y0, width: d(px / 2), height: 6, fill: '#333' }), svg('rect', { x: d(x0 + px / 2), y: y0, width: d(px / 2), height: 6, fill: '#fff', stroke: '#333' }));
  out.push(svg('text', { x: x0, y: y0 - 5, 'font-size': 11, fill: '#333', text: '0' }));
  out.push(svg('text', { x: d(x0 + px), y: y0 - 5, 'font-size': 11, 'text-anchor': 'middle', fill: '#333', text: m >= 1000 ? `${m / 1000} km` : `${m} m` }));
  // North arrow.
  const ax = f.width - 30; const ay = 34;
  out.push(svg('path', { d: `M${ax} ${ay - 18}L${ax + 8} ${ay + 6}L${ax} ${ay}L${ax - 8} ${ay + 6}Z`, fill: '#333' }));
  out.push(svg('text', { x: ax, y: ay + 20, 'font-size': 12, 'font-weight': 700, 'text-anchor': 'middle', fill: '#333', text: 'N' }));
  return out;
}
