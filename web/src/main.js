// The planner's web map: layers from the catalog over a basemap drawn from
// the service's own context layers, feature and layer information, the
// alignment check (draw, upload or a real case), proposed routes, and — at
// /map?report=1#… — the printable clearance report. This module wires the
// others together.
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';

import { getToken, setToken } from './api.js';
import { basemapOf } from './catalog.js';
import { fetchCase } from './cases.js';
import { addHighlightLayers, checkQuery, clearSelection, renderAgainstList, requestCheck, selectConflict, setAgainst, updateExports, wireCheck } from './check.js';
import { corridorWidthM, loadCorridors, onPick, setCorridor } from './corridors.js';
import { $, setStatus, showError } from './dom.js';
import { DrawTool } from './draw.js';
import { bboxOf, fmt, lengthHaversine, parseAlignmentFile } from './formats.js';
import { closeInfo, infoOpen, showFeature } from './info.js';
import { aboutLayer, interactiveIds, loadCatalog, setVisible, updateZoomHints, wireLayerPanel } from './layerpanel.js';
import { addAnchors, addAreaLabels, addBasemap, createMap, fitBbox, readHash } from './mapview.js';
import { renderReport } from './report.js';
import { addRouteLayers, clearRoutes, routeAt, updateRouteButtons, wireRoutes } from './routes.js';
import { render as renderSoft, wireSoftCosts } from './softcosts.js';
import { CASES, COAL_BLOCKS, app, state } from './state.js';
import { addWaypointLayers, handleClick as waypointClick, setTool as setWaypointTool, setWaypoints, waypointToolActive, wireWaypoints } from './waypoints.js';

window.coalmap = { state, app, checkQuery };

/* ---------- the alignment ---------- */

