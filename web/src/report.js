// The printable clearance report of one alignment, at /map?report=1#… (the
// hash is a plan: see plan.js; case=dhirauli names a real case). It shows the
// title and parameters, the data versions of the layers used, a map of the
// alignment, its conflicts and the alternatives, the conflict table (POST
// /overlaps/check) and the alternatives table (POST /routes). Its print
// stylesheet makes a clean A4 document; body[data-report-ready] says when it
// is complete ("true", or "error").
import { getJSON } from './api.js';
import { basemapOf, normaliseCatalog } from './catalog.js';
import { fetchCase } from './cases.js';
import { chainageText, normaliseResult, sortedConflicts, summaryOf } from './conflicts.js';
import { loadCorridors, specOf } from './corridors.js';
import { $, el, setStatus } from './dom.js';
import { bboxOf, fmt, unionBbox } from './formats.js';
import { dateText } from './info.js';
import { planFromHash, planToHash, postCheckPlan, postRoutes } from './plan.js';
import { keyLabel, metrics, normaliseRoutes, routeWidth } from './routedata.js';
import { MAP_STYLE, drawMap } from './reportmap.js';
import { CASES, caseId, state } from './state.js';

const titleOf = (id) => state.byId.get(id)?.title;

export async function renderReport() {
  document.body.classList.add('report-mode');
  for (const n of document.querySelectorAll('body > header, body > main, .skip')) n.hidden = true;
  const root = $('#report-root');
  root.hidden = false;
  const status = el('div', { class: 'status', role: 'status' });
  root.replaceChildren(el('div', { class: 'report-toolbar no-print' },
    el('button', { type: 'button', class: 'primary', text: 'Print / save as PDF', onclick: () => window.print() }),
    el('a', { class: 'button', href: '/map', text: 'Back to the map' }),
    el('span', { class: 'muted small', text: 'A4 portrait; in the print dialog, turn off the browser’s own headers and footers.' }),
    status));
  setStatus(status, 'Preparing the report…', { busy: true });
  try {
    const [doc] = await Promise.all([getJSON('/collections', { what: 'loading the layer catalogue' }), loadCorridors()]);
    state.layers = normaliseCatalog(doc);
    state.byId = new Map(state.layers.map((l) => [l.id, l]));
    const plan = planFromHash(location.hash);
    if (plan.caseId) {
      const id = caseId(plan.caseId);
      if (!id) throw new Error(`There is no real case “${plan.caseId}” (known: ${Object.keys(CASES).join(', ')}).`);
      plan.caseId = id;
      const c = await fetchCase(id);
      plan.lines = c.lines;
      plan.name = plan.name || c.name;
      if (!plan.corridor) plan.corridor = CASES[id].corridor;
    }
    if (!plan.corridor) plan.corridor = state.corridors.default;
    const spec = specOf(plan.corridor);
    if (!spec) throw new Error(`The corridor “${plan.corridor}” is not one the service knows (known: ${state.corridors.list.map((c) => c.id).join(', ')}, or w<metres>).`);
    plan.name = plan.name || 'Alignment';
    document.title = `Clearance report — ${plan.name}`;

    const [checkJSON, routes] = await Promise.all([
      postCheckPlan(plan).then((r) => r.json()),
      postRoutes(plan).then((r) => r.json()).then((a) => ({ answer: a }), (err) => ({ error: err })),
    ]);
    const result = normaliseResult(checkJSON);
    const model = routes.answer ? normaliseRoutes(routes.answer) : null;
    const context = await loadContext(plan, model, result);
    root.append(...build(plan, spec, checkJSON, result, model, routes.error, context));
    setStatus(status, 'Ready to print.');
    document.body.dataset.reportReady = 'true';
  } catch (err) {
    setStatus(status, err.message, { error: true });
    root.append(el('section', { class: 'report-error' }, el('h1', { text: 'The report could not be prepared' }), el('p', { text: err.message })));
    document.body.dataset.reportReady = 'error';
  }
}

/* ---------- what the map shows besides the answers ---------- */

