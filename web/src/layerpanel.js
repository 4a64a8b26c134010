// The layer panel: the catalog grouped by category, searchable, each layer a
// toggle with its swatch, count, metadata and zoom-to-extent; and the map
// layers a toggle adds or removes.
import { getJSON } from './api.js';
import { normaliseCatalog, categoryLabel, categoryRank } from './catalog.js';
import { $, el, setStatus, showError } from './dom.js';
import { fmt } from './formats.js';
import { showLayerInfo } from './info.js';
import { FONT, hasName, writeHash } from './mapview.js';
import { app, state } from './state.js';

/* ---------- catalog layers on the map ---------- */

const mapLayerIds = (l) => (l.kind === 'polygon' ? [`L:${l.id}:fill`, `L:${l.id}:line`] : l.kind === 'line' ? [`L:${l.id}:line`] : [`L:${l.id}:circle`]).concat(hasName(l) && l.kind !== 'polygon' ? [`L:${l.id}:label`] : []);

/** interactiveIds are the map layers a click asks for features. */
export const interactiveIds = () => [...state.visible].flatMap((id) => {
  const l = state.byId.get(id);
  return l ? mapLayerIds(l).filter((x) => !x.endsWith(':label')) : [];
});

function addMapLayer(l) {
  const map = app.map;
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
  const map = app.map;
  for (const id of mapLayerIds(l)) if (map.getLayer(id)) map.removeLayer(id);
  if (map.getSource(`L:${l.id}`)) map.removeSource(`L:${l.id}`);
}

/** setVisible shows or hides a catalog layer on the map. */
export function setVisible(id, on) {
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

export function zoomToExtent(l) {
  if (!l.extent) { showError(new Error(`${l.title} has no extent yet (no features).`)); return; }
  const [w, s, e, n] = l.extent;
  app.map.fitBounds([[w, s], [e, n]], { padding: 40, maxZoom: 13 });
}

export const aboutLayer = (l) => showLayerInfo(l, {
  visible: () => state.visible.has(l.id),
  toggle: () => setVisible(l.id, !state.visible.has(l.id)),
  zoom: () => zoomToExtent(l),
});

/* ---------- the panel ---------- */

/** swatch is a small sample of a layer's style. */
export function swatch(l) {
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

export function hexAlpha(hex, a) {
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
        el('button', { type: 'button', class: 'icon', 'aria-label': `About ${l.title}`, title: 'About this layer', text: 'ℹ', onclick: () => aboutLayer(l) }),
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
export function updateZoomHints() {
  const z = app.map.getZoom();
  for (const li of document.querySelectorAll('#layer-list li.layer')) {
    const out = z < +li.dataset.minZoom || z > +li.dataset.maxZoom + 0.999;
    if (li.classList.contains('out-of-zoom') === out) continue;
    li.classList.toggle('out-of-zoom', out);
    const label = li.querySelector('.layer-toggle');
    label.title = out ? `Shown from zoom ${li.dataset.minZoom}${+li.dataset.maxZoom < 22 ? ` to ${li.dataset.maxZoom}` : ''}: zoom in to see it` : '';
  }
}

/** searchText is what a search matches a layer on. */
export function searchText(l) {
  return [l.id, l.title, l.titleHi, l.description, l.owner, categoryLabel(l.category), ...(l.keywords || [])].join(' ').toLowerCase();
}

export function applySearch() {
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

/** loadCatalog reads /collections (with the session's token) and redraws the panel. */
export async function loadCatalog() {
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
}

export function wireLayerPanel() {
  $('#layer-search').addEventListener('input', applySearch);
  $('#layers-expand').addEventListener('click', () => document.querySelectorAll('#layer-list details').forEach((d) => { d.open = true; }));
  $('#layers-collapse').addEventListener('click', () => document.querySelectorAll('#layer-list details').forEach((d) => { d.open = false; }));
  $('#layers-none').addEventListener('click', () => [...state.visible].forEach((id) => setVisible(id, false)));
}
