// Proposing routes: the panel's parameters (k, mode, shared fraction, soft
// costs, waypoints; the hard layers are the ones checked against), POST
// /routes, the alternatives drawn in their colours with a legend, the metrics
// table with the original as row 0, hover and click to compare, "Use this
// route", and the exports (GeoJSON and CSV from the service, KML here).
import { clearanceM, version } from './check.js';
import { corridor } from './corridors.js';
import { $, download, el, setStatus, slug } from './dom.js';
import { bboxOf, fmt, unionBbox } from './formats.js';
import { FONT, fitBbox } from './mapview.js';
import { planToHash, postRoutes } from './plan.js';
import { maxShared, metrics, normaliseRoutes, routeWidth, routesKML, sharedWith, shortLabel } from './routedata.js';
import { render as renderSoft, softCosts } from './softcosts.js';
import { app, state } from './state.js';
import { waypoints } from './waypoints.js';

const EMPTY = { type: 'FeatureCollection', features: [] };

/** currentPlan is the routing question the page's controls ask. */
export function currentPlan() {
  const shared = $('#routes-shared').value.trim();
  return {
    caseId: state.caseId,
    name: state.alignmentName,
    lines: state.lines,
    corridor: corridor().token,
    clearanceM: clearanceM(),
    hard: [...state.against],
    k: +$('#routes-k').value || 3,
    mode: $('#routes-mode').value,
    maxShared: shared === '' || $('#routes-mode').value === 'keep' ? null : Number(shared) / 100,
    soft: softCosts(),
    waypoints: waypoints(),
  };
}

/** reportURL is the printable report's address for a plan. */
export const reportURL = (plan = currentPlan()) => `/map?report=1#${planToHash(plan)}`;

/* ---------- on the map ---------- */

