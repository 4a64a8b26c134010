// The planner's web map: layers from the catalog over a basemap drawn from
// the service's own context layers, feature and layer information, and the
// alignment check against coal blocks (draw, upload or a real case).
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';

import { getJSON, request, getToken, setToken, authHeaders, ApiError } from './api.js';
import { normaliseCatalog, basemapOf, categoryLabel, categoryRank, attrLabel } from './catalog.js';
import { DrawTool } from './draw.js';
import { parseAlignmentFile, linesFromGeoJSON, alignmentFeature, toKML, lengthHaversine, bboxOf, unionBbox, fmt } from './formats.js';

/* global __WORKER_URL__ */
maplibregl.setWorkerUrl(__WORKER_URL__);

const $ = (sel) => document.querySelector(sel);
const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k in e && k !== 'list') e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null && c !== false) e.append(c);
  return e;
};

// The region the demo catalog covers: India's coal belt.
const HOME = [[78, 17], [88.5, 26]];
const COAL_BLOCKS = 'coal_blocks';

// The ministry's real cases: the demo alignment of each and how to check it.
const CASES = {
  'dhirauli-765kv': { label: 'Dhirauli 765 kV', layer: 'transmission_lines_proposed_765kv', voltage: 765 },
  'pelma-sardega': { label: 'Pelma–Sardega rail', layer: 'railway_lines_proposed', row: 46 },
  'tentuloi-budhapank': { label: 'Tentuloi–Budhapank rail', layer: 'railway_lines_proposed', row: 46 },
  'jharsuguda-dharamjaygarh': { label: 'Jharsuguda–Dharamjaygarh 765 kV', layer: 'transmission_lines_765kv', voltage: 765 },
};

const state = {
  layers: [], // normalised catalog
  byId: new Map(),
  visible: new Set(),
  basemap: null,
  against: new Set([COAL_BLOCKS]),
  lines: [],
  alignmentName: 'Alignment',
  result: null, // {conflicts, nearMisses, summary, geojson}
  blockCache: new Map(), // "layer/id" → GeoJSON feature
};
window.coalmap = { state };

/* ---------- messages ---------- */

let toastTimer;
function showError(err) {
  if (err?.name === 'AbortError') return;
  const msg = err instanceof ApiError || err instanceof Error ? err.message : String(err);
  const t = $('#toast');
  t.replaceChildren(el('span', { text: msg }), el('button', { type: 'button', class: 'icon', 'aria-label': 'Dismiss', text: '×', onclick: () => { t.hidden = true; } }));
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 12000);
}

function setStatus(node, text, { busy = false, error = false } = {}) {
  node.replaceChildren();
  node.classList.toggle('error', error);
  if (!text) return;
  if (busy) node.append(el('span', { class: 'spinner', 'aria-hidden': 'true' }));
  node.append(el('span', { text }));
}

/* ---------- URL: view and visible layers ---------- */

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const out = {};
  const m = (p.get('map') || '').split('/').map(Number);
  if (m.length === 3 && m.every(Number.isFinite)) out.view = { zoom: m[0], center: [m[2], m[1]] };
  if (p.has('layers')) out.layers = p.get('layers').split(',').filter(Boolean);
  return out;
}

let hashTimer;
function writeHash() {
  clearTimeout(hashTimer);
  hashTimer = setTimeout(() => {
    if (!map) return;
    const c = map.getCenter();
    const p = new URLSearchParams();
    p.set('map', `${map.getZoom().toFixed(2)}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`);
    p.set('layers', [...state.visible].join(','));
    history.replaceState(null, '', `#${p.toString().replace(/%2C/g, ',').replace(/%2F/g, '/')}`);
  }, 200);
}

/* ---------- the map ---------- */

const initial = readHash();
const map = new maplibregl.Map({
  container: 'map',
  style: {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f1ea' } }],
  },
  bounds: initial.view ? undefined : HOME,
  center: initial.view?.center,
  zoom: initial.view?.zoom,
  maxBounds: [[60, 0], [105, 42]],
  attributionControl: false,
  transformRequest: (url) => {
    if (url.startsWith(location.origin) || url.startsWith('/')) {
      return { url, headers: authHeaders() };
    }
    return { url };
  },
});
window.coalmap.map = map;
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
map.addControl(new maplibregl.AttributionControl({ compact: true, customAttribution: 'coalmap' }), 'bottom-right');
// The layers' attributions are long (every custodian and licence): keep them
// behind the ⓘ button rather than over the map.
map.once('idle', () => document.querySelector('.maplibregl-ctrl-attrib')?.classList.remove('maplibregl-compact-show'));

map.on('moveend', writeHash);
map.on('dataloading', () => { $('#map-busy').hidden = false; });
map.on('idle', () => { $('#map-busy').hidden = true; });
map.on('error', (e) => {
  const src = e.sourceId || '';
  const layer = src.startsWith('L:') ? state.byId.get(src.slice(2))?.title || src.slice(2) : (src === 'basemap' ? 'the basemap' : '');
  const what = layer ? `Tiles of ${layer} could not be loaded` : 'The map hit a problem';
  const reason = e.error?.status ? `HTTP ${e.error.status}` : (e.error?.message || 'unknown error');
  showError(new Error(`${what}: ${reason}.`));
});

