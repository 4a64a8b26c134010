// The routes' soft costs: a cost per km inside polygon layers (forests…), a
// penalty per crossing of line layers (railways, highways, rivers, power
// lines), a bonus per km run parallel to an existing corridor, a cost per
// angle point — all in km-equivalents. By default the service's documented
// defaults apply (the request leaves "soft" out) and the form shows them.
import { $, el } from './dom.js';
import { state } from './state.js';

const GROUPS = {
  polygons: { kind: 'polygon', fields: [['cost_per_km', 'km-eq. per km inside', 0.1]], add: 'Add a polygon layer' },
  crossings: { kind: 'line', fields: [['penalty_km', 'km-eq. per crossing', 0.1]], add: 'Add a line layer' },
  parallel: { kind: 'line', fields: [['bonus_per_km', 'km-eq. bonus per km', 0.05], ['within_m', 'within m', 10]], add: 'Add a corridor layer' },
};

let edited = null; // the planner's own costs; null: the service's defaults

/** serviceDefaults are the documented defaults, as far as the service has said them. */
export function serviceDefaults() {
  return state.corridors?.doc?.soft_defaults || state.routes?.parameters?.soft || null;
}

/** softCosts is the request's "soft": null while the service's defaults are used. */
export function softCosts() {
  if ($('#soft-default').checked || !edited) return null;
  const out = { polygons: [], crossings: [], parallel: [], angle_point_km: +$('#soft-angle').value || 0 };
  for (const g of Object.keys(GROUPS)) {
    for (const row of document.querySelectorAll(`#soft-${g} li`)) {
      const layer = row.querySelector('select').value;
      if (!layer) continue;
      const item = { layer };
      for (const input of row.querySelectorAll('input[type="number"]')) {
        const v = input.value.trim() === '' ? NaN : Number(input.value);
        if (!Number.isFinite(v)) {
          const title = state.byId.get(layer)?.title || layer;
          throw new Error(`Soft costs: ${title}: “${input.getAttribute('aria-label')}” is not a number.`);
        }
        item[input.name] = v;
      }
      out[g].push(item);
    }
  }
  return out;
}

/** setSoft shows costs given by a URL (null: the service's defaults). */
export function setSoft(soft) {
  edited = soft ? structuredClone(soft) : null;
  $('#soft-default').checked = !soft;
  render();
}

/** render fills the form from the planner's costs or, when unedited, the service's defaults. */
export function render() {
  const useDefaults = $('#soft-default').checked;
  const soft = useDefaults ? serviceDefaults() : edited;
  $('#soft-note').textContent = useDefaults
    ? (serviceDefaults() ? 'The service’s documented defaults (untick to change them):' : 'The service’s documented defaults apply; they show here once it has said them.')
    : 'Your costs (in km-equivalents; 0 turns one off):';
  for (const [g, spec] of Object.entries(GROUPS)) {
    const list = $(`#soft-${g}`);
    list.replaceChildren(...(soft?.[g] || []).map((item) => row(g, spec, item, useDefaults)));
    $(`#soft-${g}-add`).disabled = useDefaults;
  }
  $('#soft-angle').value = soft?.angle_point_km ?? '';
  $('#soft-angle').disabled = useDefaults;
}

function layerOptions(kind, selected) {
  const ls = state.layers.filter((l) => l.kind === kind).sort((a, b) => a.title.localeCompare(b.title));
  const opts = ls.map((l) => el('option', { value: l.id, text: l.title, selected: l.id === selected }));
  if (selected && !ls.some((l) => l.id === selected)) opts.unshift(el('option', { value: selected, text: selected, selected: true }));
  return opts;
}

function row(g, spec, item, disabled) {
  return el('li', {},
    el('select', { 'aria-label': 'Layer', disabled, onchange: sync }, layerOptions(spec.kind, item.layer)),
    spec.fields.map(([name, label, step]) => el('label', { class: 'soft-num' },
      el('input', { type: 'number', name, step, min: 0, value: item[name] ?? '', disabled, 'aria-label': label, oninput: sync }),
      el('span', { class: 'muted small', text: label }))),
    el('button', { type: 'button', class: 'icon', 'aria-label': 'Remove', title: 'Remove', text: '×', disabled, onclick: (e) => { e.target.closest('li').remove(); sync(); } }));
}

function sync() {
  try { edited = softCosts() || edited; } catch { /* half-typed: read again when asked */ }
}

export function wireSoftCosts() {
  $('#soft-default').addEventListener('change', () => {
    if (!$('#soft-default').checked && !edited) {
      edited = structuredClone(serviceDefaults() || { polygons: [], crossings: [], parallel: [], angle_point_km: 0 });
    }
    render();
  });
  for (const [g, spec] of Object.entries(GROUPS)) {
    $(`#soft-${g}-add`).textContent = spec.add;
    $(`#soft-${g}-add`).addEventListener('click', () => {
      const first = state.layers.find((l) => l.kind === spec.kind);
      $(`#soft-${g}`).append(row(g, spec, { layer: first?.id }, false));
      sync();
    });
  }
  $('#soft-angle').addEventListener('input', sync);
  render();
}
