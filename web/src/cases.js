// The ministry's real cases: each one's demo alignment, read from the catalog.
import { getJSON } from './api.js';
import { linesFromGeoJSON } from './formats.js';
import { CASES } from './state.js';

/** fetchCase reads a real case's alignment: {lines, name}. */
export async function fetchCase(id) {
  const c = CASES[id];
  if (!c) throw new Error(`There is no real case “${id}” (known: ${Object.keys(CASES).join(', ')}).`);
  const f = await getJSON(`/collections/${encodeURIComponent(c.layer)}/items/${encodeURIComponent(id)}`, { what: `loading the ${c.label} alignment` });
  const feature = f.type === 'FeatureCollection' ? f.features[0] : f;
  const lines = linesFromGeoJSON(feature);
  if (!lines.length) throw new Error(`The ${c.label} alignment has no line geometry.`);
  return { lines, name: feature.properties?.name || c.label };
}