// Anchors keep the drawing order whatever the order layers are switched on:
// basemap, polygons, lines, points, highlights, the alignment.
const ANCHORS = ['anchor-polygon', 'anchor-line', 'anchor-point', 'anchor-labels', 'anchor-highlight'];
function addAnchors() {
  map.addSource('anchors', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  for (const id of ANCHORS) map.addLayer({ id, type: 'line', source: 'anchors' });
}

/* ---------- the basemap from the service's own context layers ---------- */

const FONT = ['Noto Sans', 'DejaVu Sans', 'sans-serif'];
const nameExpr = ['coalesce', ['get', 'name'], ['get', 'title'], ['get', 'name_en'], ''];

function addBasemap(bm) {
  if (!bm.all.length) return;
  const ids = bm.all.map((l) => l.id);
  // One multi-layer source: one tile request brings every context layer.
  map.addSource('basemap', { type: 'vector', url: `${location.origin}/tiles/${ids.map(encodeURIComponent).join(',')}.json` });
  const before = 'anchor-polygon';
  for (const l of bm.states) {
    map.addLayer({ id: `bm-${l.id}-fill`, type: 'fill', source: 'basemap', 'source-layer': l.id, paint: { 'fill-color': '#fbfaf6' } }, before);
  }
  for (const l of bm.rivers) {
    if (l.kind === 'polygon') {
      map.addLayer({ id: `bm-${l.id}-water`, type: 'fill', source: 'basemap', 'source-layer': l.id, paint: { 'fill-color': '#c9def2' } }, before);
    } else {
      map.addLayer({ id: `bm-${l.id}-river`, type: 'line', source: 'basemap', 'source-layer': l.id, layout: { 'line-cap': 'round' },
        paint: { 'line-color': '#8fbbe6', 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.6, 10, 2.5, 14, 5] } }, before);
    }
  }
  for (const l of bm.districts) {
    map.addLayer({ id: `bm-${l.id}-line`, type: 'line', source: 'basemap', 'source-layer': l.id, minzoom: 6.5,
      paint: { 'line-color': '#b9b0c6', 'line-width': 0.7, 'line-dasharray': [3, 2] } }, before);
  }
  for (const l of bm.roads) {
    map.addLayer({ id: `bm-${l.id}-casing`, type: 'line', source: 'basemap', 'source-layer': l.id, minzoom: 6, layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': '#d6c29a', 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 1.6, 12, 5] } }, before);
    map.addLayer({ id: `bm-${l.id}-road`, type: 'line', source: 'basemap', 'source-layer': l.id, layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': '#f3dfa8', 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.5, 6, 0.8, 12, 3] } }, before);
  }
  for (const l of bm.states) {
    map.addLayer({ id: `bm-${l.id}-line`, type: 'line', source: 'basemap', 'source-layer': l.id,
      paint: { 'line-color': '#8d7fa3', 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.8, 10, 2] } }, before);
  }
}

let areaLabelsKey = '';
/**
 * updateAreaLabels labels each named area once: tiles cut a polygon into
 * pieces and MapLibre would label every piece. The label goes to the centre
 * of the area's loaded vertices that fall inside the view.
 */
function updateAreaLabels() {
  const z = map.getZoom();
  const bm = state.basemap || { states: [], districts: [] };
  const groups = [
    ...bm.states.map((l) => ['basemap', l.id, 'state']),
    ...(z >= 7.5 ? bm.districts.map((l) => ['basemap', l.id, 'district']) : []),
    ...(z >= 8 ? [...state.visible].map((id) => state.byId.get(id)).filter((l) => l && l.kind === 'polygon' && hasName(l)).map((l) => [`L:${l.id}`, l.id, 'area']) : []),
  ];
  const b = map.getBounds();
  const key = `${Math.round(z * 2)}/${b.toArray().flat().map((v) => v.toFixed(2)).join(',')}/${groups.map((g) => g[1]).join(',')}`;
  if (key === areaLabelsKey) return;
  areaLabelsKey = key;
  const feats = [];
  for (const [src, id, kind] of groups) {
    if (!map.getSource(src)) continue;
    const acc = new Map();
    for (const f of map.querySourceFeatures(src, { sourceLayer: id })) {
      const name = f.properties?.name;
      if (!name) continue;
      const a = acc.get(name) || { x: 0, y: 0, n: 0 };
      const rings = f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates.flat() : [];
      for (const ring of rings) {
        for (let i = 0; i < ring.length; i += 4) {
          const [x, y] = ring[i];
          if (b.contains([x, y])) { a.x += x; a.y += y; a.n++; }
        }
      }
      acc.set(name, a);
    }
    for (const [name, a] of acc) {
      if (a.n) feats.push({ type: 'Feature', properties: { name, kind }, geometry: { type: 'Point', coordinates: [a.x / a.n, a.y / a.n] } });
    }
  }
  map.getSource('area-labels')?.setData({ type: 'FeatureCollection', features: feats });
}

function addAreaLabels() {
  map.addSource('area-labels', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'state-labels', type: 'symbol', source: 'area-labels', maxzoom: 8, filter: ['==', ['get', 'kind'], 'state'],
    layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 13, 'text-transform': 'uppercase', 'text-letter-spacing': 0.08, 'text-max-width': 8 },
    paint: { 'text-color': '#7b6f8e', 'text-halo-color': '#fbfaf6', 'text-halo-width': 1.5 } }, 'anchor-labels');
  map.addLayer({ id: 'district-labels', type: 'symbol', source: 'area-labels', minzoom: 7.5, filter: ['==', ['get', 'kind'], 'district'],
    layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 11, 'text-max-width': 8 },
    paint: { 'text-color': '#8a8296', 'text-halo-color': '#fbfaf6', 'text-halo-width': 1.2 } }, 'anchor-labels');
  map.addLayer({ id: 'area-labels', type: 'symbol', source: 'area-labels', minzoom: 8, filter: ['==', ['get', 'kind'], 'area'],
    layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 11, 'text-max-width': 9 },
    paint: { 'text-color': '#222222', 'text-halo-color': '#ffffff', 'text-halo-width': 1.4 } });
  let timer;
  map.on('idle', () => { clearTimeout(timer); timer = setTimeout(updateAreaLabels, 50); });
}