async function loadContext(plan, model, result) {
  let b = bboxOf(plan.lines);
  for (const r of model?.routes || []) b = unionBbox(b, bboxOf(r.geometry));
  const dx = (b[2] - b[0]) * 0.15 + 0.01;
  const dy = (b[3] - b[1]) * 0.15 + 0.01;
  const bbox = [b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy].map((v) => v.toFixed(5)).join(',');
  const items = async (id, limit) => {
    if (!state.byId.has(id)) return [];
    try {
      const fc = await getJSON(`/collections/${encodeURIComponent(id)}/items?bbox=${bbox}&limit=${limit}`, { what: `loading ${titleOf(id) || id}` });
      return (fc.features || []).map((f) => ({ ...f, key: `${id}/${f.id ?? f.properties?.feature_id}` }));
    } catch {
      return []; // the map loses a background layer, not the report
    }
  };
  const bm = basemapOf(state.layers);
  const pick = (pred) => state.layers.find(pred)?.id;
  const ids = {
    states: bm.states.map((l) => l.id),
    rivers: [pick((l) => l.id === 'rivers') || pick((l) => l.category === 'water' && l.kind === 'line')].filter(Boolean),
    roads: [pick((l) => l.id === 'national_highways')].filter(Boolean),
    rails: [pick((l) => l.id === 'railway_lines_existing') || pick((l) => l.category === 'rail' && l.kind === 'line')].filter(Boolean),
    hard: plan.hard,
    soft: (model?.parameters?.soft?.polygons || plan.soft?.polygons || []).map((x) => x.layer),
  };
  const out = {};
  await Promise.all(Object.entries(ids).map(async ([k, list]) => {
    out[k] = (await Promise.all(list.map((id) => items(id, k === 'hard' || k === 'soft' ? 3000 : 500)))).flat();
  }));
  // Outlines of the polygons crossed (the bbox query has them, but a
  // polygon may be cut by the limit): fetched one by one where missing.
  const outlines = new Map(out.hard.map((f) => [f.key, f.geometry]));
  await Promise.all([...result.conflicts, ...result.nearMisses].filter((c) => !outlines.has(c.key)).map(async (c) => {
    try {
      const f = await getJSON(`/collections/${encodeURIComponent(c.layer)}/items/${encodeURIComponent(c.id)}`, { what: `loading ${c.name}` });
      outlines.set(c.key, f.geometry);
    } catch { /* drawn by its pieces only */ }
  }));
  return { features: out, ids, outlines };
}

/* ---------- the document ---------- */

const section = (cls, title, ...body) => el('section', { class: `report-section ${cls}` }, el('h2', { text: title }), ...body);

function build(plan, spec, checkJSON, result, model, routesError, context) {
  const sum = summaryOf(result, plan.lines);
  const best = model?.routes.find((r) => !r.original);
  return [
    el('header', { class: 'report-head' },
      el('p', { class: 'kicker', text: 'coalmap · clearance report' }),
      el('h1', { text: `Clearance report: ${plan.name}` }),
      el('p', { class: 'muted', text: `Prepared ${dateText(new Date().toISOString())} from ${location.origin}. Lengths and areas are geodesic (WGS 84).` })),
    el('div', { class: 'kpis' },
      kpi(fmt.m(sum.alignLen), 'alignment'),
      kpi(String(result.conflicts.length), result.conflicts.length === 1 ? 'polygon crossed' : 'polygons crossed', result.conflicts.length ? 'bad' : 'good'),
      kpi(fmt.m(sum.inside), `inside (${fmt.pct(sum.share)})`),
      kpi(fmt.ha(sum.areaHa), 'corridor area inside'),
      kpi(best ? `${best.added_length_m < 0 ? '−' : '+'}${fmt.m(Math.abs(best.added_length_m))}` : '—',
        best ? `${best.label} (best), ${best.crossings?.hard ?? 0} hard crossing${best.crossings?.hard === 1 ? '' : 's'}${model.unavoidable.length ? ', unavoidable' : ''}` : 'no alternative')),
    parametersSection(plan, spec, checkJSON, model),
    mapSection(plan, result, model, context),
    conflictsSection(result, checkJSON),
    alternativesSection(model, routesError),
    versionsSection(checkJSON, model, context),
    el('footer', { class: 'report-foot' },
      el('p', { class: 'small muted' }, 'Reproduce this report: ', el('a', { href: `/map?report=1#${planToHash(plan)}`, text: `${location.origin}/map?report=1#${planToHash(plan)}` }))),
  ];
}

