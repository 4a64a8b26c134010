// A routing question as one plain object — the alignment, corridor,
// clearance, hard layers, soft costs, k, mode, waypoints — turned into the
// body of POST /routes, and into and out of a URL (the printable report's
// address reproduces it).
import { request } from './api.js';
import { corridorBody, corridorQuery, specOf } from './corridors.js';
import { alignmentFeature } from './formats.js';

/** routesBody is the POST /routes body of a plan, with its corridor as the request takes it. */
export function routesBody(plan, corridorBody) {
  const body = {
    alignment: alignmentFeature(plan.lines, { name: plan.name }),
    mode: plan.mode || 'free',
    k: plan.k ?? 3,
    corridor: corridorBody,
    clearance_m: plan.clearanceM ?? 0,
    hard: plan.hard?.length ? plan.hard : undefined,
  };
  if (plan.maxShared != null) body.max_shared = plan.maxShared;
  if (plan.waypoints?.length) body.waypoints = plan.waypoints;
  if (plan.soft) body.soft = plan.soft;
  return body;
}

/* ---------- the URL ---------- */

// Encoded polylines (Google's algorithm) at 1e-6 degrees: about 0.1 m.
const PREC = 1e6;

export function encodeLine(line) {
  let out = '';
  let px = 0;
  let py = 0;
  const put = (v) => {
    let s = v < 0 ? ~(v << 1) : v << 1;
    while (s >= 0x20) { out += String.fromCharCode((0x20 | (s & 0x1f)) + 63); s >>>= 5; }
    out += String.fromCharCode(s + 63);
  };
  for (const [x, y] of line) {
    const ix = Math.round(x * PREC);
    const iy = Math.round(y * PREC);
    put(iy - py); put(ix - px);
    py = iy; px = ix;
  }
  return out;
}

export function decodeLine(s) {
  const pts = [];
  let i = 0;
  let x = 0;
  let y = 0;
  const get = () => {
    let shift = 0;
    let r = 0;
    let b;
    do {
      if (i >= s.length) throw new Error('the line in the URL is cut short');
      b = s.charCodeAt(i++) - 63;
      r |= (b & 0x1f) << shift;
      shift += 5;
    } while (b >= 0x20);
    return r & 1 ? ~(r >> 1) : r >> 1;
  };
  while (i < s.length) {
    y += get();
    x += get();
    pts.push([x / PREC, y / PREC]);
  }
  return pts;
}

const pairs = (list, f) => list.map(f).join(',');
const parsePairs = (s, n) => (s ? s.split(',').filter(Boolean).map((t) => {
  const parts = t.split(':');
  const nums = parts.slice(1).map(Number);
  if (!parts[0] || nums.length !== n - 1 || !nums.every(Number.isFinite)) throw new Error(`“${t}” is not layer:${n === 2 ? 'number' : 'number:number'}`);
  return [parts[0], ...nums];
}) : []);

/** planToHash writes a plan as URL hash parameters. */
export function planToHash(plan) {
  const p = new URLSearchParams();
  if (plan.caseId) p.set('case', plan.caseId);
  else p.set('line', plan.lines.map(encodeLine).join(' '));
  if (plan.name && !plan.caseId) p.set('name', plan.name);
  p.set('corridor', plan.corridor);
  p.set('clearance', String(plan.clearanceM ?? 0));
  p.set('hard', (plan.hard || []).join(','));
  p.set('k', String(plan.k ?? 3));
  p.set('mode', plan.mode || 'free');
  if (plan.maxShared != null) p.set('shared', String(plan.maxShared));
  if (plan.waypoints?.length) p.set('wp', plan.waypoints.map(([x, y]) => `${x.toFixed(6)}:${y.toFixed(6)}`).join(','));
  if (plan.soft) {
    const s = plan.soft;
    p.set('sp', pairs(s.polygons || [], (x) => `${x.layer}:${x.cost_per_km}`));
    p.set('sx', pairs(s.crossings || [], (x) => `${x.layer}:${x.penalty_km}`));
    p.set('spar', pairs(s.parallel || [], (x) => `${x.layer}:${x.bonus_per_km}:${x.within_m}`));
    p.set('sa', String(s.angle_point_km ?? 0));
  }
  // ',' and ':' need no escaping in a fragment: keep the address readable.
  return p.toString().replace(/%2C/g, ',').replace(/%3A/g, ':');
}

