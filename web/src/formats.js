// Reading alignments from GeoJSON and KML, writing KML, small numeric helpers.

/**
 * linesFromGeoJSON returns the line strings of a GeoJSON document (Geometry,
 * Feature or FeatureCollection) as arrays of [lon, lat].
 */
export function linesFromGeoJSON(doc) {
  const lines = [];
  const visit = (g) => {
    if (!g) return;
    switch (g.type) {
      case 'FeatureCollection': (g.features || []).forEach(visit); break;
      case 'Feature': visit(g.geometry); break;
      case 'GeometryCollection': (g.geometries || []).forEach(visit); break;
      case 'LineString': lines.push(clean(g.coordinates)); break;
      case 'MultiLineString': (g.coordinates || []).forEach((c) => lines.push(clean(c))); break;
      default: break;
    }
  };
  visit(doc);
  return lines.filter((l) => l.length >= 2);
}

function clean(coords) {
  return (coords || [])
    .filter((c) => Array.isArray(c) && Number.isFinite(+c[0]) && Number.isFinite(+c[1]))
    .map((c) => [+c[0], +c[1]]);
}

/** linesFromKML returns the LineStrings of a KML document. */
export function linesFromKML(text) {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) {
    throw new Error('The KML file is not well-formed XML.');
  }
  const lines = [];
  for (const ls of doc.getElementsByTagNameNS('*', 'LineString')) {
    const c = ls.getElementsByTagNameNS('*', 'coordinates')[0];
    if (!c) continue;
    const pts = c.textContent.trim().split(/\s+/).map((t) => t.split(',').map(Number))
      .filter((p) => p.length >= 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]))
      .map((p) => [p[0], p[1]]);
    if (pts.length >= 2) lines.push(pts);
  }
  return lines;
}

/** parseAlignmentFile reads an uploaded file's text by its name or content. */
export function parseAlignmentFile(name, text) {
  const t = text.trimStart();
  const isKML = /\.kml$/i.test(name) || t.startsWith('<');
  let lines;
  if (isKML) {
    lines = linesFromKML(text);
  } else {
    let doc;
    try { doc = JSON.parse(text); } catch (e) {
      throw new Error(`${name} is not valid GeoJSON: ${e.message}`);
    }
    lines = linesFromGeoJSON(doc);
  }
  if (!lines.length) {
    throw new Error(`${name} holds no line: an alignment must be a LineString or MultiLineString${isKML ? ' (KML <LineString>)' : ''}.`);
  }
  for (const l of lines) {
    for (const [lon, lat] of l) {
      if (Math.abs(lon) > 180 || Math.abs(lat) > 90) {
        throw new Error(`${name}: coordinates ${lon}, ${lat} are not longitude/latitude (WGS 84). Reproject the file to EPSG:4326 first.`);
      }
    }
  }
  return lines;
}

/** alignmentFeature wraps the lines as one GeoJSON Feature. */
export function alignmentFeature(lines, props = {}) {
  const geometry = lines.length === 1
    ? { type: 'LineString', coordinates: lines[0] }
    : { type: 'MultiLineString', coordinates: lines };
  return { type: 'Feature', properties: props, geometry };
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]);

/** toKML writes the alignment as a KML document. */
export function toKML(lines, name = 'Alignment') {
  const ls = lines.map((l) => `      <LineString><tessellate>1</tessellate><coordinates>${l.map(([x, y]) => `${x.toFixed(7)},${y.toFixed(7)}`).join(' ')}</coordinates></LineString>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
  <Document>
    <name>${esc(name)}</name>
    <Style id="alignment"><LineStyle><color>ff1f3fe0</color><width>3</width></LineStyle></Style>
    <Placemark>
      <name>${esc(name)}</name>
      <styleUrl>#alignment</styleUrl>
      <MultiGeometry>
${ls}
      </MultiGeometry>
    </Placemark>
  </Document>
</kml>
`;
}

/** lengthGeodesic is a line's length in metres on the sphere (for display only). */
export function lengthHaversine(line) {
  const R = 6371008.8;
  let d = 0;
  for (let i = 1; i < line.length; i++) {
    const [x1, y1] = line[i - 1];
    const [x2, y2] = line[i];
    const p1 = y1 * Math.PI / 180;
    const p2 = y2 * Math.PI / 180;
    const dp = p2 - p1;
    const dl = (x2 - x1) * Math.PI / 180;
    const a = Math.sin(dp / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) ** 2;
    d += 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
  }
  return d;
}

/** bboxOf returns [w, s, e, n] of any GeoJSON geometry, feature or coordinates. */
export function bboxOf(g) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number') {
      b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
      b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
      return;
    }
    c.forEach(walk);
  };
  const visit = (x) => {
    if (!x) return;
    if (Array.isArray(x)) { walk(x); return; }
    if (x.type === 'FeatureCollection') x.features.forEach(visit);
    else if (x.type === 'Feature') visit(x.geometry);
    else if (x.type === 'GeometryCollection') x.geometries.forEach(visit);
    else walk(x.coordinates);
  };
  visit(g);
  return Number.isFinite(b[0]) ? b : null;
}

export function unionBbox(a, b) {
  if (!a) return b;
  if (!b) return a;
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

const nf0 = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const nf2 = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
const nf3 = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 3, minimumFractionDigits: 3 });

export const fmt = {
  int: (v) => (v == null || !Number.isFinite(+v) ? '—' : nf0.format(+v)),
  m: (v) => (v == null || !Number.isFinite(+v) ? '—' : (+v >= 1000 ? `${nf2.format(+v / 1000)} km` : `${nf0.format(+v)} m`)),
  ha: (v) => (v == null || !Number.isFinite(+v) ? '—' : `${nf2.format(+v)} ha`),
  pct: (v) => (v == null || !Number.isFinite(+v) ? '—' : `${nf1.format(+v)} %`),
  km: (v) => (v == null || !Number.isFinite(+v) ? '—' : nf3.format(+v)),
};