/* ---------- catalog layers on the map ---------- */

const mapLayerIds = (l) => (l.kind === 'polygon' ? [`L:${l.id}:fill`, `L:${l.id}:line`] : l.kind === 'line' ? [`L:${l.id}:line`] : [`L:${l.id}:circle`]).concat(hasName(l) && l.kind !== 'polygon' ? [`L:${l.id}:label`] : []);
const hasName = (l) => l.attributes.some((a) => a.name === 'name');
const interactiveIds = () => [...state.visible].flatMap((id) => {
  const l = state.byId.get(id);
  return l ? mapLayerIds(l).filter((x) => !x.endsWith(':label')) : [];
});

function addMapLayer(l) {
  const src = `L:${l.id}`;
  if (!map.getSource(src)) {
    map.addSource(src, { type: 'vector', url: `${location.origin}/tiles/${encodeURIComponent(l.id)}.json` });
  }
  const s = l.style;
  const common = { source: src, 'source-layer': l.id };
  if (l.kind === 'polygon') {
    map.addLayer({ id: `L:${l.id}:fill`, type: 'fill', ...common, paint: { 'fill-color': s.fill, 'fill-opacity': s.fillOpacity } }, 'anchor-polygon');
    map.addLayer({ id: `L:${l.id}:line`, type: 'line', ...common,
      paint: { 'line-color': s.color, 'line-width': s.width, ...(s.dash ? { 'line-dasharray': s.dash } : {}) } }, 'anchor-polygon');
  } else if (l.kind === 'line') {
    map.addLayer({ id: `L:${l.id}:line`, type: 'line', ...common, layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': s.color, 'line-width': s.width, ...(s.dash ? { 'line-dasharray': s.dash } : {}) } }, 'anchor-line');
  } else {
    map.addLayer({ id: `L:${l.id}:circle`, type: 'circle', ...common,
      paint: { 'circle-color': s.color, 'circle-radius': s.radius, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1 } }, 'anchor-point');
  }
  if (hasName(l) && l.kind !== 'polygon') { // polygons: see updateAreaLabels
    const label = { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 11, 'text-max-width': 9 };
    map.addLayer({ id: `L:${l.id}:label`, type: 'symbol', ...common, minzoom: 10,
      layout: l.kind === 'line' ? { ...label, 'symbol-placement': 'line' } : { ...label, 'text-offset': [0, 1.1], 'text-anchor': 'top' },
      paint: { 'text-color': '#333333', 'text-halo-color': '#ffffff', 'text-halo-width': 1.4 } }, 'anchor-labels');
  }
}

function removeMapLayer(l) {
  for (const id of mapLayerIds(l)) if (map.getLayer(id)) map.removeLayer(id);
  if (map.getSource(`L:${l.id}`)) map.removeSource(`L:${l.id}`);
}

function setVisible(id, on) {
  const l = state.byId.get(id);
  if (!l) return;
  if (on && !state.visible.has(id)) {
    state.visible.add(id);
    addMapLayer(l);
  } else if (!on && state.visible.has(id)) {
    state.visible.delete(id);
    removeMapLayer(l);
  }
  const cb = document.querySelector(`#layer-list input[data-layer="${CSS.escape(id)}"]`);
  if (cb) cb.checked = on;
  updateGroupCounts();
  writeHash();
}

function zoomToExtent(l) {
  if (!l.extent) { showError(new Error(`${l.title} has no extent yet (no features).`)); return; }
  const [w, s, e, n] = l.extent;
  map.fitBounds([[w, s], [e, n]], { padding: 40, maxZoom: 13 });
}

/* ---------- the layer panel ---------- */

function swatch(l) {
  const sw = el('span', { class: `swatch swatch-${l.kind}`, 'aria-hidden': 'true' });
  if (l.kind === 'polygon') {
    sw.style.backgroundColor = hexAlpha(l.style.fill, Math.max(0.35, l.style.fillOpacity));
    sw.style.borderColor = l.style.color;
  } else if (l.kind === 'line') {
    sw.style.borderTopColor = l.style.color;
    sw.style.borderTopStyle = l.style.dash ? 'dashed' : 'solid';
    sw.style.borderTopWidth = `${Math.min(4, Math.max(2, l.style.width))}px`;
  } else {
    sw.style.backgroundColor = l.style.color;
  }
  return sw;
}

function hexAlpha(hex, a) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || '');
  if (!m) return hex;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

function renderLayerPanel() {
  const list = $('#layer-list');
  list.replaceChildren();
  const groups = new Map();
  for (const l of state.layers) {
    if (!groups.has(l.category)) groups.set(l.category, []);
    groups.get(l.category).push(l);
  }
  const cats = [...groups.keys()].sort((a, b) => categoryRank(a) - categoryRank(b) || a.localeCompare(b));
  for (const c of cats) {
    const items = groups.get(c).sort((a, b) => a.title.localeCompare(b.title));
    const ul = el('ul', { class: 'layers' });
    for (const l of items) {
      const cb = el('input', { type: 'checkbox', dataset: { layer: l.id }, checked: state.visible.has(l.id),
        onchange: (e) => setVisible(l.id, e.target.checked) });
      const titleBits = [el('span', { class: 'title', text: l.title })];
      if (l.access === 'restricted') titleBits.push(el('span', { class: 'badge restricted', title: 'Restricted: visible with your token only', text: 'restricted' }));
      const li = el('li', { class: 'layer', dataset: { layer: l.id, search: searchText(l), minZoom: l.minZoom, maxZoom: l.maxZoom } },
        el('label', { class: 'layer-toggle', title: l.description || l.title }, cb, swatch(l), ...titleBits),
        el('span', { class: 'count muted', text: l.featureCount != null ? fmt.int(l.featureCount) : '' }),
        el('button', { type: 'button', class: 'icon', 'aria-label': `About ${l.title}`, title: 'About this layer', text: 'ℹ', onclick: () => showLayerInfo(l) }),
        el('button', { type: 'button', class: 'icon', 'aria-label': `Zoom to ${l.title}`, title: 'Zoom to extent', text: '⤢', disabled: !l.extent, onclick: () => zoomToExtent(l) }));
      ul.append(li);
    }
    const open = c === 'coal_resources' || c === 'proposed_projects' || items.some((l) => state.visible.has(l.id));
    const det = el('details', { class: 'group', dataset: { category: c }, open },
      el('summary', {}, el('span', { class: 'group-title', text: categoryLabel(c) }), el('span', { class: 'group-count muted' })),
      ul);
    list.append(det);
  }
  $('#layer-count').textContent = `(${state.layers.length})`;
  applySearch();
  updateGroupCounts();
  updateZoomHints();
}

/** updateZoomHints greys out the layers the current zoom does not show. */
function updateZoomHints() {
  const z = map.getZoom();
  for (const li of document.querySelectorAll('#layer-list li.layer')) {
    const out = z < +li.dataset.minZoom || z > +li.dataset.maxZoom + 0.999;
    if (li.classList.contains('out-of-zoom') === out) continue;
    li.classList.toggle('out-of-zoom', out);
    const label = li.querySelector('.layer-toggle');
    label.title = out ? `Shown from zoom ${li.dataset.minZoom}${+li.dataset.maxZoom < 22 ? ` to ${li.dataset.maxZoom}` : ''}: zoom in to see it` : '';
  }
}
map.on('zoomend', updateZoomHints);

function searchText(l) {
  return [l.id, l.title, l.titleHi, l.description, l.owner, categoryLabel(l.category), ...(l.keywords || [])].join(' ').toLowerCase();
}

function applySearch() {
  const q = $('#layer-search').value.trim().toLowerCase();
  const words = q.split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const det of document.querySelectorAll('#layer-list details.group')) {
    let n = 0;
    for (const li of det.querySelectorAll('li.layer')) {
      const hit = words.every((w) => li.dataset.search.includes(w));
      li.hidden = !hit;
      if (hit) n++;
    }
    det.hidden = n === 0;
    if (words.length && n) det.open = true;
    shown += n;
  }
  $('#layer-count').textContent = words.length ? `(${shown} of ${state.layers.length})` : `(${state.layers.length})`;
  setStatus($('#layer-status'), words.length && !shown ? `No layer matches “${q}”.` : '');
}