/**
 * planFromHash reads hash parameters back; the alignment of a real case
 * (case=…) is left for the caller to load. Defaults: the corridor the caller
 * gives, clearance 0, hard coal_blocks, k 3, free, the service's soft costs.
 */
export function planFromHash(hash, { corridor } = {}) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const num = (k, d) => {
    if (!p.has(k) || p.get(k) === '') return d;
    const v = Number(p.get(k));
    if (!Number.isFinite(v)) throw new Error(`${k}=${p.get(k)} in the URL is not a number`);
    return v;
  };
  const plan = {
    caseId: p.get('case') || null,
    lines: p.get('line') ? p.get('line').split(' ').filter(Boolean).map(decodeLine) : [],
    name: p.get('name') || '',
    corridor: p.get('corridor') || corridor || '',
    clearanceM: num('clearance', 0),
    hard: p.has('hard') ? p.get('hard').split(',').filter(Boolean) : ['coal_blocks'],
    k: num('k', 3),
    mode: p.get('mode') || 'free',
    maxShared: num('shared', null),
    waypoints: p.get('wp') ? parsePairs(p.get('wp'), 2).map(([x, y]) => {
      if (!Number.isFinite(+x)) throw new Error(`waypoint ${x}:${y} in the URL is not lon:lat`);
      return [+x, y];
    }) : [],
    soft: null,
  };
  if (['sp', 'sx', 'spar', 'sa'].some((k) => p.has(k))) {
    plan.soft = {
      polygons: parsePairs(p.get('sp'), 2).map(([layer, v]) => ({ layer, cost_per_km: v })),
      crossings: parsePairs(p.get('sx'), 2).map(([layer, v]) => ({ layer, penalty_km: v })),
      parallel: parsePairs(p.get('spar'), 3).map(([layer, b, w]) => ({ layer, bonus_per_km: b, within_m: w })),
      angle_point_km: num('sa', 0),
    };
  }
  if (!plan.caseId && !plan.lines.length) throw new Error('the URL names no alignment: give case=… (dhirauli, pelma, tentuloi, jharsuguda) or line=…');
  return plan;
}

/* ---------- asking the service ---------- */


function specOrThrow(plan) {
  const spec = specOf(plan.corridor);
  if (!spec) throw new Error(`The corridor “${plan.corridor}” is not one the service knows.`);
  return spec;
}

/** postRoutes asks POST /routes (format: '' for JSON, 'geojson', 'csv'). */
export function postRoutes(plan, { format = '', signal } = {}) {
  const body = routesBody(plan, corridorBody(specOrThrow(plan)));
  return request(`/routes${format ? `?f=${encodeURIComponent(format)}` : ''}`, {
    method: 'POST', signal, what: 'the route planner',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** postCheckPlan asks POST /overlaps/check for a plan's alignment, against its hard layers. */
export function postCheckPlan(plan, { format = '', signal } = {}) {
  const p = new URLSearchParams();
  p.set('against', (plan.hard || []).join(','));
  corridorQuery(p, specOrThrow(plan));
  p.set('clearance_m', String(plan.clearanceM ?? 0));
  if (format) p.set('f', format);
  return request(`/overlaps/check?${p}`, {
    method: 'POST', signal, what: 'the overlap check',
    headers: { 'Content-Type': 'application/geo+json' },
    body: JSON.stringify(alignmentFeature(plan.lines, { name: plan.name })),
  });
}
