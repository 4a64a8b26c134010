// Builds what the service's MapLibre styles point at into ../styles/assets,
// which the Go binary embeds (package styles):
//
//   sprite.json, sprite.png, sprite@2x.json, sprite@2x.png
//       the SVG symbols of ../styles/sprite, rasterised with resvg at pixel
//       ratios 1 and 2 and packed in one row;
//   fonts/<font name>/<start>-<end>.pbf
//       SDF glyphs (the glyphs PBF format MapLibre reads) of Debian's
//       fonts-noto-core, built with fontnik, one file per 256 codepoints
//       that the font covers;
//   fonts/NotoSansDevanagari-Regular.ttf
//       the font file the styles' `font-faces` name for Devanagari, which
//       the glyphs format cannot shape.
//
// Everything comes from node_modules and the system's fonts: nothing is
// downloaded. It fails when a font is missing (scripts/install-deps.sh
// installs fonts-noto-core).
import { Resvg } from '@resvg/resvg-js';
import fontnik from 'fontnik';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '../styles/assets');
const symbols = path.resolve(here, '../styles/sprite');
const fontDir = process.env.COALMAP_FONT_DIR || '/usr/share/fonts/truetype/noto';

// The fonts glyphs are served for, by the name styles use in text-font.
const FONTS = [
  ['Noto Sans Regular', 'NotoSans-Regular.ttf'],
  ['Noto Sans Bold', 'NotoSans-Bold.ttf'],
  ['Noto Sans Devanagari Regular', 'NotoSansDevanagari-Regular.ttf'],
  ['Noto Sans Devanagari Bold', 'NotoSansDevanagari-Bold.ttf'],
];
// The font files `font-faces` names (styles.DevanagariFontFile).
const FILES = ['NotoSansDevanagari-Regular.ttf'];

const load = promisify(fontnik.load);
const range = promisify(fontnik.range);

async function clean() {
  await mkdir(out, { recursive: true });
  for (const f of await readdir(out)) {
    if (f !== '.gitkeep') await rm(path.join(out, f), { recursive: true, force: true });
  }
  await mkdir(path.join(out, 'fonts'), { recursive: true });
}

// sprite packs the symbols in one row, 1 px apart, and renders the row at
// each pixel ratio: positions scale exactly since every size is whole.
async function sprite() {
  const files = (await readdir(symbols)).filter((f) => f.endsWith('.svg')).sort();
  if (!files.length) throw new Error(`no SVG symbols in ${symbols}`);
  const icons = [];
  let x = 0;
  let height = 0;
  for (const f of files) {
    const svg = await readFile(path.join(symbols, f), 'utf8');
    const open = svg.match(/<svg\b([^>]*)>/);
    const attr = (name) => open && open[1].match(new RegExp(`\\b${name}="([^"]+)"`))?.[1];
    const w = +attr('width');
    const h = +attr('height');
    const viewBox = attr('viewBox');
    if (!(Number.isInteger(w) && Number.isInteger(h) && viewBox)) throw new Error(`${f}: want whole width and height and a viewBox on <svg>`);
    const inner = svg.slice(svg.indexOf('>', svg.indexOf('<svg')) + 1, svg.lastIndexOf('</svg>'));
    icons.push({ name: f.replace(/\.svg$/, ''), x, w, h, viewBox, inner });
    x += w + 1;
    height = Math.max(height, h);
  }
  const width = x - 1;
  const row = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    icons.map((i) => `<svg x="${i.x}" y="0" width="${i.w}" height="${i.h}" viewBox="${i.viewBox}">${i.inner}</svg>`).join('') +
    '</svg>';
  for (const ratio of [1, 2]) {
    const png = new Resvg(row, { fitTo: { mode: 'zoom', value: ratio }, font: { loadSystemFonts: false } }).render().asPng();
    const index = Object.fromEntries(icons.map((i) => [i.name, { x: i.x * ratio, y: 0, width: i.w * ratio, height: i.h * ratio, pixelRatio: ratio }]));
    const suffix = ratio === 1 ? '' : `@${ratio}x`;
    await writeFile(path.join(out, `sprite${suffix}.png`), png);
    await writeFile(path.join(out, `sprite${suffix}.json`), `${JSON.stringify(index, null, 1)}\n`);
  }
  return icons.map((i) => i.name);
}

// glyphs writes the ranges of 256 codepoints a font covers.
async function glyphs(name, file) {
  const src = path.join(fontDir, file);
  if (!existsSync(src)) throw new Error(`${src} is missing: install fonts-noto-core (scripts/install-deps.sh)`);
  const font = await readFile(src);
  const [face] = await load(font);
  if (`${face.family_name} ${face.style_name}` !== name) throw new Error(`${file} is ${face.family_name} ${face.style_name}, not ${name}`);
  const starts = [...new Set(face.points.filter((p) => p <= 0xffff).map((p) => p - (p % 256)))].sort((a, b) => a - b);
  const dir = path.join(out, 'fonts', name);
  await mkdir(dir, { recursive: true });
  let bytes = 0;
  for (const start of starts) {
    const pbf = await range({ font, start, end: start + 255 });
    bytes += pbf.length;
    await writeFile(path.join(dir, `${start}-${start + 255}.pbf`), pbf);
  }
  return `${name} (${starts.length} ranges, ${(bytes / 1024).toFixed(0)} KiB)`;
}

await clean();
const icons = await sprite();
const built = [];
for (const [name, file] of FONTS) built.push(await glyphs(name, file));
for (const f of FILES) await copyFile(path.join(fontDir, f), path.join(out, 'fonts', f));
console.log(`styles: built ${path.relative(process.cwd(), out)}: sprite of ${icons.length} symbols (${icons.join(', ')}); glyphs of ${built.join(', ')}; ${FILES.join(', ')}`);