export function addRouteLayers(map) {
  map.addSource('routes', { type: 'geojson', data: EMPTY });
  const alt = ['!=', ['get', 'kind'], 'original'];
  const none = ['==', ['get', 'index'], -1];
  map.addLayer({ id: 'routes-casing', type: 'line', source: 'routes', filter: alt, layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#ffffff', 'line-width': ['+', ['get', 'width'], 3], 'line-opacity': 0.9 } });
  map.addLayer({ id: 'routes-line', type: 'line', source: 'routes', filter: alt, layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': ['get', 'color'], 'line-width': ['get', 'width'], 'line-opacity': 0.95 } });
  map.addLayer({ id: 'routes-focus-casing', type: 'line', source: 'routes', filter: none, layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#ffffff', 'line-width': 12 } });
  map.addLayer({ id: 'routes-focus', type: 'line', source: 'routes', filter: none, layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': ['get', 'color'], 'line-width': 7 } });
  map.addLayer({ id: 'routes-label', type: 'symbol', source: 'routes', filter: alt,
    layout: { 'symbol-placement': 'line', 'symbol-spacing': 350, 'text-field': ['get', 'label'], 'text-font': FONT, 'text-size': 12, 'text-offset': [0, -1] },
    paint: { 'text-color': ['get', 'color'], 'text-halo-color': '#ffffff', 'text-halo-width': 2 } });
  map.on('mousemove', 'routes-line', (e) => { if (!busyWithTools()) { map.getCanvas().style.cursor = 'pointer'; hover(e.features[0].properties.index); } });
  map.on('mouseleave', 'routes-line', () => { if (!busyWithTools()) map.getCanvas().style.cursor = ''; hover(null); });
}

const busyWithTools = () => app.draw?.isDrawing || app.draw?.drag;

/** routeAt is the route under a map click (for main's click handler), or null. */
export function routeAt(point) {
  if (!app.map.getLayer('routes-line')) return null;
  const f = app.map.queryRenderedFeatures(point, { layers: ['routes-line'] })[0];
  return f ? f.properties.index : null;
}

/* ---------- asking ---------- */

async function propose() {
  const btn = $('#propose');
  btn.disabled = true;
  const status = $('#routes-status');
  const v = version();
  try {
    const plan = currentPlan();
    setStatus(status, `Asking the planner for ${plan.k} route${plan.k === 1 ? '' : 's'}…`, { busy: true });
    const answer = await (await postRoutes(plan)).json();
    if (v !== version()) {
      setStatus(status, 'The alignment or the parameters changed meanwhile: propose again.', { error: true });
      return;
    }
    state.routes = answer;
    state.routesPlan = plan;
    const model = normaliseRoutes(answer);
    showRoutes(model);
    renderSoft(); // the defaults, once the service has said them
    const alts = model.routes.filter((r) => !r.original).length;
    const un = model.unavoidable.length ? ` Unavoidable (an end lies inside): ${model.unavoidable.map((u) => u.name || u.id).join(', ')}.` : '';
    setStatus(status, alts ? `${alts} alternative${alts === 1 ? '' : 's'}, ranked by cost; the original is row 0.${un}` : `The planner found no alternative.${un}`, { error: !alts });
  } catch (err) {
    setStatus(status, err.message, { error: true });
  } finally {
    btn.disabled = !state.lines.length;
  }
}

/* ---------- showing ---------- */

let model = null;
let hovered = null;
let pinned = null;

/** clearRoutes forgets the routes shown (the alignment changed). */
export function clearRoutes() {
  if (!model && !state.routes) return;
  state.routes = null;
  showRoutes(null);
  setStatus($('#routes-status'), '');
}

function showRoutes(m) {
  model = m;
  hovered = null;
  pinned = null;
  const map = app.map;
  // Alternatives in order, the first widest (see routeWidth).
  const nAlt = m ? m.routes.filter((r) => !r.original).length : 0;
  let a = 0;
  map.getSource('routes')?.setData(m ? {
    type: 'FeatureCollection',
    features: m.routes.filter((r) => r.geometry).map((r) => ({ type: 'Feature', geometry: r.geometry,
      properties: { index: r.index, rank: r.rank, kind: r.kind, color: r.color, label: r.label, width: r.original ? 3 : routeWidth(a++, nAlt) } })),
  } : EMPTY);
  const drawer = $('#routes-drawer');
  drawer.hidden = !m;
  $('#routes-legend').hidden = !m;
  updateButtons();
  if (!m) { map.resize(); return; }
  renderTable(m);
  renderLegend(m);
  updateFocus();
  // The drawer takes room from the map: resize before fitting.
  map.resize();
  let b = bboxOf(state.lines);
  for (const r of m.routes) b = unionBbox(b, bboxOf(r.geometry));
  for (const p of waypoints()) b = unionBbox(b, [p[0], p[1], p[0], p[1]]);
  fitBbox(b, { padding: 50, maxZoom: 14 });
}

function titleOf(id) { return state.byId.get(id)?.title; }

function renderTable(m) {
  const cols = metrics(m, titleOf);
  const grouped = new Map();
  for (const c of cols) if (c.group) grouped.set(c.group, (grouped.get(c.group) || 0) + 1);
  const head1 = [el('th', { scope: 'col', rowSpan: 2, text: 'Route' }), el('th', { scope: 'col', rowSpan: 2, class: 'actions-head', text: '' })];
  const head2 = [];
  const seen = new Set();
  for (const c of cols) {
    if (!c.group) { head1.push(el('th', { scope: 'col', rowSpan: 2, class: 'num', dataset: { metric: c.key }, text: c.label })); continue; }
    if (!seen.has(c.group)) { seen.add(c.group); head1.push(el('th', { scope: 'colgroup', colSpan: grouped.get(c.group), class: 'group', text: c.group })); }
    head2.push(el('th', { scope: 'col', class: 'num', dataset: { metric: c.key }, title: c.label, text: shortLabel(c.label) }));
  }
  const rows = m.routes.map((r) => el('tr', {
    tabIndex: 0, dataset: { index: r.index, rank: r.rank ?? '', kind: r.kind || '' },
    onmouseenter: () => hover(r.index), onmouseleave: () => hover(null),
    onclick: (e) => { if (!e.target.closest('button')) pin(r.index); },
    onkeydown: (e) => { if ((e.key === 'Enter' || e.key === ' ') && e.target === e.currentTarget) { e.preventDefault(); pin(r.index); } },
  },
  el('th', { scope: 'row', class: 'route-name' }, el('span', { class: 'route-swatch', 'aria-hidden': 'true' }), r.label),
  // The actions come first: they stay in sight however wide the table.
  el('td', { class: 'actions' },
    el('button', { type: 'button', class: 'icon', title: 'Zoom to this route', 'aria-label': `Zoom to ${r.label}`, text: '⤢', onclick: () => zoomTo(r) }),
    r.original ? el('span', { class: 'muted small', text: 'as drawn' }) : el('button', { type: 'button', class: 'use', text: 'Use this route', onclick: () => useRoute(r) })),
  cols.map((c) => {
    const td = el('td', { class: 'num', dataset: { metric: c.key, value: c.value(r) ?? '' }, text: c.text(r) });
    const t = c.title?.(r);
    if (t) td.title = t;
    return td;
  })));
  for (const tr of rows) tr.querySelector('.route-swatch').style.backgroundColor = m.routes[+tr.dataset.index].color;
  $('#routes-table').replaceChildren(
    el('caption', { text: `${m.routes.filter((r) => !r.original).length} alternatives ranked by cost (km-equivalents); hover or click a row or a line to compare` }),
    el('thead', {}, el('tr', {}, head1), head2.length ? el('tr', {}, head2) : null),
    el('tbody', {}, rows));
}

function renderLegend(m) {
  const box = $('#routes-legend');
  box.replaceChildren(el('strong', { text: 'Routes' }), el('ul', {}, m.routes.map((r) => {
    const sw = el('span', { class: `legend-line${r.original ? ' original' : ''}`, 'aria-hidden': 'true' });
    sw.style.borderTopColor = r.color;
    return el('li', { dataset: { index: r.index }, onmouseenter: () => hover(r.index), onmouseleave: () => hover(null), onclick: () => pin(r.index) },
      sw, el('span', { text: r.label }),
      el('span', { class: 'muted', text: r.original ? fmt.m(r.length_m) : `${fmt.m(r.length_m)} (${r.added_length_m < 0 ? '−' : '+'}${fmt.m(Math.abs(r.added_length_m))})` }));
  })));
}

function hover(i) {
  if (hovered === i) return;
  hovered = i;
  updateFocus();
}

function pin(i) {
  pinned = pinned === i ? null : i;
  updateFocus();
}

/** updateFocus draws the hovered (else the pinned) route on top and the others faded. */
function updateFocus() {
  const map = app.map;
  if (!model) return;
  const f = hovered ?? pinned;
  const filter = ['==', ['get', 'index'], f ?? -1];
  map.setFilter('routes-focus', filter);
  map.setFilter('routes-focus-casing', filter);
  map.setPaintProperty('routes-line', 'line-opacity', f == null ? 0.95 : ['case', ['==', ['get', 'index'], f], 1, 0.35]);
  for (const tr of document.querySelectorAll('#routes-table tbody tr')) {
    tr.classList.toggle('hover', +tr.dataset.index === hovered);
    tr.classList.toggle('pinned', +tr.dataset.index === pinned);
  }
  for (const li of document.querySelectorAll('#routes-legend li')) li.classList.toggle('hover', +li.dataset.index === f);
  // Compare: with a route pinned, the shared column says what each shares with it.
  const th = document.querySelector('#routes-table th[data-metric="shared"]');
  if (th) th.textContent = pinned == null ? 'Most shared' : `Shared with ${model.routes[pinned].label}`;
  for (const td of document.querySelectorAll('#routes-table td[data-metric="shared"]')) {
    const r = model.routes[+td.closest('tr').dataset.index];
    if (pinned == null) {
      const s = maxShared(r, model.routes);
      td.textContent = s ? `${fmt.m(s.m)} with ${model.routes[s.j].label}` : '—';
    } else if (r.index === pinned) td.textContent = '—';
    else {
      const m = sharedWith(r, pinned);
      td.textContent = `${fmt.m(m)} (${fmt.pct(r.length_m ? (100 * m) / r.length_m : null)})`;
    }
  }
}

function zoomTo(r) {
  fitBbox(bboxOf(r.geometry), { padding: 60, maxZoom: 15 });
}

function useRoute(r) {
  const base = state.alignmentName.replace(/ \((original|route \d+)\)$/i, '');
  const name = `${base} (${r.label.toLowerCase()})`;
  state.alignmentName = name;
  app.draw.set([r.geometry.coordinates]); // the check runs again; the routes are cleared
  state.caseId = null;
  setStatus($('#routes-status'), `${r.label} is now the alignment (${fmt.m(r.length_m)}); the check above is of it.`);
}

/* ---------- exports ---------- */

const stem = () => `${slug(state.routesPlan?.name || state.alignmentName)}-routes`;

async function exportService(format, ext, type) {
  const status = $('#routes-status');
  setStatus(status, `Preparing the routes as ${ext.toUpperCase()}…`, { busy: true });
  try {
    const r = await postRoutes(state.routesPlan, { format });
    download(`${stem()}.${ext}`, type, await r.blob());
    setStatus(status, `Routes downloaded as ${ext.toUpperCase()}.`);
  } catch (err) {
    setStatus(status, err.message, { error: true });
  }
}

function updateButtons() {
  $('#propose').disabled = !state.lines.length;
  for (const id of ['#routes-geojson', '#routes-csv', '#routes-kml']) $(id).disabled = !model;
}

export function wireRoutes() {
  $('#propose').addEventListener('click', propose);
  // In keep mode the alternatives share the kept alignment by design: no limit.
  const onMode = () => { $('#routes-shared').disabled = $('#routes-mode').value === 'keep'; };
  $('#routes-mode').addEventListener('change', onMode);
  onMode();
  $('#routes-geojson').addEventListener('click', () => exportService('geojson', 'geojson', 'application/geo+json'));
  $('#routes-csv').addEventListener('click', () => exportService('csv', 'csv', 'text/csv'));
  $('#routes-kml').addEventListener('click', () => download(`${stem()}.kml`, 'application/vnd.google-earth.kml+xml', routesKML(model, `${state.routesPlan?.name || state.alignmentName}: routes`)));
  $('#routes-close').addEventListener('click', clearRoutes);
  $('#report').addEventListener('click', () => {
    try {
      window.open(reportURL(), '_blank', 'noopener');
    } catch (err) {
      setStatus($('#routes-status'), err.message, { error: true });
    }
  });
  updateButtons();
}

export { updateButtons as updateRouteButtons };
