// The check panel: the layers to check against, the corridor and clearance,
// POST /overlaps/check run as the alignment changes (serially: a drag shows
// every answer, the last one wins), the conflicts table with totals, their
// highlights on the map, and the report's exports.
import { getJSON, request } from './api.js';
import { categoryRank } from './catalog.js';
import { chainageText, piecesCollection, piecesOf, normaliseResult, sortedConflicts, summaryOf } from './conflicts.js';
import { corridor, corridorQuery } from './corridors.js';
import { $, download, el, setStatus, slug } from './dom.js';
import { alignmentFeature, bboxOf, fmt, toKML, unionBbox } from './formats.js';
import { searchText, swatch } from './layerpanel.js';
import { FONT, fitBbox } from './mapview.js';
import { COAL_BLOCKS, app, state } from './state.js';

const listeners = [];
/** onChecked registers fn(result) to run after every check (result null when none). */
export const onChecked = (fn) => listeners.push(fn);

/* ---------- the layers checked against (the routes' hard constraints) ---------- */

export function renderAgainstList() {
  const box = $('#against-list');
  const polys = state.layers.filter((l) => l.kind === 'polygon')
    .sort((a, b) => (b.id === COAL_BLOCKS) - (a.id === COAL_BLOCKS) || categoryRank(a.category) - categoryRank(b.category) || a.title.localeCompare(b.title));
  for (const id of [...state.against]) if (!state.byId.has(id) && state.layers.length) state.against.delete(id);
  box.replaceChildren(...polys.map((l) => el('label', { class: 'against', dataset: { search: searchText(l) } },
    el('input', { type: 'checkbox', value: l.id, checked: state.against.has(l.id),
      onchange: (e) => { if (e.target.checked) state.against.add(l.id); else state.against.delete(l.id); requestCheck(); } }),
    swatch(l), el('span', { text: l.title }))));
  filterAgainst();
}

export function filterAgainst() {
  const q = $('#against-filter').value.trim().toLowerCase();
  for (const lab of document.querySelectorAll('#against-list label')) {
    lab.hidden = !!q && !lab.dataset.search.includes(q) && !lab.querySelector('input').checked;
  }
}

/** setAgainst replaces the layers checked against. */
export function setAgainst(ids) {
  state.against = new Set(ids.filter((x) => !state.layers.length || state.byId.has(x)));
  renderAgainstList();
}

export const clearanceM = () => Math.max(0, +$('#clearance').value || 0);

/** checkQuery is the check's query: layers, corridor, clearance. */
export function checkQuery() {
  const p = new URLSearchParams();
  p.set('against', [...state.against].join(','));
  corridorQuery(p, corridor());
  p.set('clearance_m', String(clearanceM()));
  return p;
}

export async function postCheck(format, signal) {
  const p = checkQuery();
  if (format) p.set('f', format);
  return request(`/overlaps/check?${p}`, {
    method: 'POST', signal, what: 'the overlap check',
    headers: { 'Content-Type': 'application/geo+json' },
    body: JSON.stringify(alignmentFeature(state.lines, { name: state.alignmentName })),
  });
}

/* ---------- running the check ---------- */

export const IDLE_HINT = 'Draw or upload an alignment, or pick a real case at the top, to see the coal blocks it crosses.';
let checkVersion = 0; // bumped by every change of alignment or parameters
let checking = false;
let checkTimer;

/** version is a counter bumped by every change of alignment or parameters. */
export const version = () => checkVersion;

/** requestCheck runs the check soon; while one runs, the latest change waits for it. */
export function requestCheck({ delay = 0 } = {}) {
  checkVersion++;
  clearTimeout(checkTimer);
  checkTimer = setTimeout(pumpCheck, delay);
}

async function pumpCheck() {
  if (checking) return; // the running one re-pumps when it ends
  checking = true;
  try {
    let done = -1;
    while (done !== checkVersion) {
      done = checkVersion;
      await runCheck(done);
    }
  } finally {
    checking = false;
  }
}