function updateGroupCounts() {
  for (const det of document.querySelectorAll('#layer-list details.group')) {
    const lis = [...det.querySelectorAll('li.layer')];
    const on = lis.filter((li) => state.visible.has(li.dataset.layer)).length;
    det.querySelector('.group-count').textContent = on ? `${on} on · ${lis.length}` : `${lis.length}`;
  }
}

/* ---------- information panel: layer metadata, feature attributes ---------- */

let focusBeforeInfo = null;

function openInfo(title, ...body) {
  $('#info-title').textContent = title;
  $('#info-body').replaceChildren(...body);
  const wasHidden = $('#info').hidden;
  $('#info').hidden = false;
  // Keyboard users land in the panel and go back where they were on close.
  if (wasHidden) focusBeforeInfo = document.activeElement;
  if (document.activeElement !== map.getCanvas()) $('#info-close').focus({ preventScroll: true });
}

function closeInfo() {
  $('#info').hidden = true;
  if (focusBeforeInfo && document.contains(focusBeforeInfo)) focusBeforeInfo.focus({ preventScroll: true });
  focusBeforeInfo = null;
  map.getSource('selection')?.setData({ type: 'FeatureCollection', features: [] });
}

function dateText(v) {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleString('en-IN', { dateStyle: 'medium', timeStyle: 'short' });
}

function dl(rows) {
  return el('dl', { class: 'meta' }, rows.filter(([, v]) => v !== '' && v != null).flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]));
}

