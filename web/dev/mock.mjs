// A stand-in for the coalmap service, for working on the page alone:
// `node dev/mock.mjs [port]` serves the built page at /map and a synthetic
// catalog of 110 layers with the routes the page uses (/collections,
// /collections/{id}/items/{fid}, /tiles/{ids}.json, /tiles/{ids}/{z}/{x}/{y}.mvt,
// POST /overlaps/check, GET /overlaps/corridors, POST /routes). Its overlap
// figures are rough (sampled) and its routes are offsets of the alignment,
// not a planner's; the real service is the reference. Not used by the tests.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GeoJSONVT } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../../api/web/dist');
const port = +(process.argv[2] || 8090);

let seed = 7;
const rnd = () => { seed = (seed * 16807) % 2147483647; return (seed - 1) / 2147483646; };
const poly = (cx, cy, r, n = 9) => {
  const ring = [];
  for (let i = 0; i < n; i++) {
    const a = (i / n) * 2 * Math.PI;
    const rr = r * (0.75 + rnd() * 0.5);
    ring.push([cx + rr * Math.cos(a) * 1.2, cy + rr * Math.sin(a)]);
  }
  ring.push(ring[0]);
  return { type: 'Polygon', coordinates: [ring] };
};
const rect = (w, s, e, n) => ({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });
const feat = (id, props, geometry) => ({ type: 'Feature', id, properties: { feature_id: id, ...props }, geometry });

const layers = [];
const data = new Map();
function add(meta, features) {
  const l = {
    attributes: [{ name: 'name', alias: 'Name', label_hi: 'नाम', type: 'text' }],
    keywords: [], owner: 'Ministry of Coal', update_frequency: 'monthly', access: 'public',
    lineage: { imported_at: '2026-11-20T10:00:00Z', source: 'demo generator' }, min_zoom: 0, max_zoom: 16,
    ...meta,
  };
  l.feature_count = features.length;
  const b = [180, 90, -180, -90];
  JSON.stringify(features.map((f) => f.geometry), (k, v) => {
    if (Array.isArray(v) && typeof v[0] === 'number') { b[0] = Math.min(b[0], v[0]); b[1] = Math.min(b[1], v[1]); b[2] = Math.max(b[2], v[0]); b[3] = Math.max(b[3], v[1]); }
    return v;
  });
  l.extent = features.length ? b : null;
  layers.push(l);
  data.set(l.id, { type: 'FeatureCollection', features });
}

// context
const states = [['Madhya Pradesh', 78, 21.5, 82.5, 26], ['Uttar Pradesh', 82.5, 24, 84, 26], ['Chhattisgarh', 80.5, 17.8, 84, 24], ['Jharkhand', 84, 22, 87.8, 25.3], ['Odisha', 84, 17.8, 87.5, 22], ['Maharashtra', 78, 17, 80.5, 21.5], ['West Bengal', 87.8, 21.5, 88.5, 26]];
add({ id: 'states', title: 'States', category: 'administrative', geometry_type: 'MultiPolygon', style: { color: '#7a6a99', fill_color: '#ffffff', fill_opacity: 0.05 } },
  states.map(([n, w, s, e, nn], i) => feat(`s${i}`, { name: n }, rect(w, s, e, nn))));
const districts = [];
for (let x = 78; x < 88.5; x += 1) for (let y = 17; y < 26; y += 1) districts.push(feat(`d${x}-${y}`, { name: `District ${x}${y}` }, rect(x, y, x + 1, y + 1)));
add({ id: 'districts', title: 'Districts', category: 'administrative', geometry_type: 'MultiPolygon', style: { color: '#a99fba', fill_opacity: 0.02 } }, districts);
const wavy = (x0, y0, x1, y1, amp) => ({ type: 'LineString', coordinates: Array.from({ length: 40 }, (_, i) => [x0 + (x1 - x0) * i / 39 + amp * Math.sin(i / 3), y0 + (y1 - y0) * i / 39 + amp * Math.cos(i / 4)]) });
add({ id: 'rivers', title: 'Rivers', category: 'water', geometry_type: 'MultiLineString', style: { color: '#4f8fd6' } },
  [feat('mahanadi', { name: 'Mahanadi' }, wavy(81.5, 22.5, 86.5, 20.3, 0.15)), feat('son', { name: 'Son' }, wavy(81.5, 23.3, 84.5, 25.4, 0.12)), feat('damodar', { name: 'Damodar' }, wavy(84.8, 23.8, 88, 23.0, 0.08))]);