async function runCheck(v) {
  updateExports();
  if (!state.lines.length) { showResult(null); setStatus($('#check-status'), IDLE_HINT); return; }
  if (!state.against.size) { showResult(null); setStatus($('#check-status'), 'Pick at least one layer to check against.', { error: true }); return; }
  const names = [...state.against].map((id) => state.byId.get(id)?.title || id);
  setStatus($('#check-status'), `Checking against ${names.length > 2 ? `${names.length} layers` : names.join(' and ')}…`, { busy: true });
  $('#check-panel').setAttribute('aria-busy', 'true');
  try {
    const json = await (await postCheck('')).json();
    // The pieces inside each polygon come with the JSON answer; a service
    // that leaves them out is asked for its GeoJSON form as well.
    const list = json.crossings || [];
    const gj = list.every((c) => c.pieces) ? piecesCollection(list) : await (await postCheck('geojson')).json();
    // While a vertex is dragged, newer changes are already waiting: the
    // answer is shown all the same, so that the table follows the drag; the
    // next run (serial, see pumpCheck) replaces it.
    const result = normaliseResult(json, gj);
    await loadBlocks(result);
    // The service says which width it used.
    if (Number.isFinite(json.row_width_m) && json.row_width_m > 0) app.draw.setCorridor(json.row_width_m);
    showResult(result);
    const n = result.conflicts.length;
    setStatus($('#check-status'), n ? `${n} conflict${n === 1 ? '' : 's'} found.` : 'No conflict: the alignment crosses none of the chosen layers.');
  } catch (err) {
    if (v !== checkVersion) return; // a newer run follows and says what it finds
    showResult(null);
    setStatus($('#check-status'), err.message, { error: true });
  } finally {
    $('#check-panel').removeAttribute('aria-busy');
  }
}

/** loadBlocks fetches the outline of every crossed polygon once, to highlight it. */
async function loadBlocks(result) {
  const want = [...result.conflicts, ...result.nearMisses].filter((c) => c.layer && c.id && !state.blockCache.has(c.key));
  await Promise.all(want.map(async (c) => {
    try {
      const f = await getJSON(`/collections/${encodeURIComponent(c.layer)}/items/${encodeURIComponent(c.id)}`, { what: `loading ${c.name}` });
      state.blockCache.set(c.key, f.type === 'Feature' ? f : f.features?.[0] || null);
    } catch {
      state.blockCache.set(c.key, null); // highlighted by its pieces only
    }
  }));
}

/* ---------- the conflicts table ---------- */

let selectedKey = null;
export const clearSelection = () => { selectedKey = null; };

function showResult(result) {
  state.result = result;
  const tbody = $('#conflicts tbody');
  const tfoot = $('#conflicts tfoot');
  tbody.replaceChildren();
  tfoot.replaceChildren();
  $('#near-misses').replaceChildren();
  $('#summary').replaceChildren();
  updateHighlights();
  updateExports();
  $('#conflicts').classList.toggle('empty', !result?.conflicts.length);
  $('#conflicts').hidden = !result;
  for (const fn of listeners) fn(result);
  if (!result) return;
  const { total, alignLen, inside, share, areaHa } = summaryOf(result, state.lines);
  $('#summary').append(
    el('div', { class: 'kpi' }, el('strong', { text: fmt.m(alignLen) }), el('span', { text: 'alignment' })),
    el('div', { class: `kpi ${result.conflicts.length ? 'bad' : 'good'}` }, el('strong', { text: String(result.conflicts.length) }), el('span', { text: result.conflicts.length === 1 ? 'polygon crossed' : 'polygons crossed' })),
    el('div', { class: 'kpi' }, el('strong', { text: fmt.m(inside) }), el('span', { text: `inside (${fmt.pct(share)})` })),
    el('div', { class: 'kpi' }, el('strong', { text: fmt.ha(areaHa) }), el('span', { text: 'corridor area' })));
  for (const c of sortedConflicts(result)) {
    const layerTitle = state.byId.get(c.layer)?.title || c.layer;
    const tr = el('tr', { tabIndex: 0, dataset: { key: c.key, layer: c.layer, id: c.id, lengthM: c.lengthM ?? '' },
      class: c.key === selectedKey ? 'selected' : '',
      title: 'Zoom to this conflict',
      onclick: () => selectConflict(c.key),
      onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); selectConflict(c.key); } } },
    el('td', {}, el('span', { class: 'name', text: c.name }),
      el('div', { class: 'muted small', text: [layerTitle, c.allocatee, c.sharePolygon != null ? `${fmt.pct(c.sharePolygon)} of its area` : ''].filter(Boolean).join(' · ') })),
    el('td', { class: 'num', text: fmt.m(c.lengthM) }),
    el('td', { class: 'num', text: fmt.int(c.crossings) }),
    el('td', { class: 'num', text: fmt.ha(c.areaHa) }),
    el('td', { class: 'chain', text: chainageText(c) }));
    tbody.append(tr);
  }
  if (result.conflicts.length) {
    tfoot.append(el('tr', {},
      el('th', { scope: 'row', text: `Total (${result.conflicts.length})` }),
      el('td', { class: 'num', text: fmt.m(total.length) }),
      el('td', { class: 'num', text: fmt.int(total.crossings) }),
      el('td', { class: 'num', text: fmt.ha(total.area) }),
      el('td', { class: 'small', text: share != null ? `${fmt.pct(share)} of the line` : '' })));
  } else {
    tbody.append(el('tr', { class: 'none' }, el('td', { colSpan: 5, text: 'No polygon of the chosen layers is crossed.' })));
  }
  if (result.nearMisses.length) {
    $('#near-misses').append(el('h3', { text: `Near misses within ${fmt.int(clearanceM())} m` }),
      el('ul', {}, result.nearMisses.map((n) => el('li', {},
        el('button', { type: 'button', class: 'link', text: n.name, onclick: () => selectConflict(n.key) }),
        n.distanceM != null ? ` — ${fmt.m(n.distanceM)} away` : ''))));
  }
}