function onAlignmentChange(lines, { final }) {
  state.lines = lines;
  state.caseId = null; // loadCase sets it again after draw.set
  clearRoutes();
  const len = lines.reduce((a, l) => a + lengthHaversine(l), 0);
  const nv = lines.reduce((a, l) => a + l.length, 0);
  $('#alignment-info').textContent = lines.length ? `${state.alignmentName}: ${nv} points, ${fmt.m(len)}.` : '';
  $('#clear').disabled = !lines.length && !app.draw?.isDrawing;
  if (!lines.length) clearSelection();
  updateRouteButtons();
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

const fitLines = (lines) => fitBbox(bboxOf(lines), { padding: 80, maxZoom: 14 });

async function loadCase(id) {
  const c = CASES[id];
  const btn = document.querySelector(`[data-case="${id}"]`);
  btn?.classList.add('loading');
  setStatus($('#check-status'), `Loading the ${c.label} case…`, { busy: true });
  try {
    if (!state.layers.length) await loadCatalog();
    const { lines, name } = await fetchCase(id);
    state.alignmentName = name;
    setAgainst([COAL_BLOCKS]);
    setCorridor(c.corridor);
    app.draw.setCorridor(corridorWidthM());
    setWaypoints([]);
    for (const lid of [COAL_BLOCKS, c.layer]) if (state.byId.has(lid)) setVisible(lid, true);
    app.draw.set(lines);
    state.caseId = id;
    fitLines(lines);
  } catch (err) {
    setStatus($('#check-status'), err.message, { error: true });
    showError(err);
  } finally {
    btn?.classList.remove('loading');
  }
}

/* ---------- the map's clicks ---------- */

function onMapClick(e) {
  const map = app.map;
  if (app.draw?.isDrawing) return;
  if (waypointClick(e)) return;
  if (map.queryRenderedFeatures(e.point, { layers: ['alignment-vertices', 'alignment-midpoints'].filter((x) => map.getLayer(x)) }).length) return;
  const r = routeAt(e.point);
  if (r != null) { document.querySelector(`#routes-table tbody tr[data-index="${r}"]`)?.click(); return; }
  const hl = map.getLayer('hl-blocks-fill') ? map.queryRenderedFeatures(e.point, { layers: ['hl-blocks-fill'] }) : [];
  const layers = interactiveIds().filter((x) => map.getLayer(x));
  const feats = layers.length ? map.queryRenderedFeatures(e.point, { layers }) : [];
  if (feats.length) showFeature(feats[0], aboutLayer);
  else if (hl.length) selectConflict(hl[0].properties.key, { fit: false });
}

function onMapMove(e) {
  const map = app.map;
  if (app.draw?.isDrawing || app.draw?.drag || waypointToolActive()) return;
  const layers = interactiveIds().filter((x) => map.getLayer(x));
  const over = layers.length && map.queryRenderedFeatures(e.point, { layers }).length;
  const handle = map.getLayer('alignment-vertices') && map.queryRenderedFeatures(e.point, { layers: ['alignment-vertices', 'alignment-midpoints', 'routes-line'] }).length;
  if (!handle) map.getCanvas().style.cursor = over ? 'pointer' : '';
}

/* ---------- wiring ---------- */

function wireToken() {
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
}

async function reloadWithToken() {
  // Sources fetched with the old token are dropped so that tiles refetch.
  const vis = [...state.visible];
  for (const id of vis) setVisible(id, false);
  state.blockCache.clear();
  await loadCatalog();
  renderAgainstList();
  renderSoft();
  for (const id of vis) if (state.byId.has(id)) setVisible(id, true);
  requestCheck();
}

function wireAlignment() {
  $('#draw').addEventListener('click', () => {
    if (app.draw.isDrawing) app.draw.finish();
    else { setWaypointTool(false); state.alignmentName = 'Drawn alignment'; clearSelection(); app.draw.start(); }
  });
  $('#clear').addEventListener('click', () => { if (app.draw.isDrawing) app.draw.cancel(); app.draw.clear(); setWaypoints([]); });
  $('#upload').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (!file) return;
    try {
      if (file.size > 20 * 1024 * 1024) throw new Error(`${file.name} is larger than 20 MB; upload the alignment alone.`);
      const lines = parseAlignmentFile(file.name, await file.text());
      state.alignmentName = file.name.replace(/\.(geo)?json$|\.kml$/i, '');
      clearSelection();
      app.draw.set(lines);
      fitLines(lines);
    } catch (err) {
      setStatus($('#check-status'), err.message, { error: true });
      showError(err);
    }
  });
  $('#corridor').addEventListener('change', () => { onPick(); app.draw.setCorridor(corridorWidthM()); requestCheck(); });
  for (const id of ['#row-width', '#clearance']) {
    $(id).addEventListener('change', () => { app.draw.setCorridor(corridorWidthM()); requestCheck(); });
    $(id).addEventListener('input', () => { app.draw.setCorridor(corridorWidthM()); requestCheck({ delay: 300 }); });
  }
  for (const b of document.querySelectorAll('[data-case]')) b.addEventListener('click', () => loadCase(b.dataset.case));
  $('#waypoint-tool').addEventListener('click', () => { if (app.draw.isDrawing) app.draw.finish(); });

  document.addEventListener('keydown', (e) => {
    const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName);
    if (e.key === 'Escape') {
      if (app.draw?.isDrawing) app.draw.cancel();
      else if (waypointToolActive()) setWaypointTool(false);
      else if (infoOpen()) closeInfo();
    } else if (app.draw?.isDrawing && !typing) {
      if (e.key === 'Enter') { e.preventDefault(); app.draw.finish(); }
      if (e.key === 'Backspace') { e.preventDefault(); app.draw.undoPoint(); }
    }
  });
}

async function startApp() {
  const initial = readHash();
  const map = createMap(initial);
  app.map = map;
  window.coalmap.map = map;
  map.on('zoomend', updateZoomHints);
  map.on('click', onMapClick);
  map.on('mousemove', onMapMove);
  wireLayerPanel();
  wireToken();
  wireAlignment();
  wireCheck();
  wireSoftCosts();
  wireWaypoints();
  wireRoutes();
  $('#info-close').addEventListener('click', closeInfo);
  const corridors = loadCorridors().catch((err) => {
    setStatus($('#corridor-note'), `${err.message} Only a custom RoW width can be used.`, { error: true });
  });
  map.on('load', async () => {
    addAnchors(map);
    addHighlightLayers(map);
    addAreaLabels(map);
    app.draw = new DrawTool(map, { onChange: onAlignmentChange, onModeChange: setDrawMode });
    window.coalmap.draw = app.draw;
    addRouteLayers(map);
    addWaypointLayers(map);
    try {
      await Promise.all([loadCatalog(), corridors]);
    } catch (err) {
      showError(err);
      return;
    }
    app.draw.setCorridor(corridorWidthM());
    state.basemap = basemapOf(state.layers);
    addBasemap(map, state.basemap);
    const want = initial.layers ?? [COAL_BLOCKS];
    for (const id of want) if (state.byId.has(id)) setVisible(id, true);
    renderAgainstList();
    renderSoft();
    updateExports();
    document.body.dataset.ready = 'true';
  });
}

if (new URLSearchParams(location.search).has('report')) {
  renderReport().catch((err) => showError(err));
} else {
  startApp();
}
