// Fixed waypoints the routes must pass through, in order: a tool that adds
// one per click on the map, numbered markers, and the list in the routes
// panel (each can be removed). They go to POST /routes as `waypoints`.
import { $, el } from './dom.js';
import { FONT } from './mapview.js';
import { app } from './state.js';

const SRC = 'waypoints';
let points = [];
let active = false;
const listeners = [];

/** onWaypointsChange registers fn(points) to run when the waypoints change. */
export const onWaypointsChange = (fn) => listeners.push(fn);
export const waypoints = () => points.map((p) => [...p]);
export const waypointToolActive = () => active;

export function addWaypointLayers(map) {
  map.addSource(SRC, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'waypoints-circle', type: 'circle', source: SRC,
    paint: { 'circle-radius': 9, 'circle-color': '#ffffff', 'circle-stroke-color': '#6a1b9a', 'circle-stroke-width': 3 } });
  map.addLayer({ id: 'waypoints-label', type: 'symbol', source: SRC,
    layout: { 'text-field': ['to-string', ['get', 'n']], 'text-font': FONT, 'text-size': 11, 'text-allow-overlap': true, 'text-ignore-placement': true },
    paint: { 'text-color': '#6a1b9a' } });
}

/** setWaypoints replaces the waypoints (a URL, a cleared alignment). */
export function setWaypoints(list) {
  points = (list || []).map((p) => [+p[0], +p[1]]);
  render();
}

function render() {
  app.map?.getSource(SRC)?.setData({ type: 'FeatureCollection',
    features: points.map((p, i) => ({ type: 'Feature', properties: { n: i + 1 }, geometry: { type: 'Point', coordinates: p } })) });
  const box = $('#waypoint-list');
  if (box) {
    box.replaceChildren(...points.map((p, i) => el('li', {},
      el('span', { text: `${i + 1}: ${p[1].toFixed(5)}° N, ${p[0].toFixed(5)}° E` }),
      el('button', { type: 'button', class: 'icon', 'aria-label': `Remove waypoint ${i + 1}`, title: 'Remove', text: '×', onclick: () => remove(i) }))));
    $('#waypoints-clear').disabled = !points.length;
  }
  for (const fn of listeners) fn(waypoints());
}

function remove(i) {
  points.splice(i, 1);
  render();
}

/** setTool turns the waypoint tool on or off (a click on the map then adds one). */
export function setTool(on) {
  active = on;
  const b = $('#waypoint-tool');
  b.setAttribute('aria-pressed', String(on));
  b.textContent = on ? 'Done adding waypoints' : 'Add waypoints';
  const banner = $('#draw-banner');
  banner.hidden = !on;
  banner.textContent = on ? 'Waypoints: click on the map to add one (in order) · click a waypoint to remove it · Esc when done' : '';
  if (app.map) app.map.getCanvas().style.cursor = on ? 'crosshair' : '';
}

/** handleClick takes a map click while the tool is on; true if it used it. */
export function handleClick(e) {
  if (!active) return false;
  const hit = app.map.queryRenderedFeatures(e.point, { layers: ['waypoints-circle'] });
  if (hit.length) remove(hit[0].properties.n - 1);
  else {
    points.push([+e.lngLat.lng.toFixed(6), +e.lngLat.lat.toFixed(6)]);
    render();
  }
  return true;
}

export function wireWaypoints() {
  $('#waypoint-tool').addEventListener('click', () => setTool(!active));
  $('#waypoints-clear').addEventListener('click', () => setWaypoints([]));
  render();
}