function showLayerInfo(l) {
  const cust = l.custodian || {};
  const attrs = l.attributes.length
    ? el('table', { class: 'dict' },
      el('caption', { text: 'Attribute dictionary' }),
      el('thead', {}, el('tr', {}, ['Attribute', 'Label', 'Type', 'Unit'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, l.attributes.map((a) => el('tr', { title: a.description || '' },
        el('td', {}, el('code', { text: a.name })),
        el('td', {}, a.alias || '', a.label_hi ? el('span', { class: 'hi', lang: 'hi', text: a.label_hi }) : null,
          a.description ? el('div', { class: 'muted small', text: a.description }) : null),
        el('td', { text: a.type || '' }),
        el('td', { text: a.unit || '' })))))
    : el('p', { class: 'muted', text: 'No attribute dictionary.' });
  const on = state.visible.has(l.id);
  openInfo(l.title,
    l.titleHi ? el('p', { class: 'hi', lang: 'hi', text: l.titleHi }) : null,
    el('p', { text: l.description || 'No description.' }),
    el('div', { class: 'row' },
      el('button', { type: 'button', text: on ? 'Hide on map' : 'Show on map', onclick: () => { setVisible(l.id, !state.visible.has(l.id)); showLayerInfo(l); } }),
      el('button', { type: 'button', text: 'Zoom to extent', disabled: !l.extent, onclick: () => zoomToExtent(l) })),
    dl([
      ['Category', categoryLabel(l.category)],
      ['Owner', l.owner],
      ['Custodian', [cust.name, cust.organisation, cust.email].filter(Boolean).join(', ')],
      ['Update frequency', l.updateFrequency],
      ['Features', l.featureCount != null ? fmt.int(l.featureCount) : ''],
      ['Geometry', l.geometryType],
      ['Last import', dateText(l.lineage.imported_at) || 'never imported'],
      ['Source', l.lineage.source || l.lineage.statement || ''],
      ['Revised', dateText(l.revisedAt)],
      ['Status', l.status],
      ['Source CRS', l.sourceCRS],
      ['Scale', l.scale],
      ['Accuracy', l.accuracy],
      ['Licence', l.license],
      ['Access', l.access],
      ['Layer id', el('code', { text: l.id })],
    ]),
    attrs);
}

function valueText(v, unit) {
  if (v == null || v === '') return '—';
  if (typeof v === 'number') return `${Number.isInteger(v) ? fmt.int(v) : v.toLocaleString('en-IN', { maximumFractionDigits: 3 })}${unit ? ` ${unit}` : ''}`;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return `${v}${unit ? ` ${unit}` : ''}`;
}

function showFeature(f) {
  const lid = f.layer.id.split(':')[1];
  const l = state.byId.get(lid);
  const props = f.properties || {};
  const order = l ? l.attributes.map((a) => a.name) : [];
  const keys = [...order.filter((k) => k in props), ...Object.keys(props).filter((k) => !order.includes(k))];
  const rows = keys.map((k) => {
    const lab = attrLabel(l, k);
    return el('tr', {},
      el('th', { scope: 'row' }, lab.en, lab.hi ? el('span', { class: 'hi', lang: 'hi', text: lab.hi }) : null),
      el('td', { text: valueText(props[k], lab.unit) }));
  });
  map.getSource('selection')?.setData({ type: 'Feature', properties: {}, geometry: f.geometry });
  const name = props.name || props.title || props.feature_id || props.fid || '';
  openInfo(name ? String(name) : (l?.title || lid),
    props.name_hi ? el('p', { class: 'hi', lang: 'hi', text: props.name_hi }) : null,
    el('p', { class: 'muted' }, l?.title || lid, ' · ', el('button', { type: 'button', class: 'link', text: 'about this layer', onclick: () => l && showLayerInfo(l) })),
    el('table', { class: 'attrs' }, el('tbody', {}, rows)));
}

map.on('click', (e) => {
  if (draw?.isDrawing) return;
  if (map.queryRenderedFeatures(e.point, { layers: ['alignment-vertices', 'alignment-midpoints'].filter((x) => map.getLayer(x)) }).length) return;
  const hl = map.getLayer('hl-blocks-fill') ? map.queryRenderedFeatures(e.point, { layers: ['hl-blocks-fill'] }) : [];
  const layers = interactiveIds().filter((x) => map.getLayer(x));
  const feats = layers.length ? map.queryRenderedFeatures(e.point, { layers }) : [];
  if (feats.length) showFeature(feats[0]);
  else if (hl.length) selectConflict(hl[0].properties.key, { fit: false });
});
map.on('mousemove', (e) => {
  if (draw?.isDrawing || draw?.drag) return;
  const layers = interactiveIds().filter((x) => map.getLayer(x));
  const over = layers.length && map.queryRenderedFeatures(e.point, { layers }).length;
  const handle = map.getLayer('alignment-vertices') && map.queryRenderedFeatures(e.point, { layers: ['alignment-vertices', 'alignment-midpoints'] }).length;
  if (!handle) map.getCanvas().style.cursor = over ? 'pointer' : '';
});

/* ---------- the catalog ---------- */

async function loadCatalog() {
  setStatus($('#layer-status'), 'Loading the layer catalogue…', { busy: true });
  let doc;
  try {
    doc = await getJSON('/collections', { what: 'loading the layer catalogue' });
  } catch (err) {
    setStatus($('#layer-status'), err.message, { error: true });
    throw err;
  }
  const layers = normaliseCatalog(doc);
  for (const id of [...state.visible]) {
    if (!layers.some((l) => l.id === id)) setVisible(id, false);
  }
  state.layers = layers;
  state.byId = new Map(layers.map((l) => [l.id, l]));
  setStatus($('#layer-status'), layers.length ? '' : 'The catalogue has no layers yet.');
  renderLayerPanel();
  renderAgainstList();
}

/* ---------- checking an alignment ---------- */

function renderAgainstList() {
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

function filterAgainst() {
  const q = $('#against-filter').value.trim().toLowerCase();
  for (const lab of document.querySelectorAll('#against-list label')) {
    lab.hidden = !!q && !lab.dataset.search.includes(q) && !lab.querySelector('input').checked;
  }
}

function corridorParams() {
  const p = new URLSearchParams();
  p.set('against', [...state.against].join(','));
  const kind = $('#corridor-kind').value;
  if (kind === 'voltage') p.set('voltage_kv', $('#voltage').value);
  else if (kind === 'rail') p.set('rail', 'true');
  else p.set('row_width_m', String(Math.max(0, +$('#row-width').value || 0)));
  p.set('clearance_m', String(Math.max(0, +$('#clearance').value || 0)));
  return p;
}

const VOLTAGE_ROW = { 66: 18, 110: 22, 132: 27, 220: 35, 400: 46, 500: 52, 765: 67 };
function corridorWidthM() {
  const kind = $('#corridor-kind').value;
  if (kind === 'voltage') return VOLTAGE_ROW[$('#voltage').value] || 46;
  if (kind === 'rail') return 46;
  return Math.max(0, +$('#row-width').value || 0);
}

async function postCheck(format, signal) {
  const p = corridorParams();
  if (format) p.set('f', format);
  return request(`/overlaps/check?${p}`, {
    method: 'POST', signal, what: 'the overlap check',
    headers: { 'Content-Type': 'application/geo+json' },
    body: JSON.stringify(alignmentFeature(state.lines, { name: state.alignmentName })),
  });
}

const IDLE_HINT = 'Draw or upload an alignment, or pick a real case at the top, to see the coal blocks it crosses.';
let checkVersion = 0; // bumped by every change of alignment or parameters
let checking = false;
let checkTimer;

/** requestCheck runs the check soon; while one runs, the latest change waits for it. */
function requestCheck({ delay = 0 } = {}) {
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

async function runCheck(version) {
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
    // The service says which width it used (a voltage maps to its RoW).
    if (Number.isFinite(json.row_width_m) && json.row_width_m > 0) draw.setCorridor(json.row_width_m);
    showResult(result);
    const n = result.conflicts.length;
    setStatus($('#check-status'), n ? `${n} conflict${n === 1 ? '' : 's'} found.` : 'No conflict: the alignment crosses none of the chosen layers.');
  } catch (err) {
    if (version !== checkVersion) return; // a newer run follows and says what it finds
    showResult(null);
    setStatus($('#check-status'), err.message, { error: true });
  } finally {
    $('#check-panel').removeAttribute('aria-busy');
  }
}

function piecesCollection(list) {
  return {
    type: 'FeatureCollection',
    features: list.filter((c) => c.pieces?.coordinates?.length).map((c) => ({
      type: 'Feature', geometry: c.pieces, properties: { layer: c.layer, id: c.id, name: c.name, length_m: c.length_m },
    })),
  };
}

const num = (...vs) => { for (const v of vs) if (v != null && Number.isFinite(+v)) return +v; return null; };

function normaliseResult(json, gj) {
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
  return { conflicts, nearMisses: near, summary: json.summary || {}, geojson: gj, raw: json };
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

function piecesOf(result, c) {
  return (result.geojson?.features || []).filter((f) => {
    const p = f.properties || {};
    return (p.layer || p.layer_id) === c.layer && String(p.id ?? p.feature_id ?? p.polygon_id) === c.id;
  });
}

function chainageText(c) {
  const n = Math.max(c.entries.length, c.exits.length);
  if (!n) return '—';
  const parts = [];
  for (let i = 0; i < n; i++) {
    const a = c.entries[i]?.chainage_km;
    const b = c.exits[i]?.chainage_km;
    parts.push(`${fmt.km(a)} → ${fmt.km(b)}`);
  }
  return parts.join('; ');
}

let selectedKey = null;

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
  if (!result) return;
  const total = result.conflicts.reduce((a, c) => ({
    length: a.length + (c.lengthM || 0), crossings: a.crossings + (c.crossings || 0), area: a.area + (c.areaHa || 0),
  }), { length: 0, crossings: 0, area: 0 });
  const s = result.summary;
  const alignLen = num(s.alignment_length_m, s.length_m) ?? state.lines.reduce((a, l) => a + lengthHaversine(l), 0);
  const inside = num(s.length_inside_m, s.total_length_m) ?? total.length;
  const share = num(s.share_inside_pct, s.share_of_alignment_pct) ?? (alignLen ? (100 * inside) / alignLen : null);
  $('#summary').append(
    el('div', { class: 'kpi' }, el('strong', { text: fmt.m(alignLen) }), el('span', { text: 'alignment' })),
    el('div', { class: `kpi ${result.conflicts.length ? 'bad' : 'good'}` }, el('strong', { text: String(result.conflicts.length) }), el('span', { text: result.conflicts.length === 1 ? 'polygon crossed' : 'polygons crossed' })),
    el('div', { class: 'kpi' }, el('strong', { text: fmt.m(inside) }), el('span', { text: `inside (${fmt.pct(share)})` })),
    el('div', { class: 'kpi' }, el('strong', { text: fmt.ha(num(s.corridor_area_ha) ?? total.area) }), el('span', { text: 'corridor area' })));
  const sorted = [...result.conflicts].sort((a, b) => {
    const ca = a.entries[0]?.chainage_km ?? Infinity;
    const cb = b.entries[0]?.chainage_km ?? Infinity;
    return ca - cb || (b.lengthM || 0) - (a.lengthM || 0);
  });
  for (const c of sorted) {
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
    const clearance = +$('#clearance').value || 0;
    $('#near-misses').append(el('h3', { text: `Near misses within ${fmt.int(clearance)} m` }),
      el('ul', {}, result.nearMisses.map((n) => el('li', {},
        el('button', { type: 'button', class: 'link', text: n.name, onclick: () => selectConflict(n.key) }),
        n.distanceM != null ? ` — ${fmt.m(n.distanceM)} away` : ''))));
  }
}

function updateHighlights() {
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

function addHighlightLayers() {
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
  map.addSource('alternatives', { type: 'geojson', data: empty });
  map.addLayer({ id: 'alternatives-line', type: 'line', source: 'alternatives', layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#1a9850', 'line-width': 4, 'line-dasharray': [2, 1.5], 'line-opacity': 0.9 } });
  map.addSource('selection', { type: 'geojson', data: empty });
  map.addLayer({ id: 'selection-line', type: 'line', source: 'selection', filter: ['!=', ['geometry-type'], 'Point'],
    layout: { 'line-join': 'round', 'line-cap': 'round' }, paint: { 'line-color': '#00a2e8', 'line-width': 3.5, 'line-opacity': 0.9 } }, 'anchor-highlight');
  map.addLayer({ id: 'selection-point', type: 'circle', source: 'selection', filter: ['==', ['geometry-type'], 'Point'],
    paint: { 'circle-radius': 9, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#00a2e8', 'circle-stroke-width': 3 } }, 'anchor-highlight');
  map.addLayer({ id: 'hl-points', type: 'circle', source: 'hl-points',
    paint: { 'circle-radius': 5, 'circle-color': ['case', ['==', ['get', 'kind'], 'entry'], '#1a9850', '#d73027'], 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } });
  map.addLayer({ id: 'hl-points-label', type: 'symbol', source: 'hl-points', minzoom: 10,
    layout: { 'text-field': ['get', 'label'], 'text-font': FONT, 'text-size': 11, 'text-offset': [0, 1.2], 'text-anchor': 'top' },
    paint: { 'text-color': '#222', 'text-halo-color': '#fff', 'text-halo-width': 1.5 } });
}

function selectConflict(key, { fit = true } = {}) {
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
  if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 60, maxZoom: 15 });
}

/* ---------- alignment in and out ---------- */

let draw;

function onAlignmentChange(lines, { final }) {
  state.lines = lines;
  showAlternatives(null);
  const len = lines.reduce((a, l) => a + lengthHaversine(l), 0);
  const nv = lines.reduce((a, l) => a + l.length, 0);
  $('#alignment-info').textContent = lines.length ? `${state.alignmentName}: ${nv} points, ${fmt.m(len)}.` : '';
  $('#clear').disabled = !lines.length && !draw?.isDrawing;
  if (!lines.length) selectedKey = null;
  requestCheck({ delay: final ? 0 : 60 });
}

function setDrawMode(on) {
  const b = $('#draw');
  b.setAttribute('aria-pressed', String(on));
  b.textContent = on ? 'Finish line' : 'Draw a line';
  $('#clear').disabled = !on && !state.lines.length;
  const banner = $('#draw-banner');
  banner.hidden = !on;
  banner.textContent = on ? 'Drawing: click to add points · double-click or Enter to finish · Backspace removes the last point · Esc cancels' : '';
}

function fitLines(lines) {
  const b = bboxOf(lines);
  if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 80, maxZoom: 14 });
}

function download(name, type, data) {
  const url = URL.createObjectURL(data instanceof Blob ? data : new Blob([data], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

const fileStem = () => (state.alignmentName || 'alignment').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'alignment';

/* ---------- alternatives that avoid the crossed polygons ---------- */

async function reroute() {
  const b = $('#reroute');
  b.disabled = true;
  const box = $('#alternatives');
  setStatus(box, 'Looking for a route around the crossed polygons…', { busy: true });
  const version = checkVersion;
  try {
    const r = await request(`/overlaps/reroute?${corridorParams()}`, {
      method: 'POST', what: 'the search for an alternative', headers: { 'Content-Type': 'application/geo+json' },
      body: JSON.stringify(alignmentFeature(state.lines, { name: state.alignmentName })),
    });
    const res = await r.json();
    if (version !== checkVersion) return; // the alignment changed meanwhile
    showAlternatives(res.alternatives || []);
  } catch (err) {
    setStatus(box, err.message, { error: true });
  } finally {
    updateExports();
  }
}

const signed = (v, f) => (v < 0 ? `−${f(-v)}` : `+${f(v)}`);

function showAlternatives(alts) {
  state.alternatives = alts;
  const box = $('#alternatives');
  map.getSource('alternatives')?.setData({ type: 'FeatureCollection', features: (alts || []).map((a, i) => ({ type: 'Feature', geometry: a.geometry, properties: { i } })) });
  box.replaceChildren();
  box.classList.remove('error');
  if (!alts) return;
  if (!alts.length) { setStatus(box, 'No route avoiding the polygons was found.', { error: true }); return; }
  box.append(el('h3', { text: alts.length === 1 ? 'Alternative' : `${alts.length} alternatives` }),
    el('ol', {}, alts.map((a, i) => el('li', {},
      el('div', {}, el('strong', { text: fmt.m(a.length_m) }), ` (${signed(a.added_length_m, fmt.m)}, ${signed(a.added_pct, fmt.pct)} length)`,
        a.avoided?.length ? el('div', { class: 'muted small', text: `avoids ${a.avoided.map((p) => p.name || p.id).join(', ')}` }) : null),
      el('div', { class: 'row' },
        el('button', { type: 'button', text: 'Show', onclick: () => fitLines([a.geometry.coordinates]) }),
        el('button', { type: 'button', text: 'Use this route', onclick: () => {
          state.alignmentName = `${state.alignmentName.replace(/ \(alternative\)$/, '')} (alternative)`;
          draw.set([a.geometry.coordinates]);
        } }))))));
}

function updateExports() {
  $('#reroute').disabled = !state.lines.length || !state.result?.conflicts.length;
  const has = state.lines.length > 0;
  $('#export-kml').disabled = !has;
  $('#export-csv').disabled = !has || !state.result;
  $('#export-geojson').disabled = !has || !state.result;
}

async function exportCSV() {
  const b = $('#export-csv');
  b.disabled = true;
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

async function loadCase(id) {
  const c = CASES[id];
  const btn = document.querySelector(`[data-case="${id}"]`);
  btn?.classList.add('loading');
  setStatus($('#check-status'), `Loading the ${c.label} case…`, { busy: true });
  try {
    if (!state.layers.length) await loadCatalog();
    const f = await getJSON(`/collections/${encodeURIComponent(c.layer)}/items/${encodeURIComponent(id)}`, { what: `loading the ${c.label} alignment` });
    const feature = f.type === 'FeatureCollection' ? f.features[0] : f;
    const lines = linesFromGeoJSON(feature);
    if (!lines.length) throw new Error(`The ${c.label} alignment has no line geometry.`);
    state.alignmentName = feature.properties?.name || c.label;
    state.against = new Set([COAL_BLOCKS].filter((x) => state.byId.has(x)));
    renderAgainstList();
    if (c.voltage) { $('#corridor-kind').value = 'voltage'; $('#voltage').value = String(c.voltage); } else { $('#corridor-kind').value = 'row'; $('#row-width').value = String(c.row); }
    onCorridorKind();
    for (const lid of [COAL_BLOCKS, c.layer]) if (state.byId.has(lid)) setVisible(lid, true);
    draw.set(lines);
    fitLines(lines);
  } catch (err) {
    setStatus($('#check-status'), err.message, { error: true });
    showError(err);
  } finally {
    btn?.classList.remove('loading');
  }
}

function onCorridorKind() {
  const kind = $('#corridor-kind').value;
  $('#row-label').hidden = kind !== 'row';
  $('#voltage-label').hidden = kind !== 'voltage';
  draw?.setCorridor(corridorWidthM());
}

/* ---------- wiring ---------- */

function wire() {
  $('#layer-search').addEventListener('input', applySearch);
  $('#layers-expand').addEventListener('click', () => document.querySelectorAll('#layer-list details').forEach((d) => { d.open = true; }));
  $('#layers-collapse').addEventListener('click', () => document.querySelectorAll('#layer-list details').forEach((d) => { d.open = false; }));
  $('#layers-none').addEventListener('click', () => [...state.visible].forEach((id) => setVisible(id, false)));
  $('#info-close').addEventListener('click', closeInfo);
  $('#against-filter').addEventListener('input', filterAgainst);

  const tokenInput = $('#token');
  tokenInput.value = getToken();
  $('#token-clear').hidden = !getToken();
  $('#token-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    setToken(tokenInput.value.trim());
    $('#token-clear').hidden = !getToken();
    try {
      await reloadWithToken();
      const restricted = state.layers.filter((l) => l.access === 'restricted').length;
      setStatus($('#layer-status'), getToken() ? `Token applied: ${state.layers.length} layers, ${restricted} restricted.` : 'Token removed.');
    } catch (err) { showError(err); }
  });
  $('#token-clear').addEventListener('click', async () => {
    tokenInput.value = '';
    setToken('');
    $('#token-clear').hidden = true;
    try { await reloadWithToken(); setStatus($('#layer-status'), 'Token forgotten: restricted layers are hidden.'); } catch (err) { showError(err); }
  });

  $('#draw').addEventListener('click', () => {
    if (draw.isDrawing) draw.finish();
    else { state.alignmentName = 'Drawn alignment'; selectedKey = null; draw.start(); }
  });
  $('#clear').addEventListener('click', () => { if (draw.isDrawing) draw.cancel(); draw.clear(); });
  $('#upload').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (!file) return;
    try {
      if (file.size > 20 * 1024 * 1024) throw new Error(`${file.name} is larger than 20 MB; upload the alignment alone.`);
      const lines = parseAlignmentFile(file.name, await file.text());
      state.alignmentName = file.name.replace(/\.(geo)?json$|\.kml$/i, '');
      selectedKey = null;
      draw.set(lines);
      fitLines(lines);
    } catch (err) {
      setStatus($('#check-status'), err.message, { error: true });
      showError(err);
    }
  });
  $('#corridor-kind').addEventListener('change', () => { onCorridorKind(); requestCheck(); });
  for (const id of ['#row-width', '#voltage', '#clearance']) {
    $(id).addEventListener('change', () => { draw.setCorridor(corridorWidthM()); requestCheck(); });
    $(id).addEventListener('input', () => { draw.setCorridor(corridorWidthM()); requestCheck({ delay: 300 }); });
  }
  $('#reroute').addEventListener('click', reroute);
  $('#export-csv').addEventListener('click', exportCSV);
  $('#export-geojson').addEventListener('click', exportGeoJSON);
  $('#export-kml').addEventListener('click', () => download(`${fileStem()}.kml`, 'application/vnd.google-earth.kml+xml', toKML(state.lines, state.alignmentName)));
  for (const b of document.querySelectorAll('[data-case]')) b.addEventListener('click', () => loadCase(b.dataset.case));

  document.addEventListener('keydown', (e) => {
    const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName);
    if (e.key === 'Escape') {
      if (draw?.isDrawing) draw.cancel();
      else if (!$('#info').hidden) closeInfo();
    } else if (draw?.isDrawing && !typing) {
      if (e.key === 'Enter') { e.preventDefault(); draw.finish(); }
      if (e.key === 'Backspace') { e.preventDefault(); draw.undoPoint(); }
    }
  });
}

async function reloadWithToken() {
  // Sources fetched with the old token are dropped so that tiles refetch.
  const vis = [...state.visible];
  for (const id of vis) setVisible(id, false);
  state.blockCache.clear();
  await loadCatalog();
  for (const id of vis) if (state.byId.has(id)) setVisible(id, true);
  requestCheck();
}

wire();
setStatus($('#check-status'), IDLE_HINT);
$('#conflicts').hidden = true;
map.on('load', async () => {
  addAnchors();
  addHighlightLayers();
  addAreaLabels();
  draw = new DrawTool(map, { onChange: onAlignmentChange, onModeChange: setDrawMode });
  window.coalmap.draw = draw;
  draw.setCorridor(corridorWidthM());
  try {
    await loadCatalog();
  } catch (err) {
    showError(err);
    return;
  }
  state.basemap = basemapOf(state.layers);
  addBasemap(state.basemap);
  const want = initial.layers ?? [COAL_BLOCKS];
  for (const id of want) if (state.byId.has(id)) setVisible(id, true);
  renderAgainstList();
  document.body.dataset.ready = 'true';
});