add({ id: 'national_highways', title: 'National highways', category: 'roads', geometry_type: 'MultiLineString', style: { color: '#e0a030' } },
  [feat('nh39', { name: 'NH 39' }, wavy(82, 25.5, 82.6, 21.5, 0.05)), feat('nh49', { name: 'NH 49' }, wavy(80, 21.3, 87.5, 21.9, 0.05))]);

// coal blocks
const named = [['dhirauli', 'Dhirauli', 82.33, 23.95, 0.03], ['pelma', 'Pelma', 83.16, 22.30, 0.03], ['gare-palma-sector-ii', 'Gare Palma Sector II', 83.45, 22.15, 0.035], ['tentuloi', 'Tentuloi', 84.98, 21.10, 0.025], ['budhapank', 'Budhapank', 85.1, 21.02, 0.02], ['sardega', 'Sardega', 83.9, 22.05, 0.025]];
const blocks = named.map(([id, n, x, y, r]) => feat(id, { name: n, state: 'MP', area_km2: Math.round(r * r * 12000) / 10 }, poly(x, y, r, 11)));
for (let i = 0; i < 60; i++) blocks.push(feat(`blk-${i}`, { name: `Block ${i + 1}`, state: 'CG', area_km2: 5 }, poly(80 + rnd() * 8, 20 + rnd() * 5, 0.02 + rnd() * 0.03)));
add({ id: 'coal_blocks', title: 'Coal blocks', title_hi: 'कोयला ब्लॉक', category: 'coal_resources', geometry_type: 'MultiPolygon', description: 'Coal block boundaries (CMPDI).',
  attributes: [{ name: 'name', alias: 'Block name', label_hi: 'ब्लॉक का नाम', type: 'text' }, { name: 'state', alias: 'State', label_hi: 'राज्य', type: 'text' }, { name: 'area_km2', alias: 'Area', label_hi: 'क्षेत्रफल', type: 'real', unit: 'km²' }],
  style: { color: '#3b2f2f', fill_color: '#5b4636', fill_opacity: 0.35, line_width: 1.2 } }, blocks);
add({ id: 'transmission_lines_proposed_765kv', title: 'Proposed 765 kV lines', category: 'proposed_projects', geometry_type: 'MultiLineString', style: { color: '#c2185b', line_dash: [3, 2], line_width: 2 } },
  [feat('dhirauli-765kv', { name: 'Sasan–Satna 765 kV D/C line (proposed, through Dhirauli)' }, { type: 'LineString', coordinates: [[82.10, 23.98], [82.33, 23.95], [82.70, 24.10]] })]);
add({ id: 'transmission_lines_765kv', title: '765 kV lines', category: 'power', geometry_type: 'MultiLineString', style: { color: '#8e24aa', line_width: 2 } },
  [feat('jharsuguda-dharamjaygarh', { name: 'Jharsuguda–Dharamjaygarh 765 kV D/C line' }, { type: 'LineString', coordinates: [[84.02, 21.86], [83.45, 22.15], [83.2, 22.5]] })]);
add({ id: 'railway_lines_proposed', title: 'Proposed rail lines', category: 'proposed_projects', geometry_type: 'MultiLineString', style: { color: '#333333', line_dash: [4, 2], line_width: 2 } },
  [feat('pelma-sardega', { name: 'Pelma–Sardega rail line (proposed alignment)' }, { type: 'LineString', coordinates: [[83.16, 22.30], [83.5, 22.2], [83.9, 22.05]] }),
    feat('tentuloi-budhapank', { name: 'Tentuloi–Budhapank rail line (proposed alignment)' }, { type: 'LineString', coordinates: [[84.98, 21.10], [85.05, 21.05], [85.1, 21.02]] })]);