const kpi = (v, label, cls = '') => el('div', { class: `kpi ${cls}` }, el('strong', { text: v }), el('span', { text: label }));

function layerList(ids) {
  return ids.length ? ids.map((id) => `${titleOf(id) || id} (${id})`).join(', ') : 'none';
}

function softText(soft) {
  if (!soft) return 'the service’s defaults';
  const parts = [];
  for (const x of soft.polygons || []) parts.push(`${titleOf(x.layer) || x.layer}: ${x.cost_per_km} km-eq. per km inside`);
  for (const x of soft.crossings || []) parts.push(`${titleOf(x.layer) || x.layer}: ${x.penalty_km} km-eq. per crossing`);
  for (const x of soft.parallel || []) parts.push(`${titleOf(x.layer) || x.layer}: −${x.bonus_per_km} km-eq. per km within ${x.within_m} m`);
  if (soft.angle_point_km != null) parts.push(`angle point: ${soft.angle_point_km} km-eq.`);
  return parts.length ? parts.join('; ') : 'none';
}

function parametersSection(plan, spec, checkJSON, model) {
  const p = model?.parameters || {};
  const e = spec.entry;
  const rowW = p.corridor?.row_width_m ?? checkJSON.row_width_m ?? spec.widthM;
  const margin = p.margin_m ?? rowW / 2 + (plan.clearanceM || 0);
  const nv = plan.lines.reduce((a, l) => a + l.length, 0);
  const first = plan.lines[0]?.[0];
  const last = plan.lines.at(-1)?.at(-1);
  const ll = (c) => (c ? `${c[1].toFixed(5)}° N, ${c[0].toFixed(5)}° E` : '—');
  const rows = [
    ['Alignment', `${plan.name}${plan.caseId ? ` (real case: ${CASES[plan.caseId].label})` : ''}; ${nv} vertices; A ${ll(first)} → B ${ll(last)}`],
    ['Corridor', `${p.corridor?.label || spec.label}: RoW ${fmt.int(rowW)} m${e?.voltage_kv ? ` (${e.voltage_kv} kV${e.circuit ? `, ${e.circuit}` : ''})` : ''}${(p.min_section_m ?? e?.min_section_m) ? `; minimum section ${fmt.int(p.min_section_m ?? e.min_section_m)} m` : ''}`],
    ['Clearance', `${fmt.int(plan.clearanceM)} m; the routes keep ${fmt.int(margin)} m (half the RoW plus the clearance) from every hard polygon`],
    ['Hard layers (checked against, avoided)', layerList(p.hard || plan.hard)],
    ['Soft costs', softText(p.soft || plan.soft)],
    ['Routing', (p.mode || plan.mode) === 'keep'
      ? `keep: the clear parts of the alignment are kept, each conflicting stretch replaced; ${p.k ?? plan.k} alternatives asked`
      : `free: between the ends; ${p.k ?? plan.k} alternatives asked; any two share at most ${fmt.int(100 * (p.max_shared ?? plan.maxShared ?? 0.5))} % of their length`],
    ['Waypoints', plan.waypoints.length ? plan.waypoints.map((c, i) => `${i + 1}: ${ll(c)}`).join('; ') : 'none'],
  ];
  return section('params', 'Parameters',
    el('dl', { class: 'params' }, rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })])));
}

