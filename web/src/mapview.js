// The MapLibre map: its controls, the drawing-order anchors, the basemap drawn
// from the service's own context layers, area labels, and the URL that keeps
// the view and the visible layers.
import * as maplibregl from 'maplibre-gl';

import { authHeaders } from './api.js';
import { $, showError } from './dom.js';
import { HOME, app, state } from './state.js';

/* global __WORKER_URL__ */
maplibregl.setWorkerUrl(__WORKER_URL__);

export const FONT = ['Noto Sans', 'DejaVu Sans', 'sans-serif'];

/* ---------- URL: view and visible layers ---------- */

export function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const out = {};
  const m = (p.get('map') || '').split('/').map(Number);
  if (m.length === 3 && m.every(Number.isFinite)) out.view = { zoom: m[0], center: [m[2], m[1]] };
  if (p.has('layers')) out.layers = p.get('layers').split(',').filter(Boolean);
  return out;
}

let hashTimer;
export function writeHash() {
  clearTimeout(hashTimer);
  hashTimer = setTimeout(() => {
    const map = app.map;
    if (!map) return;
    const c = map.getCenter();
    const p = new URLSearchParams();
    p.set('map', `${map.getZoom().toFixed(2)}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`);
    p.set('layers', [...state.visible].join(','));
    history.replaceState(null, '', `${location.pathname}${location.search}#${p.toString().replace(/%2C/g, ',').replace(/%2F/g, '/')}`);
  }, 200);
}

/* ---------- the map ---------- */

/** createMap makes the page's map in #map, at the URL's view or the coal belt. */
export function createMap(initial) {
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
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
  map.addControl(new maplibregl.AttributionControl({ compact: true, customAttribution: 'coalmap' }), 'bottom-right');
  collapseAttribution(map);

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
  return map;
}

/**
 * collapseAttribution keeps the layers' attributions (every custodian and
 * licence: long) behind the ⓘ button from the first frame. MapLibre opens a
 * compact attribution when it is added and only folds it at the first drag;
 * once it carries the compact class it never reopens it by itself.
 */
function collapseAttribution(map) {
  const box = map.getContainer().querySelector('.maplibregl-ctrl-attrib');
  if (!box) return;
  box.classList.add('maplibregl-compact');
  box.classList.remove('maplibregl-compact-show');
  box.removeAttribute('open');
}

// Anchors keep the drawing order whatever the order layers are switched on:
// basemap, polygons, lines, points, labels, highlights; the alignment and the
// routes above them.
const ANCHORS = ['anchor-polygon', 'anchor-line', 'anchor-point', 'anchor-labels', 'anchor-highlight', 'anchor-routes'];
export function addAnchors(map) {
  map.addSource('anchors', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  for (const id of ANCHORS) map.addLayer({ id, type: 'line', source: 'anchors' });
}

/* ---------- the basemap from the service's own context layers ---------- */

export function addBasemap(map, bm) {
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

export const hasName = (l) => l.attributes.some((a) => a.name === 'name');

let areaLabelsKey = '';
/**
 * updateAreaLabels labels each named area once: tiles cut a polygon into
 * pieces and MapLibre would label every piece. The label goes to the centre
 * of the area's loaded vertices that fall inside the view.
 */
function updateAreaLabels(map) {
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

export function addAreaLabels(map) {
  map.addSource('area-labels', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'state-labels', type: 'symbol', source: 'area-labels', maxzoom: 8, filter: ['==', ['get', 'kind'], 'state'],
    layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 13, 'text-transform': 'uppercase', 'text-letter-spacing': 0.08, 'text-max-width': 8 },
    paint: { 'text-color': '#7b6f8e', 'text-halo-color': '#fbfaf6', 'text-halo-width': 1.5 } }, 'anchor-labels');
  map.addLayer({ id: 'district-labels', type: 'symbol', source: 'area-labels', minzoom: 7.5, filter: ['==', ['get', 'kind'], 'district'],
    layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 11, 'text-max-width': 8 },
    paint: { 'text-color': '#8a8296', 'text-halo-color': '#fbfaf6', 'text-halo-width': 1.2 } }, 'anchor-labels');
  map.addLayer({ id: 'area-labels', type: 'symbol', source: 'area-labels', minzoom: 8, filter: ['==', ['get', 'kind'], 'area'],
    layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 11, 'text-max-width': 9 },
    paint: { 'text-color': '#222222', 'text-halo-color': '#ffffff', 'text-halo-width': 1.4 } }, 'anchor-highlight');
  let timer;
  map.on('idle', () => { clearTimeout(timer); timer = setTimeout(() => updateAreaLabels(map), 50); });
}

/** fitBbox fits the map to [w, s, e, n]. */
export function fitBbox(b, { padding = 80, maxZoom = 14 } = {}) {
  if (b && app.map) app.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding, maxZoom });
}
