// The information panel over the map: a layer's metadata and attribute
// dictionary, a feature's attributes under the dictionary's labels.
import { attrLabel, categoryLabel } from './catalog.js';
import { $, el } from './dom.js';
import { fmt } from './formats.js';
import { app, state } from './state.js';

let focusBeforeInfo = null;

function openInfo(title, ...body) {
  $('#info-title').textContent = title;
  $('#info-body').replaceChildren(...body);
  const wasHidden = $('#info').hidden;
  $('#info').hidden = false;
  // Keyboard users land in the panel and go back where they were on close.
  if (wasHidden) focusBeforeInfo = document.activeElement;
  if (document.activeElement !== app.map?.getCanvas()) $('#info-close').focus({ preventScroll: true });
}

export function closeInfo() {
  $('#info').hidden = true;
  if (focusBeforeInfo && document.contains(focusBeforeInfo)) focusBeforeInfo.focus({ preventScroll: true });
  focusBeforeInfo = null;
  app.map?.getSource('selection')?.setData({ type: 'FeatureCollection', features: [] });
}

export const infoOpen = () => !$('#info').hidden;

export function dateText(v) {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleString('en-IN', { dateStyle: 'medium', timeStyle: 'short' });
}

function dl(rows) {
  return el('dl', { class: 'meta' }, rows.filter(([, v]) => v !== '' && v != null).flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]));
}

/**
 * showLayerInfo opens a layer's metadata; actions.visible/toggle/zoom are the
 * layer panel's (show or hide it on the map, zoom to its extent).
 */
export function showLayerInfo(l, actions) {
  const cust = l.custodian || {};
  const attrs = l.attributes.length
    ? el('table', { class: 'dict' },
      el('caption', { text: 'Attribute dictionary' }),
      el('thead', {}, el('tr', {}, ['Attribute', 'Label', 'Type', 'Unit'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, l.attributes.map((a) => el('tr', { title: a.description || '' },
        el('td', {}, el('code', { text: a.name })),
        el('td', {}, a.alias || '', a.label_hi ? el('span', { class: 'hi', lang: 'hi', text: a.label_hi }) : null,
          a.description ? el('div', { class: 'muted small', text: a.description }) : null),
        el('td', { text: a.type || '' }),
        el('td', { text: a.unit || '' })))))
    : el('p', { class: 'muted', text: 'No attribute dictionary.' });
  openInfo(l.title,
    l.titleHi ? el('p', { class: 'hi', lang: 'hi', text: l.titleHi }) : null,
    el('p', { text: l.description || 'No description.' }),
    el('div', { class: 'row' },
      el('button', { type: 'button', text: actions.visible() ? 'Hide on map' : 'Show on map', onclick: () => { actions.toggle(); showLayerInfo(l, actions); } }),
      el('button', { type: 'button', text: 'Zoom to extent', disabled: !l.extent, onclick: actions.zoom })),
    dl([
      ['Category', categoryLabel(l.category)],
      ['Owner', l.owner],
      ['Custodian', [cust.name, cust.organisation, cust.email].filter(Boolean).join(', ')],
      ['Update frequency', l.updateFrequency],
      ['Features', l.featureCount != null ? fmt.int(l.featureCount) : ''],
      ['Geometry', l.geometryType],
      ['Last import', dateText(l.lineage.imported_at) || 'never imported'],
      ['Source', l.lineage.source || l.lineage.statement || ''],
      ['Revised', dateText(l.revisedAt)],
      ['Status', l.status],
      ['Source CRS', l.sourceCRS],
      ['Scale', l.scale],
      ['Accuracy', l.accuracy],
      ['Licence', l.license],
      ['Access', l.access],
      ['Layer id', el('code', { text: l.id })],
    ]),
    attrs);
}

function valueText(v, unit) {
  if (v == null || v === '') return '—';
  if (typeof v === 'number') return `${Number.isInteger(v) ? fmt.int(v) : v.toLocaleString('en-IN', { maximumFractionDigits: 3 })}${unit ? ` ${unit}` : ''}`;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return `${v}${unit ? ` ${unit}` : ''}`;
}

/** showFeature opens a clicked map feature's attributes; about opens its layer's metadata. */
export function showFeature(f, about) {
  const lid = f.layer.id.split(':')[1];
  const l = state.byId.get(lid);
  const props = f.properties || {};
  const order = l ? l.attributes.map((a) => a.name) : [];
  const keys = [...order.filter((k) => k in props), ...Object.keys(props).filter((k) => !order.includes(k))];
  const rows = keys.map((k) => {
    const lab = attrLabel(l, k);
    return el('tr', {},
      el('th', { scope: 'row' }, lab.en, lab.hi ? el('span', { class: 'hi', lang: 'hi', text: lab.hi }) : null),
      el('td', { text: valueText(props[k], lab.unit) }));
  });
  app.map.getSource('selection')?.setData({ type: 'Feature', properties: {}, geometry: f.geometry });
  const name = props.name || props.title || props.feature_id || props.fid || '';
  openInfo(name ? String(name) : (l?.title || lid),
    props.name_hi ? el('p', { class: 'hi', lang: 'hi', text: props.name_hi }) : null,
    el('p', { class: 'muted' }, l?.title || lid, ' · ', el('button', { type: 'button', class: 'link', text: 'about this layer', onclick: () => l && about(l) })),
    el('table', { class: 'attrs' }, el('tbody', {}, rows)));
}
