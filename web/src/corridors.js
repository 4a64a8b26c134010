// The corridor picker. The RoW widths are the service's (GET
// /overlaps/corridors: voltage and circuit configuration, or rail); the page
// keeps no copy of the table. A custom width is the one thing it adds.
import { getJSON } from './api.js';
import { $, el } from './dom.js';
import { state } from './state.js';

export const CUSTOM = 'custom';

/** loadCorridors fetches the served table and fills the picker with it. */
export async function loadCorridors() {
  const doc = await getJSON('/overlaps/corridors', { what: 'loading the corridor widths' });
  const list = (doc.corridors || []).filter((c) => c && c.id && Number.isFinite(+c.row_width_m));
  state.corridors = { list, byId: new Map(list.map((c) => [c.id, c])), default: doc.default || list[0]?.id || CUSTOM, doc };
  if ($('#corridor')) fillPicker();
  return state.corridors;
}

const KIND_LABELS = { transmission: 'Transmission line', rail: 'Railway' };

function fillPicker() {
  const sel = $('#corridor');
  const keep = sel.dataset.filled ? sel.value : ''; // a planner's choice survives a reload of the table
  sel.dataset.filled = 'true';
  const groups = new Map();
  for (const c of state.corridors.list) {
    const k = c.kind || 'other';
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(c);
  }
  sel.replaceChildren(
    ...[...groups].map(([k, cs]) => el('optgroup', { label: KIND_LABELS[k] || k },
      cs.map((c) => el('option', { value: c.id, text: `${c.label || c.id} — ${fmtWidth(c.row_width_m)}`, dataset: { widthM: c.row_width_m } })))),
    el('optgroup', { label: 'Other' }, el('option', { value: CUSTOM, text: 'Custom RoW width' })));
  sel.value = keep && (keep === CUSTOM || state.corridors.byId.has(keep)) ? keep : state.corridors.default;
  if (!sel.value) sel.value = CUSTOM;
  onPick();
}

const fmtWidth = (w) => `${+w} m`;

/** onPick shows the width field for a custom corridor only. */
export function onPick() {
  const custom = $('#corridor').value === CUSTOM || !state.corridors;
  $('#row-label').hidden = !custom;
  const c = corridor();
  $('#corridor-note').textContent = c.entry?.min_section_m ? `RoW ${fmtWidth(c.entry.row_width_m)}; minimum section ${fmtWidth(c.entry.min_section_m)}.` : '';
}

/** corridor is the chosen corridor: a served entry, or a custom width. */
export function corridor() {
  const id = $('#corridor').value;
  if (id !== CUSTOM && state.corridors?.byId.has(id)) return specOf(id);
  return specOf(`w${Math.max(0, +$('#row-width').value || 0)}`);
}

/**
 * specOf reads a corridor as the URL keeps it: a served id ("765-dc",
 * "rail") or a custom width ("w46"). Unknown ids give null.
 */
export function specOf(token) {
  const s = String(token ?? '');
  const entry = state.corridors?.byId.get(s);
  if (entry) return { id: s, entry, widthM: +entry.row_width_m, label: entry.label || s, token: s };
  const m = /^w?(\d+(?:\.\d+)?)$/.exec(s);
  if (!m) return null;
  const w = +m[1];
  return { id: CUSTOM, entry: null, widthM: w, label: `RoW ${fmtWidth(w)}`, token: `w${w}` };
}

export const corridorWidthM = () => corridor().widthM;

/** corridorQuery sets a corridor's query parameters (check, reroute): the chosen one by default. */
export function corridorQuery(p, spec = corridor()) {
  const e = spec.entry;
  if (e?.kind === 'rail') p.set('rail', 'true');
  else if (e && Number.isFinite(+e.voltage_kv)) {
    p.set('voltage_kv', String(e.voltage_kv));
    if (e.circuit) p.set('circuit', e.circuit);
  } else p.set('row_width_m', String(spec.widthM));
  return p;
}

/** corridorBody is a corridor as POST /routes takes it: the chosen one by default. */
export function corridorBody(spec = corridor()) {
  const e = spec.entry;
  if (e?.kind === 'rail') return { rail: true };
  if (e && Number.isFinite(+e.voltage_kv)) return e.circuit ? { voltage_kv: +e.voltage_kv, circuit: e.circuit } : { voltage_kv: +e.voltage_kv };
  return { row_width_m: spec.widthM };
}

/** setCorridor picks a corridor as the URL keeps it; false if it is not known. */
export function setCorridor(token) {
  const spec = specOf(token);
  if (!spec) return false;
  if (spec.entry) $('#corridor').value = spec.id;
  else { $('#corridor').value = CUSTOM; $('#row-width').value = String(spec.widthM); }
  onPick();
  return true;
}

/** corridorToken is the chosen corridor as the URL keeps it. */
export const corridorToken = () => corridor().token;
