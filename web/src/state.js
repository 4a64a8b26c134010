// What the page's modules share: the page state, the map and drawing tool
// once they exist, and the fixed facts of the demo (home view, real cases).

// The region the demo catalog covers: India's coal belt.
export const HOME = [[78, 17], [88.5, 26]];
export const COAL_BLOCKS = 'coal_blocks';

// The ministry's real cases: the demo alignment of each (layer and feature
// id) and the corridor it is checked with (an id of GET /overlaps/corridors).
export const CASES = {
  'dhirauli-765kv': { label: 'Dhirauli 765 kV', layer: 'transmission_lines_proposed_765kv', corridor: '765-dc' },
  'pelma-sardega': { label: 'Pelma–Sardega rail', layer: 'railway_lines_proposed', corridor: 'rail' },
  'tentuloi-budhapank': { label: 'Tentuloi–Budhapank rail', layer: 'railway_lines_proposed', corridor: 'rail' },
  'jharsuguda-dharamjaygarh': { label: 'Jharsuguda–Dharamjaygarh 765 kV', layer: 'transmission_lines_765kv', corridor: '765-dc' },
};

/** caseId resolves a case name as a URL may give it: its id or the id's first word ("dhirauli"). */
export function caseId(name) {
  if (!name) return null;
  const n = String(name).toLowerCase();
  if (CASES[n]) return n;
  return Object.keys(CASES).find((id) => id.startsWith(`${n}-`)) || null;
}

export const state = {
  layers: [], // the normalised catalog
  byId: new Map(),
  visible: new Set(),
  basemap: null,
  against: new Set([COAL_BLOCKS]), // the check's layers, the routes' hard constraints
  lines: [], // the alignment: arrays of [lon, lat]
  alignmentName: 'Alignment',
  caseId: null, // the real case loaded, while the alignment is unchanged
  result: null, // the check's answer, normalised
  blockCache: new Map(), // "layer/id" → GeoJSON feature
  corridors: null, // GET /overlaps/corridors
  routes: null, // the last POST /routes answer
};

/** app holds the map and the drawing tool once made (the report page has neither). */
export const app = { map: null, draw: null };
