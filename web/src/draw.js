// Draws and edits an alignment on a MapLibre map: click to add points,
// double-click or Enter to finish, Escape to cancel, Backspace to drop the
// last point; afterwards drag a vertex to move it, drag a midpoint handle to
// insert one, right-click a vertex to remove it. `onChange(lines, {final})`
// fires on every change, with final=false while a vertex is being dragged.

const SRC = 'alignment';
const SRC_HANDLES = 'alignment-handles';

export class DrawTool {
  constructor(map, { onChange, onModeChange }) {
    this.map = map;
    this.onChange = onChange;
    this.onModeChange = onModeChange || (() => {});
    this.lines = []; // [[lon, lat], …][]
    this.drawing = null; // the line being drawn
    this.hover = null; // rubber-band end while drawing
    this.drag = null; // {line, index}
    this.corridorM = 46;
    this._install();
  }

  _install() {
    const map = this.map;
    map.addSource(SRC, { type: 'geojson', data: empty() });
    map.addSource(SRC_HANDLES, { type: 'geojson', data: empty() });
    map.addLayer({
      id: 'alignment-corridor', type: 'line', source: SRC, filter: ['==', ['get', 'role'], 'line'],
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': '#e0443f', 'line-opacity': 0.18, 'line-width': this._corridorWidth(23) },
    });
    map.addLayer({
      id: 'alignment-casing', type: 'line', source: SRC, filter: ['==', ['get', 'role'], 'line'],
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': '#ffffff', 'line-width': 6, 'line-opacity': 0.9 },
    });
    map.addLayer({
      id: 'alignment-line', type: 'line', source: SRC,
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: {
        'line-color': '#1f3fe0', 'line-width': 3,
        'line-dasharray': ['case', ['==', ['get', 'role'], 'rubber'], ['literal', [2, 2]], ['literal', [1, 0]]],
      },
    });
    map.addLayer({
      id: 'alignment-midpoints', type: 'circle', source: SRC_HANDLES, filter: ['==', ['get', 'role'], 'mid'],
      paint: { 'circle-radius': 4, 'circle-color': '#ffffff', 'circle-stroke-color': '#1f3fe0', 'circle-stroke-width': 1.5, 'circle-opacity': 0.85 },
    });
    map.addLayer({
      id: 'alignment-vertices', type: 'circle', source: SRC_HANDLES, filter: ['==', ['get', 'role'], 'vertex'],
      paint: { 'circle-radius': 6, 'circle-color': '#1f3fe0', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 },
    });

    map.on('click', (e) => {
      if (!this.drawing) return;
      this._addPoint([e.lngLat.lng, e.lngLat.lat]);
    });
    map.on('dblclick', (e) => {
      if (!this.drawing) return;
      e.preventDefault();
      this.finish();
    });
    map.on('mousemove', (e) => {
      if (this.drawing) {
        this.hover = [e.lngLat.lng, e.lngLat.lat];
        this._render();
        return;
      }
      if (this.drag) {
        const { line, index } = this.drag;
        this.lines[line][index] = [e.lngLat.lng, e.lngLat.lat];
        this._render();
        this.onChange(this.lines, { final: false });
      }
    });
    const startDrag = (e, insert) => {
      if (this.drawing || !e.features?.length) return;
      if (e.originalEvent.button !== 0) return;
      e.preventDefault();
      const p = e.features[0].properties;
      let index = p.index;
      if (insert) {
        index = p.index + 1;
        this.lines[p.line].splice(index, 0, [e.lngLat.lng, e.lngLat.lat]);
      }
      this.drag = { line: p.line, index };
      map.getCanvas().style.cursor = 'grabbing';
      map.dragPan.disable();
    };
    map.on('mousedown', 'alignment-vertices', (e) => startDrag(e, false));
    map.on('mousedown', 'alignment-midpoints', (e) => startDrag(e, true));
    map.on('mouseup', () => {
      if (!this.drag) return;
      this.drag = null;
      map.dragPan.enable();
      map.getCanvas().style.cursor = '';
      this._render();
      this.onChange(this.lines, { final: true });
    });
    map.on('contextmenu', 'alignment-vertices', (e) => {
      if (this.drawing || !e.features?.length) return;
      e.preventDefault();
      const { line, index } = e.features[0].properties;
      if (this.lines[line].length <= 2) return;
      this.lines[line].splice(index, 1);
      this._render();
      this.onChange(this.lines, { final: true });
    });
    for (const l of ['alignment-vertices', 'alignment-midpoints']) {
      map.on('mouseenter', l, () => { if (!this.drawing && !this.drag) map.getCanvas().style.cursor = 'grab'; });
      map.on('mouseleave', l, () => { if (!this.drawing && !this.drag) map.getCanvas().style.cursor = ''; });
    }
    map.on('zoom', () => this._render());
  }