const cats = ['coal_resources', 'mining_operations', 'coal_logistics', 'land', 'power', 'rail', 'roads', 'environment', 'water', 'settlements', 'infrastructure', 'geology', 'social_infrastructure'];
const kinds = ['MultiPolygon', 'MultiLineString', 'Point'];
const colors = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666', '#1f78b4', '#b2df8a'];
for (let i = 0; layers.length < 109; i++) {
  const kind = kinds[i % 3];
  const fs = [];
  for (let j = 0; j < 15; j++) {
    const x = 79 + rnd() * 8; const y = 18 + rnd() * 7;
    const g = kind === 'Point' ? { type: 'Point', coordinates: [x, y] } : kind === 'MultiLineString' ? wavy(x, y, x + 0.5, y + 0.3, 0.02) : poly(x, y, 0.05);
    fs.push(feat(`f${j}`, { name: `Feature ${j + 1}`, code: j }, g));
  }
  add({ id: `layer_${String(i).padStart(3, '0')}`, title: `Demo layer ${i + 1}`, category: cats[i % cats.length], geometry_type: kind,
    attributes: [{ name: 'name', alias: 'Name', label_hi: 'नाम', type: 'text' }, { name: 'code', alias: 'Code', type: 'integer' }],
    style: { color: colors[i % colors.length], fill_opacity: 0.3, radius: 4 } }, fs);
}
add({ id: 'land_acquisition_restricted', title: 'Land acquisition notices (restricted)', category: 'land', geometry_type: 'MultiPolygon', access: 'restricted', style: { color: '#b71c1c' } },
  [feat('n1', { name: 'Notice 1' }, poly(82.4, 23.9, 0.05))]);

const indexes = new Map();
function tileIndex(id) {
  if (!indexes.has(id)) indexes.set(id, new GeoJSONVT(data.get(id), { maxZoom: 16, indexMaxZoom: 5, tolerance: 3, extent: 4096, buffer: 64 }));
  return indexes.get(id);
}
const visible = (req) => {
  const tok = (req.headers.authorization || '').replace(/^Bearer /, '');
  return layers.filter((l) => l.access === 'public' || tok === 'dev-token');
};