/* ---------- highlights on the map ---------- */

function updateHighlights() {
  const map = app.map;
  const r = state.result;
  const blocks = [];
  const points = [];
  if (r) {
    for (const c of [...r.conflicts, ...r.nearMisses]) {
      const f = state.blockCache.get(c.key);
      if (f?.geometry) blocks.push({ type: 'Feature', geometry: f.geometry, properties: { key: c.key, near: !r.conflicts.includes(c), selected: c.key === selectedKey } });
    }
    for (const c of r.conflicts) {
      c.entries.forEach((p) => Number.isFinite(p.lon) && points.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] }, properties: { kind: 'entry', label: `in ${fmt.km(p.chainage_km)} km` } }));
      c.exits.forEach((p) => Number.isFinite(p.lon) && points.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] }, properties: { kind: 'exit', label: `out ${fmt.km(p.chainage_km)} km` } }));
    }
  }
  const pieces = (r?.geojson?.features || []).map((f) => ({ ...f, properties: { ...f.properties, key: `${f.properties?.layer}/${f.properties?.id ?? f.properties?.feature_id}` } }));
  map.getSource('hl-blocks')?.setData({ type: 'FeatureCollection', features: blocks });
  map.getSource('hl-pieces')?.setData({ type: 'FeatureCollection', features: pieces });
  map.getSource('hl-points')?.setData({ type: 'FeatureCollection', features: points });
}

