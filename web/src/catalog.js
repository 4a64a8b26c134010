// The catalog as the page uses it: /collections entries normalised, whatever
// OGC API or catalog-specific shape each field comes in.

export const CATEGORY_LABELS = {
  coal_resources: 'Coal resources',
  mining_operations: 'Mining operations',
  coal_logistics: 'Coal logistics',
  proposed_projects: 'Proposed projects',
  land: 'Land',
  power: 'Power',
  rail: 'Rail',
  roads: 'Roads',
  environment: 'Environment and forests',
  water: 'Water',
  settlements: 'Settlements',
  administrative: 'Administrative boundaries',
  infrastructure: 'Infrastructure',
  geology: 'Geology and hydrogeology',
  social_infrastructure: 'Social infrastructure',
};
const CATEGORY_ORDER = Object.keys(CATEGORY_LABELS);

export function categoryLabel(c) {
  return CATEGORY_LABELS[c] || (c ? c.replace(/_/g, ' ').replace(/^./, (x) => x.toUpperCase()) : 'Other');
}

export function categoryRank(c) {
  const i = CATEGORY_ORDER.indexOf(c);
  return i < 0 ? CATEGORY_ORDER.length : i;
}

/** geomKind reduces a geometry type to polygon, line or point. */
export function geomKind(t) {
  const s = String(t || '').toLowerCase();
  if (s.includes('polygon')) return 'polygon';
  if (s.includes('line')) return 'line';
  if (s.includes('point')) return 'point';
  return 'polygon';
}

function extentOf(c) {
  const e = c.extent;
  let b = null;
  if (Array.isArray(e) && e.length === 4) b = e;
  else if (e?.spatial?.bbox?.[0]?.length >= 4) b = e.spatial.bbox[0];
  else if (Array.isArray(c.bbox) && c.bbox.length === 4) b = c.bbox;
  if (b && b.length === 6) b = [b[0], b[1], b[3], b[4]];
  if (!b || !b.every(Number.isFinite) || b[0] > b[2] || b[1] > b[3]) return null;
  return b.slice(0, 4);
}

export function normaliseLayer(c) {
  const style = c.style || {};
  return {
    id: c.id,
    title: c.title || c.id,
    titleHi: c.title_hi || '',
    description: c.description || '',
    category: c.category || 'other',
    keywords: c.keywords || [],
    owner: c.owner || c.custodian?.organisation || '',
    custodian: c.custodian || {},
    kind: geomKind(c.geometry_type || c.geometryType || c.itemGeometryType),
    geometryType: c.geometry_type || c.geometryType || '',
    featureCount: c.feature_count ?? c.featureCount ?? c.numberMatched,
    attributes: Array.isArray(c.attributes) ? c.attributes : [],
    updateFrequency: c.update_frequency || '',
    lineage: c.lineage || {},
    revisedAt: c.revised_at || '',
    status: c.status || '',
    license: c.license || '',
    scale: c.scale || '',
    accuracy: c.accuracy || '',
    sourceCRS: c.source_crs || '',
    access: c.access || 'public',
    minZoom: Number.isFinite(c.min_zoom) ? c.min_zoom : 0,
    maxZoom: Number.isFinite(c.max_zoom) ? c.max_zoom : 22,
    extent: extentOf(c),
    dataVersion: c.data_version,
    style: {
      color: style.color || '#555555',
      fill: style.fill_color || style.color || '#888888',
      fillOpacity: Number.isFinite(style.fill_opacity) && style.fill_opacity > 0 ? style.fill_opacity : 0.25,
      width: Number.isFinite(style.line_width) && style.line_width > 0 ? style.line_width : 1.5,
      dash: Array.isArray(style.line_dash) && style.line_dash.length ? style.line_dash : null,
      radius: Number.isFinite(style.radius) && style.radius > 0 ? style.radius : 4,
    },
    raw: c,
  };
}

export function normaliseCatalog(doc) {
  const list = Array.isArray(doc) ? doc : (doc.collections || doc.layers || []);
  return list.filter((c) => c && c.id).map(normaliseLayer);
}

/**
 * basemapOf picks the context layers the basemap is drawn from: state and
 * district boundaries, rivers and water bodies, main roads.
 */
export function basemapOf(layers) {
  const byId = new Map(layers.map((l) => [l.id, l]));
  const pick = (pred, n = 1) => layers.filter(pred).slice(0, n);
  const states = byId.get('states') ? [byId.get('states')] : pick((l) => l.category === 'administrative' && /state/.test(l.id) && l.kind === 'polygon');
  const districts = byId.get('districts') ? [byId.get('districts')] : pick((l) => l.category === 'administrative' && /district/.test(l.id) && l.kind === 'polygon');
  const rivers = pick((l) => (l.category === 'water' || /river/.test(l.id)) && /river|water_bod|reservoir/.test(l.id) && l.access === 'public', 2);
  const roads = pick((l) => (l.category === 'roads') && /national_highway|state_highway|^roads?$|highway/.test(l.id) && l.kind === 'line' && l.access === 'public', 2);
  return { states, districts, rivers, roads, all: [...states, ...districts, ...rivers, ...roads] };
}

/** attrLabel is the dictionary's label of a property, in English and Hindi. */
export function attrLabel(layer, name) {
  const a = layer?.attributes.find((x) => x.name === name);
  return { en: a?.alias || humanise(name), hi: a?.label_hi || '', unit: a?.unit || '', type: a?.type || '', description: a?.description || '', known: !!a };
}

function humanise(s) {
  return String(s).replace(/_/g, ' ').replace(/^./, (x) => x.toUpperCase());
}