// Rough overlap check: the alignment sampled every ~10 m against each polygon.
const R = 6371008.8;
const hav = ([x1, y1], [x2, y2]) => {
  const p1 = y1 * Math.PI / 180; const p2 = y2 * Math.PI / 180;
  const a = Math.sin((p2 - p1) / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin((x2 - x1) * Math.PI / 360) ** 2;
  return 2 * R * Math.asin(Math.sqrt(a));
};
const inRing = ([x, y], ring) => {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]; const [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
};
const inGeom = (p, g) => (g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : []).some((pg) => inRing(p, pg[0]) && !pg.slice(1).some((h) => inRing(p, h)));
function check(line, against, row) {
  const samples = [];
  let ch = 0;
  for (let i = 1; i < line.length; i++) {
    const d = hav(line[i - 1], line[i]);
    const n = Math.max(1, Math.ceil(d / 10));
    for (let k = 0; k < n; k++) {
      const t0 = k / n; const t1 = (k + 1) / n;
      const a = [line[i - 1][0] + (line[i][0] - line[i - 1][0]) * t0, line[i - 1][1] + (line[i][1] - line[i - 1][1]) * t0];
      const b = [line[i - 1][0] + (line[i][0] - line[i - 1][0]) * t1, line[i - 1][1] + (line[i][1] - line[i - 1][1]) * t1];
      samples.push({ a, b, d: d / n, ch });
      ch += d / n;
    }
  }
  const out = []; const pieces = [];
  for (const lid of against) {
    for (const f of data.get(lid)?.features || []) {
      let len = 0; let inside = false; const entries = []; const exits = []; let cur = null;
      for (const s of samples) {
        const mid = [(s.a[0] + s.b[0]) / 2, (s.a[1] + s.b[1]) / 2];
        const hit = inGeom(mid, f.geometry);
        if (hit && !inside) { entries.push({ lon: s.a[0], lat: s.a[1], chainage_km: s.ch / 1000 }); cur = [s.a]; }
        if (!hit && inside) { exits.push({ lon: s.a[0], lat: s.a[1], chainage_km: s.ch / 1000 }); cur.push(s.a); pieces.push({ lid, f, coords: cur }); cur = null; }
        if (hit) { len += s.d; cur.push(s.b); }
        inside = hit;
      }
      if (inside) { const s = samples[samples.length - 1]; exits.push({ lon: s.b[0], lat: s.b[1], chainage_km: (s.ch + s.d) / 1000 }); pieces.push({ lid, f, coords: cur }); }
      if (len > 0) out.push({ layer: lid, id: f.id, name: f.properties.name, length_m: len, crossings: entries.length, entries, exits, corridor_area_ha: len * row / 1e4, share_of_alignment_pct: 100 * len / ch, share_of_polygon_pct: 1 });
    }
  }
  return { crossings: out, near_misses: [], summary: { length_m: ch, length_inside_m: out.reduce((a, c) => a + c.length_m, 0), polygons_crossed: out.length },
    pieces: pieces.map((p) => ({ type: 'Feature', properties: { layer: p.lid, id: p.f.id, name: p.f.properties.name }, geometry: { type: 'LineString', coordinates: p.coords } })) };
}

// A stand-in corridor table in the shape of GET /overlaps/corridors.
const CORRIDORS = [
  { id: '765-sc-delta', kind: 'transmission', voltage_kv: 765, circuit: 'sc-delta', row_width_m: 64, label: '765 kV S/C delta', min_section_m: 400, default_for_voltage: true },
  { id: '765-dc', kind: 'transmission', voltage_kv: 765, circuit: 'dc', row_width_m: 67, label: '765 kV D/C', min_section_m: 400 },
  { id: '765-sc-horizontal', kind: 'transmission', voltage_kv: 765, circuit: 'sc-horizontal', row_width_m: 85, label: '765 kV S/C horizontal', min_section_m: 400 },
  { id: '400', kind: 'transmission', voltage_kv: 400, row_width_m: 46, label: '400 kV S/C or D/C', min_section_m: 350, default_for_voltage: true },
  { id: '220', kind: 'transmission', voltage_kv: 220, row_width_m: 35, label: '220 kV', min_section_m: 300, default_for_voltage: true },
  { id: 'rail', kind: 'rail', row_width_m: 46, label: 'Railway (planning width)', min_section_m: 300, default_for_voltage: true },
];
const SOFT_DEFAULTS = { polygons: [{ layer: 'layer_002', cost_per_km: 1 }], crossings: [{ layer: 'rivers', penalty_km: 0.2 }, { layer: 'national_highways', penalty_km: 0.3 }], parallel: [], angle_point_km: 0.2 };
function corridorOf(c = {}) {
  if (c.row_width_m > 0) return { row_width_m: +c.row_width_m, label: `${c.row_width_m} m right of way` };
  if (c.rail) return CORRIDORS.find((x) => x.id === 'rail');
  if (c.voltage_kv) {
    const rows = CORRIDORS.filter((x) => x.voltage_kv === +c.voltage_kv);
    const r = c.circuit ? rows.find((x) => x.circuit === c.circuit) : rows.find((x) => x.default_for_voltage) || rows[0];
    if (!r) throw Object.assign(new Error(`no right-of-way width for ${c.voltage_kv} kV ${c.circuit || ''}`), { status: 400 });
    return r;
  }
  return CORRIDORS.find((x) => x.id === 'rail');
}

// Stand-in routes: the alignment's inner vertices pushed aside by growing
// offsets, scored roughly. Shaped as POST /routes answers, nothing more.
function routes(body, wantFormat) {
  const g = body.alignment?.geometry || body.alignment;
  const line = g.type === 'LineString' ? g.coordinates : g.coordinates.flat();
  const corridor = corridorOf(body.corridor);
  const k = body.k ?? 3;
  if (!(k >= 1 && k <= 5)) throw Object.assign(new Error('k: must be 1 to 5'), { status: 400 });
  const hard = body.hard || ['coal_blocks'];
  const len = (l) => l.slice(1).reduce((a, q, i) => a + hav(l[i], q), 0);
  const base = len(line);
  const score = (coords, rank, kind) => {
    const c = check(coords, hard, corridor.row_width_m);
    const L = len(coords);
    const angles = Math.max(0, coords.length - 2);
    return { rank, kind, geometry: { type: 'LineString', coordinates: coords }, length_m: L, added_length_m: L - base, added_pct: 100 * (L / base - 1), angle_points: angles,
      crossings: { hard: c.crossings.length, rivers: rank % 2, national_highways: 0 }, hard_crossed: c.crossings.map((x) => ({ layer: x.layer, id: x.id, name: x.name, length_m: x.length_m })),
      soft_ha: { layer_002: rank * 1.5 }, min_clearance_m: c.crossings.length ? 0 : 120 + 40 * rank, colocated_km: 0, shared_m: [],
      cost: L / 1000 + angles * 0.2 + (rank % 2) * 0.2, cost_breakdown: { length_km: L / 1000, soft_km: rank * 0.01, crossings_km: (rank % 2) * 0.2, parallel_km: 0, angles_km: angles * 0.2 } };
  };
  const out = [score(line, 0, 'original')];
  for (let i = 1; i <= k; i++) {
    const off = 0.03 * Math.ceil(i / 2) * (i % 2 ? 1 : -1);
    out.push(score(line.map(([x, y], j) => (j === 0 || j === line.length - 1 ? [x, y] : [x, y + off])), i, 'alternative'));
  }
  for (const r of out) r.shared_m = out.map((o) => (o === r ? r.length_m : r.kind === 'original' || o.kind === 'original' ? 0 : 0.1 * r.length_m));
  const answer = { parameters: { mode: body.mode || 'free', k, corridor: { row_width_m: corridor.row_width_m, label: corridor.label }, clearance_m: body.clearance_m || 0,
    margin_m: corridor.row_width_m / 2 + (body.clearance_m || 0), min_section_m: corridor.min_section_m || 300, hard, soft: body.soft || SOFT_DEFAULTS, max_shared: body.max_shared ?? 0.5 },
  data_versions: Object.fromEntries(hard.map((h) => [h, 1])), unavoidable: [], routes: out };
  if (wantFormat === 'geojson') return { type: 'FeatureCollection', features: out.map(({ geometry, ...p }) => ({ type: 'Feature', geometry, properties: p })) };
  if (wantFormat === 'csv') return `rank,kind,length_m,added_length_m,angle_points,cost\n${out.map((r) => [r.rank, r.kind, r.length_m.toFixed(1), r.added_length_m.toFixed(1), r.angle_points, r.cost.toFixed(3)].join(',')).join('\n')}\n`;
  return answer;
}

// The same policy as api/handle_map.go, so that the page is tried under it.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const send = (res, status, type, body, extra = {}) => { res.writeHead(status, { 'Content-Type': type, ...extra }); res.end(body); };
const json = (res, status, v) => send(res, status, 'application/json', JSON.stringify(v));
const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.map': 'application/json', '.txt': 'text/plain' };

http.createServer(async (req, res) => {
  const u = new URL(req.url, 'http://x');
  const p = u.pathname;
  try {
    if (p === '/map' || p === '/map/') return send(res, 200, 'text/html; charset=utf-8', await readFile(path.join(dist, 'index.html')), { 'Content-Security-Policy': CSP });
    if (p.startsWith('/map/assets/')) return send(res, 200, types[path.extname(p)] || 'application/octet-stream', await readFile(path.join(dist, 'assets', path.basename(p))));
    if (p === '/collections') return json(res, 200, { collections: visible(req), links: [] });
    let m = /^\/collections\/([^/]+)\/items\/([^/]+)$/.exec(p);
    if (m) {
      const l = visible(req).find((x) => x.id === m[1]);
      const f = l && data.get(l.id).features.find((x) => x.id === decodeURIComponent(m[2]));
      return f ? json(res, 200, f) : json(res, 404, { error: 'no such feature' });
    }
    m = /^\/tiles\/([^/]+)\.json$/.exec(p);
    if (m) {
      const ids = m[1].split(',');
      return json(res, 200, { tilejson: '3.0.0', tiles: [`http://${req.headers.host}/tiles/${m[1]}/{z}/{x}/{y}.mvt`], minzoom: 0, maxzoom: 16, bounds: [78, 17, 88.5, 26], vector_layers: ids.map((id) => ({ id, fields: {} })) });
    }
    m = /^\/tiles\/([^/]+)\/(\d+)\/(\d+)\/(\d+)\.mvt$/.exec(p);
    if (m) {
      const out = {};
      for (const id of m[1].split(',')) {
        if (!visible(req).some((l) => l.id === id)) return json(res, 404, { error: `no such layer: ${id}` });
        const t = tileIndex(id).getTile(+m[2], +m[3], +m[4]);
        if (t) out[id] = t;
      }
      return send(res, 200, 'application/vnd.mapbox-vector-tile', Buffer.from(fromGeojsonVt(out, { version: 2, extent: 4096 })));
    }
    if (p === '/overlaps/check' && req.method === 'POST') {
      let body = '';
      for await (const c of req) body += c;
      const g = JSON.parse(body);
      const geom = g.geometry || g;
      const line = geom.type === 'LineString' ? geom.coordinates : geom.coordinates.flat();
      const row = corridorOf({ row_width_m: +u.searchParams.get('row_width_m'), voltage_kv: +u.searchParams.get('voltage_kv'), circuit: u.searchParams.get('circuit'), rail: u.searchParams.get('rail') === 'true' }).row_width_m;
      const r = check(line, (u.searchParams.get('against') || 'coal_blocks').split(','), row);
      await new Promise((ok) => setTimeout(ok, 150));
      if (u.searchParams.get('f') === 'geojson') return json(res, 200, { type: 'FeatureCollection', features: r.pieces });
      if (u.searchParams.get('f') === 'csv') {
        return send(res, 200, 'text/csv', `layer,id,name,length_m,crossings,corridor_area_ha\n${r.crossings.map((c) => [c.layer, c.id, c.name, c.length_m.toFixed(1), c.crossings, c.corridor_area_ha.toFixed(2)].join(',')).join('\n')}\n`,
          { 'Content-Disposition': 'attachment; filename="check.csv"' });
      }
      for (const c of r.crossings) {
        c.pieces = { type: 'MultiLineString', coordinates: r.pieces.filter((f) => f.properties.layer === c.layer && f.properties.id === c.id).map((f) => f.geometry.coordinates) };
      }
      delete r.pieces;
      r.row_width_m = row;
      r.layers = (u.searchParams.get('against') || 'coal_blocks').split(',').map((layer) => ({ layer, version: 1 }));
      return json(res, 200, r);
    }
    if (p === '/overlaps/corridors') return json(res, 200, { corridors: CORRIDORS, default: 'rail', soft_defaults: SOFT_DEFAULTS });
    if (p === '/routes' && req.method === 'POST') {
      let body = '';
      for await (const c of req) body += c;
      const f = u.searchParams.get('f') || '';
      const out = routes(JSON.parse(body), f);
      await new Promise((ok) => setTimeout(ok, 200));
      if (f === 'csv') return send(res, 200, 'text/csv', out, { 'Content-Disposition': 'attachment; filename="routes.csv"' });
      return json(res, 200, out);
    }
    json(res, 404, { error: `no such resource: ${p}` });
  } catch (err) {
    json(res, err.status || 500, { error: String(err.message) });
  }
}).listen(port, '127.0.0.1', () => console.log(`mock coalmap on http://127.0.0.1:${port}/map`));