/** addHighlightLayers adds the conflicts' layers (below the alignment) and the selection's. */
export function addHighlightLayers(map) {
  const empty = { type: 'FeatureCollection', features: [] };
  map.addSource('hl-blocks', { type: 'geojson', data: empty });
  map.addSource('hl-pieces', { type: 'geojson', data: empty });
  map.addSource('hl-points', { type: 'geojson', data: empty });
  map.addLayer({ id: 'hl-blocks-fill', type: 'fill', source: 'hl-blocks',
    paint: { 'fill-color': ['case', ['get', 'near'], '#f0a020', '#e3261b'], 'fill-opacity': ['case', ['get', 'selected'], 0.38, 0.22] } }, 'anchor-highlight');
  map.addLayer({ id: 'hl-blocks-line', type: 'line', source: 'hl-blocks',
    paint: { 'line-color': ['case', ['get', 'near'], '#c77800', '#b3130a'], 'line-width': ['case', ['get', 'selected'], 3.5, 2], 'line-dasharray': ['case', ['get', 'near'], ['literal', [2, 2]], ['literal', [1, 0]]] } }, 'anchor-highlight');
  map.addLayer({ id: 'hl-pieces-line', type: 'line', source: 'hl-pieces', filter: ['in', ['geometry-type'], ['literal', ['LineString', 'MultiLineString']]],
    layout: { 'line-cap': 'round' }, paint: { 'line-color': '#b3130a', 'line-width': 12, 'line-opacity': 0.75 } }, 'anchor-highlight');
  map.addLayer({ id: 'hl-pieces-fill', type: 'fill', source: 'hl-pieces', filter: ['in', ['geometry-type'], ['literal', ['Polygon', 'MultiPolygon']]],
    paint: { 'fill-color': '#b3130a', 'fill-opacity': 0.45 } }, 'anchor-highlight');
  map.addSource('selection', { type: 'geojson', data: empty });
  map.addLayer({ id: 'selection-line', type: 'line', source: 'selection', filter: ['!=', ['geometry-type'], 'Point'],
    layout: { 'line-join': 'round', 'line-cap': 'round' }, paint: { 'line-color': '#00a2e8', 'line-width': 3.5, 'line-opacity': 0.9 } }, 'anchor-highlight');
  map.addLayer({ id: 'selection-point', type: 'circle', source: 'selection', filter: ['==', ['geometry-type'], 'Point'],
    paint: { 'circle-radius': 9, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#00a2e8', 'circle-stroke-width': 3 } }, 'anchor-highlight');
  map.addLayer({ id: 'hl-points', type: 'circle', source: 'hl-points',
    paint: { 'circle-radius': 5, 'circle-color': ['case', ['==', ['get', 'kind'], 'entry'], '#1a9850', '#d73027'], 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } }, 'anchor-routes');
  map.addLayer({ id: 'hl-points-label', type: 'symbol', source: 'hl-points', minzoom: 10,
    layout: { 'text-field': ['get', 'label'], 'text-font': FONT, 'text-size': 11, 'text-offset': [0, 1.2], 'text-anchor': 'top' },
    paint: { 'text-color': '#222', 'text-halo-color': '#fff', 'text-halo-width': 1.5 } }, 'anchor-routes');
}

export function selectConflict(key, { fit = true } = {}) {
  selectedKey = key;
  for (const tr of document.querySelectorAll('#conflicts tbody tr')) tr.classList.toggle('selected', tr.dataset.key === key);
  updateHighlights();
  if (!fit || !state.result) return;
  const c = [...state.result.conflicts, ...state.result.nearMisses].find((x) => x.key === key);
  if (!c) return;
  let b = null;
  for (const f of piecesOf(state.result, c)) b = unionBbox(b, bboxOf(f));
  const block = state.blockCache.get(key);
  if (block) b = unionBbox(b, bboxOf(block));
  for (const p of [...(c.entries || []), ...(c.exits || [])]) if (Number.isFinite(p.lon)) b = unionBbox(b, [p.lon, p.lat, p.lon, p.lat]);
  fitBbox(b, { padding: 60, maxZoom: 15 });
}

/* ---------- exports of the check ---------- */

export const fileStem = () => slug(state.alignmentName);

export function updateExports() {
  const has = state.lines.length > 0;
  $('#export-kml').disabled = !has;
  $('#export-csv').disabled = !has || !state.result;
  $('#export-geojson').disabled = !has || !state.result;
  $('#report').disabled = !has;
}

async function exportCSV() {
  $('#export-csv').disabled = true;
  setStatus($('#check-status'), 'Preparing the CSV report…', { busy: true });
  try {
    const r = await postCheck('csv');
    download(`${fileStem()}-conflicts.csv`, 'text/csv', await r.blob());
    setStatus($('#check-status'), 'CSV report downloaded.');
  } catch (err) {
    setStatus($('#check-status'), err.message, { error: true });
  } finally {
    updateExports();
  }
}

async function exportGeoJSON() {
  $('#export-geojson').disabled = true;
  setStatus($('#check-status'), 'Preparing the GeoJSON report…', { busy: true });
  try {
    const gj = await (await postCheck('geojson')).json();
    const doc = { ...gj, features: [alignmentFeature(state.lines, { role: 'alignment', name: state.alignmentName }), ...(gj.features || [])] };
    download(`${fileStem()}-conflicts.geojson`, 'application/geo+json', JSON.stringify(doc, null, 1));
    setStatus($('#check-status'), 'GeoJSON report downloaded.');
  } catch (err) {
    setStatus($('#check-status'), err.message, { error: true });
  } finally {
    updateExports();
  }
}

export function wireCheck() {
  $('#against-filter').addEventListener('input', filterAgainst);
  $('#export-csv').addEventListener('click', exportCSV);
  $('#export-geojson').addEventListener('click', exportGeoJSON);
  $('#export-kml').addEventListener('click', () => download(`${fileStem()}.kml`, 'application/vnd.google-earth.kml+xml', toKML(state.lines, state.alignmentName)));
  setStatus($('#check-status'), IDLE_HINT);
  $('#conflicts').hidden = true;
}