  /** start begins drawing a new line, replacing the current alignment. */
  start() {
    this.lines = [];
    this.drawing = [];
    this.hover = null;
    this.map.doubleClickZoom.disable();
    this.map.getCanvas().style.cursor = 'crosshair';
    this._render();
    this.onModeChange(true);
    this.onChange(this.lines, { final: true });
  }

  /** finish ends drawing; a line of one point is dropped. */
  finish() {
    if (!this.drawing) return;
    // A double-click adds the same point twice (two clicks): drop repeats.
    const pts = this.drawing.filter((p, i, a) => i === 0 || p[0] !== a[i - 1][0] || p[1] !== a[i - 1][1]);
    this.drawing = null;
    this.hover = null;
    this.lines = pts.length >= 2 ? [pts] : [];
    this.map.getCanvas().style.cursor = '';
    setTimeout(() => this.map.doubleClickZoom.enable(), 0);
    this._render();
    this.onModeChange(false);
    this.onChange(this.lines, { final: true });
  }

  /** cancel abandons the line being drawn. */
  cancel() {
    if (!this.drawing) return;
    this.drawing = [];
    this.finish();
  }

  undoPoint() {
    if (!this.drawing?.length) return;
    this.drawing.pop();
    this._render();
  }

  get isDrawing() { return !!this.drawing; }

  /** set replaces the alignment (upload, real case, URL). */
  set(lines) {
    if (this.drawing) { this.drawing = null; this.onModeChange(false); this.map.doubleClickZoom.enable(); }
    this.lines = lines.map((l) => l.map((p) => [p[0], p[1]]));
    this._render();
    this.onChange(this.lines, { final: true });
  }

  clear() { this.set([]); }

  setCorridor(widthM) {
    this.corridorM = widthM;
    if (this.map.getLayer('alignment-corridor')) {
      const lat = this._lat();
      this.map.setPaintProperty('alignment-corridor', 'line-width', this._corridorWidth(lat));
    }
  }

  _lat() {
    const pts = this.lines.flat();
    if (!pts.length) return 23;
    return pts.reduce((s, p) => s + p[1], 0) / pts.length;
  }

  // The corridor is drawn as a line whose width in pixels is its width in
  // metres at the alignment's latitude (MapLibre's world is 512·2^z px wide).
  _corridorWidth(lat) {
    const w0 = Math.max(this.corridorM, 1) / (78271.517 * Math.cos(lat * Math.PI / 180));
    return ['interpolate', ['exponential', 2], ['zoom'], 0, w0, 24, w0 * 2 ** 24];
  }

  _addPoint(p) {
    this.drawing.push(p);
    this._render();
  }

  _render() {
    const feats = [];
    const handles = [];
    this.lines.forEach((l, li) => {
      feats.push({ type: 'Feature', properties: { role: 'line' }, geometry: { type: 'LineString', coordinates: l } });
      if (this.drawing) return;
      // A surveyed alignment has thousands of vertices: only those at least
      // 30 px from the last one shown get a handle (zoom in for the others).
      let last = null;
      l.forEach((p, i) => {
        const q = this.map.project(p);
        const dragged = this.drag && this.drag.line === li && this.drag.index === i;
        if (dragged || i === 0 || i === l.length - 1 || !last || Math.hypot(q.x - last.x, q.y - last.y) >= 30) {
          handles.push({ type: 'Feature', properties: { role: 'vertex', line: li, index: i }, geometry: { type: 'Point', coordinates: p } });
          last = q;
        }
        if (i > 0 && !this.drag && l.length <= 200) {
          const a = this.map.project(l[i - 1]);
          const b = this.map.project(p);
          if (Math.hypot(a.x - b.x, a.y - b.y) > 24) {
            const mid = [(l[i - 1][0] + p[0]) / 2, (l[i - 1][1] + p[1]) / 2];
            handles.push({ type: 'Feature', properties: { role: 'mid', line: li, index: i - 1 }, geometry: { type: 'Point', coordinates: mid } });
          }
        }
      });
    });
    if (this.drawing) {
      if (this.drawing.length >= 2) feats.push({ type: 'Feature', properties: { role: 'line' }, geometry: { type: 'LineString', coordinates: this.drawing } });
      if (this.drawing.length && this.hover) {
        feats.push({ type: 'Feature', properties: { role: 'rubber' }, geometry: { type: 'LineString', coordinates: [this.drawing[this.drawing.length - 1], this.hover] } });
      }
      this.drawing.forEach((p, i) => handles.push({ type: 'Feature', properties: { role: 'vertex', line: 0, index: i }, geometry: { type: 'Point', coordinates: p } }));
    }
    this.map.getSource(SRC)?.setData({ type: 'FeatureCollection', features: feats });
    this.map.getSource(SRC_HANDLES)?.setData({ type: 'FeatureCollection', features: handles });
    if (this.map.getLayer('alignment-corridor')) {
      this.map.setPaintProperty('alignment-corridor', 'line-width', this._corridorWidth(this._lat()));
    }
  }
}

function empty() { return { type: 'FeatureCollection', features: [] }; }