function mapSection(plan, result, model, context) {
  const routes = model?.routes || [];
  const ctx = context.features;
  const mapEl = drawMap({
    title: `Map of ${plan.name}`,
    lines: plan.lines, routes, waypoints: plan.waypoints, result, outlines: context.outlines,
    context: { states: ctx.states, rivers: ctx.rivers, roads: ctx.roads, rails: ctx.rails, hard: ctx.hard, soft: ctx.soft },
    // Wide rather than tall: the map shares the first page with the parameters.
    size: { width: 1000, maxHeight: 640, minHeight: 560 },
  });
  const S = MAP_STYLE;
  const item = (kind, color, label, extra = {}) => {
    const sw = el('span', { class: `lg lg-${kind}`, 'aria-hidden': 'true' });
    if (kind === 'line') sw.style.borderTopColor = color;
    else { sw.style.backgroundColor = color; sw.style.borderColor = extra.stroke || color; }
    if (extra.width) sw.style.borderTopWidth = `${Math.max(2, extra.width * 0.6)}px`;
    return el('li', {}, sw, label);
  };
  const legend = el('ul', { class: 'report-legend' },
    item('line', routes.find((r) => r.original)?.color || '#1f3fe0', `Alignment (A → B)${routes.some((r) => r.original) ? ': Original' : ''}`),
    routes.filter((r) => !r.original).map((r, i, alts) => item('line', r.color, `${r.label} (marker ${r.rank ?? i + 1})`, { width: routeWidth(i, alts.length) })),
    item('area', S.conflict.fill, 'Polygon crossed', { stroke: S.conflict.stroke }),
    result.nearMisses.length ? item('area', S.near.fill, 'Near miss', { stroke: S.near.stroke }) : null,
    item('area', S.hard.fill, `Other polygons of ${context.ids.hard.map((id) => titleOf(id) || id).join(', ')}`, { stroke: S.hard.stroke }),
    context.ids.soft.length ? item('area', S.soft.fill, `Soft layers: ${context.ids.soft.map((id) => titleOf(id) || id).join(', ')}`, { stroke: S.soft.stroke }) : null,
    ctx.rivers.length ? item('line', S.river, 'Rivers') : null,
    ctx.roads.length ? item('line', S.road, 'National highways') : null,
    ctx.rails.length ? item('line', S.rail, 'Railways') : null,
    plan.waypoints.length ? item('area', '#ffffff', 'Waypoints', { stroke: '#6a1b9a' }) : null);
  return el('section', { class: 'report-section map-section' },
    el('h2', { text: 'Map' }),
    el('figure', {}, mapEl, el('figcaption', {}, legend)));
}

function conflictsSection(result, checkJSON) {
  const rows = sortedConflicts(result);
  const { total, share } = summaryOf(result, []);
  const table = el('table', { class: 'report-table conflicts-table' },
    el('thead', {}, el('tr', {}, ['Polygon', 'Layer', 'Length inside', 'Crossings', 'Corridor area', 'Entry → exit (km)'].map((h, i) => el('th', { scope: 'col', class: i >= 2 && i <= 4 ? 'num' : '', text: h })))),
    el('tbody', {}, rows.length ? rows.map((c) => el('tr', {},
      el('td', {}, el('strong', { text: c.name }), c.allocatee ? el('div', { class: 'small muted', text: c.allocatee }) : null),
      el('td', { text: titleOf(c.layer) || c.layer }),
      el('td', { class: 'num', text: fmt.m(c.lengthM) }),
      el('td', { class: 'num', text: fmt.int(c.crossings) }),
      el('td', { class: 'num', text: fmt.ha(c.areaHa) }),
      el('td', { text: chainageText(c) }))) : el('tr', {}, el('td', { colSpan: 6, text: 'The alignment crosses no polygon of the hard layers.' }))),
    rows.length ? el('tfoot', {}, el('tr', {},
      el('th', { scope: 'row', colSpan: 2, text: `Total (${rows.length})` }),
      el('td', { class: 'num', text: fmt.m(total.length) }),
      el('td', { class: 'num', text: fmt.int(total.crossings) }),
      el('td', { class: 'num', text: fmt.ha(total.area) }),
      el('td', { text: share != null ? `${fmt.pct(share)} of the line` : '' }))) : null);
  return section('conflicts', 'Conflicts of the alignment', table,
    result.nearMisses.length ? el('p', { class: 'small' }, el('strong', { text: `Near misses within ${fmt.int(checkJSON.clearance_m ?? 0)} m: ` }),
      result.nearMisses.map((n) => `${n.name} (${fmt.m(n.distanceM)})`).join('; ')) : null);
}

function alternativesSection(model, error) {
  if (!model) {
    return section('alternatives', 'Alternatives', el('p', { class: 'error', text: `The route planner gave no alternatives: ${error?.message || 'no answer'}` }));
  }
  const routes = model.routes;
  const cols = metrics(model, titleOf);
  const head = el('tr', {}, el('th', { scope: 'col', text: 'Metric' }), routes.map((r) => {
    const sw = el('span', { class: 'route-swatch', 'aria-hidden': 'true' });
    sw.style.backgroundColor = r.color;
    return el('th', { scope: 'col', class: 'num' }, sw, r.label);
  }));
  // One tbody per group of rows: a group is not cut across pages.
  const bodies = [];
  let rows = null;
  let group;
  const open = (g) => {
    group = g;
    rows = [];
    bodies.push(rows);
    if (g) rows.push(el('tr', { class: 'group' }, el('th', { scope: 'colgroup', colSpan: routes.length + 1, text: g })));
  };
  for (const c of cols) {
    if (c.key === 'shared') {
      // The report has room for the whole matrix: what each shares with each.
      open('Length shared with');
      for (const o of routes) {
        rows.push(el('tr', {}, el('th', { scope: 'row', class: 'sub', text: o.label }),
          routes.map((r) => el('td', { class: 'num', text: r.index === o.index ? '—' : fmt.m(r.shared_m?.[o.index] ?? 0) }))));
      }
      open(undefined);
      continue;
    }
    if (rows === null || (c.group || null) !== (group || null)) open(c.group || null);
    rows.push(el('tr', {}, el('th', { scope: 'row', class: group ? 'sub' : '', text: c.label }),
      routes.map((r) => el('td', { class: 'num', text: c.text(r) }))));
  }
  open(null);
  const body = rows;
  body.push(el('tr', {}, el('th', { scope: 'row', text: 'Hard polygons crossed' }),
    routes.map((r) => el('td', { class: 'small', text: (r.hard_crossed || []).map((h) => h.name || h.id).join(', ') || 'none' }))));
  if (routes.some((r) => r.replaced?.length)) {
    body.push(el('tr', {}, el('th', { scope: 'row', text: 'Stretches replaced (km)' }),
      routes.map((r) => el('td', { class: 'small', text: (r.replaced || []).map((x) => `${fmt.km(x.from_m / 1000)}–${fmt.km(x.to_m / 1000)}`).join(', ') || '—' }))));
  }
  const un = model.unavoidable;
  return section('alternatives', 'Alternatives',
    el('p', { class: 'small muted keep-next', text: 'Ranked by cost in km-equivalents: length + soft-layer km × cost + crossings × penalty − parallel km × bonus + angle points × cost. The original alignment, scored the same way, is the first column.' }),
    un.length ? el('p', { class: 'small keep-next' }, el('strong', { text: 'Unavoidable (an end or waypoint lies inside, so every route crosses it): ' }), un.map((u) => `${u.name || u.id} (${titleOf(u.layer) || u.layer})`).join(', ')) : null,
    el('table', { class: 'report-table alternatives-table' }, el('thead', {}, head), bodies.filter((b) => b.length).map((b) => el('tbody', {}, b))));
}

function versionsSection(checkJSON, model, context) {
  const used = new Map();
  const add = (id, v, role) => {
    const e = used.get(id) || { id, version: v, roles: new Set() };
    if (e.version == null) e.version = v;
    e.roles.add(role);
    used.set(id, e);
  };
  for (const [id, v] of Object.entries(model?.dataVersions || {})) add(id, v, 'routes');
  for (const l of checkJSON.layers || []) add(l.layer, l.version, 'check');
  for (const k of ['states', 'rivers', 'roads', 'rails']) for (const id of context.ids[k]) add(id, state.byId.get(id)?.dataVersion, 'map background');
  const rows = [...used.values()].map((e) => {
    const l = state.byId.get(e.id);
    return el('tr', {},
      el('td', { text: l?.title || keyLabel(e.id, titleOf) }),
      el('td', {}, el('code', { text: e.id })),
      el('td', { class: 'num', text: e.version != null ? String(e.version) : '—' }),
      el('td', { class: 'nowrap', text: l ? dateText(l.lineage?.imported_at) || '—' : '—' }),
      el('td', { text: [...e.roles].join(', ') }));
  });
  return section('versions', 'Data versions of the layers used',
    el('table', { class: 'report-table versions-table' },
      el('thead', {}, el('tr', {}, ['Layer', 'Id', 'Data version', 'Last import', 'Used by'].map((h, i) => el('th', { scope: 'col', class: i === 2 ? 'num' : '', text: h })))),
      el('tbody', {}, rows)));
}
