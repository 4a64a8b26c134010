// End-to-end suite of the service's MapLibre styles and CORS, in headless
// Chromium (Debian's /usr/bin/chromium driven by playwright-core).
//
// It starts a real `coalmap serve` with the demo catalog and
// --cors-origins set to one page origin (a second port on loopback), and
// serves a bare MapLibre page from that origin and from a third one that is
// not allowed. It checks that:
//   - every style document the service answers validates against the
//     MapLibre style specification (@maplibre/maplibre-gl-style-spec);
//   - a page whose map uses only /styles/… renders the layers with their
//     symbols and labels, and that no request leaves the service (the page's
//     own origin serves only the page and MapLibre's files);
//   - Hindi labels (?lang=hi) are drawn from the font file `font-faces` names;
//   - from the allowed origin a page reads tiles and features and, with a
//     token, a restricted layer; from the other origin the browser refuses.
// Screenshots go to web/e2e/screenshots/styles-*.png. It prints
// "N passed, N failed" and exits non-zero on any failure, including when it
// cannot run at all.
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const shots = path.resolve(process.env.COALMAP_E2E_SCREENSHOTS || path.join(here, 'screenshots'));
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
const bin = process.env.COALMAP_BIN || path.join(root, 'bin/coalmap');
const startupTimeout = +(process.env.COALMAP_E2E_STARTUP_S || 300) * 1000;
const maplibreDist = path.join(here, '../node_modules/maplibre-gl/dist');

// The Singrauli coalfield, where the Dhirauli block lies.
const SINGRAULI = { center: [82.45, 24.1], zoom: 11.2 };
// A map of the coal sector's own layers, the way a third-party app would
// ask for it: one style for the set.
const MAP_LAYERS = ['coal_blocks', 'railway_lines_existing', 'mines_opencast', 'mines_underground', 'washeries',
  'thermal_power_plants', 'railway_stations', 'towns'];

const results = [];
const children = [];
const servers = [];
let dataDir;
let userDataDir;
let browser;

const log = (...a) => console.log('e2e styles:', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function assert(cond, msg) { if (!cond) throw new Error(msg); }

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  } catch (err) {
    results.push({ name, ok: false, err });
    log(`FAIL ${name}: ${err.message}`);
  }
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function run(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`coalmap ${args[0]}: exit ${code}: ${err.slice(-500)}`))));
  });
}

// startService runs `coalmap serve` that lets pages of allowedOrigin call it.
async function startService(allowedOrigin) {
  if (!existsSync(bin)) throw new Error(`no coalmap binary at ${bin}: run make build (or set COALMAP_BIN)`);
  const port = await freePort();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'coalmap-e2e-styles-'));
  await chmod(dataDir, 0o755);
  const chunks = [];
  const p = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--data-dir', dataDir, '--log-level', 'warn',
    '--cors-origins', allowedOrigin], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '', COALMAP_DATABASE_URL: '' } });
  children.push(p);
  p.stdout.on('data', (d) => chunks.push(d));
  p.stderr.on('data', (d) => chunks.push(d));
  let exited = null;
  p.on('exit', (code, sig) => { exited = `exited with ${code ?? sig}`; });
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  log(`starting coalmap serve on ${base} with --cors-origins ${allowedOrigin}`);
  while (Date.now() - t0 < startupTimeout) {
    if (exited) throw new Error(`coalmap serve ${exited}:\n${Buffer.concat(chunks).toString().slice(-3000)}`);
    try {
      const ready = await fetch(`${base}/readyz`);
      if (ready.ok) {
        const n = ((await (await fetch(`${base}/collections`)).json()).collections || []).length;
        if (n >= 100) { log(`ready with ${n} layers after ${((Date.now() - t0) / 1000).toFixed(0)}s`); return base; }
      }
    } catch { /* not up yet */ }
    await sleep(1000);
  }
  await writeFile(path.join(shots, 'styles-server.log'), Buffer.concat(chunks));
  throw new Error(`coalmap serve did not offer 100 layers within ${startupTimeout / 1000}s`);
}

// The page: a bare MapLibre map whose only input is a style URL (plus a
// token, sent as a header to the service alone), as a third-party app has.
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A MapLibre app on another origin</title>
<link rel="stylesheet" href="/maplibre/maplibre-gl.css">
<style>html,body,#map{margin:0;height:100%;background:#f4f1ea}</style></head>
<body><div id="map"></div>
<script type="module">
import * as maplibregl from '/maplibre/maplibre-gl.mjs';
maplibregl.setWorkerUrl('/maplibre/maplibre-gl-worker.mjs');
const q = new URLSearchParams(location.search);
const api = q.get('api');
const token = q.get('token');
window.errors = [];
window.maplibregl = maplibregl;
if (q.get('style')) {
  const map = new maplibregl.Map({
    container: 'map', style: api + q.get('style'),
    center: JSON.parse(q.get('center')), zoom: +q.get('zoom'), attributionControl: { compact: false },
    transformRequest: (url) => (token && url.startsWith(api) ? { url, headers: { Authorization: 'Bearer ' + token } } : { url }),
  });
  map.on('error', (e) => window.errors.push(String(e.error?.message || e.error || e)));
  window.map = map;
}
</script></body></html>`;

async function startPageServer() {
  const port = await freePort();
  const types = { '.mjs': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };
  const srv = http.createServer(async (req, res) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE);
      return;
    }
    const m = u.pathname.match(/^\/maplibre\/([\w.-]+)$/);
    if (m) {
      try {
        const b = await readFile(path.join(maplibreDist, m[1]));
        res.writeHead(200, { 'Content-Type': types[path.extname(m[1])] || 'application/octet-stream' });
        res.end(b);
        return;
      } catch { /* 404 below */ }
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise((r) => srv.listen(port, '127.0.0.1', r));
  servers.push(srv);
  return `http://127.0.0.1:${port}`;
}

async function main() {
  await mkdir(shots, { recursive: true });
  if (!existsSync(browserPath)) throw new Error(`no Chromium at ${browserPath}: apt-get install chromium (scripts/install-deps.sh does)`);
  const allowed = await startPageServer();
  const refused = await startPageServer();
  const api = await startService(allowed);
  const token = (await run(['token', 'create', '--role', 'viewer', '--name', 'e2e-styles', '--data-dir', dataDir])).trim().split('\n').pop();

  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'coalmap-e2e-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: browserPath, headless: true, viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  const page = browser.pages()[0] || await browser.newPage();
  page.setDefaultTimeout(60000);
  // Every request the page makes, and any to a host that is neither the
  // service nor the page's own origin is stopped and counted.
  const requests = [];
  const outside = [];
  const console_ = [];
  await page.route('**/*', (route) => {
    const u = route.request().url();
    requests.push(u);
    const o = new URL(u).origin;
    if (o !== api && o !== allowed && o !== refused && !u.startsWith('data:') && !u.startsWith('blob:')) {
      outside.push(u);
      return route.abort();
    }
    return route.continue();
  });
  page.on('console', (m) => { if (m.type() === 'error') console_.push(m.text()); });
  page.on('pageerror', (e) => console_.push(e.message));
  const waitMap = () => page.waitForFunction(() => window.map && window.map.loaded() && window.map.areTilesLoaded() && !window.map.isMoving(),
    null, { polling: 200, timeout: 120000 });
  const open = async (origin, style, view = SINGRAULI, tok = '') => {
    const q = new URLSearchParams({ api, style, center: JSON.stringify(view.center), zoom: String(view.zoom), token: tok });
    await page.goto(`${origin}/?${q}`);
    await waitMap();
    await sleep(800); // symbols fade in
  };

  await step('every style document validates against the MapLibre style specification', async () => {
    const list = async (tok) => (await (await fetch(`${api}/styles`, tok ? { headers: { Authorization: `Bearer ${tok}` } } : {})).json()).styles;
    const pub = await list();
    const all = await list(token);
    assert(pub.length >= 90 && all.length > pub.length, `/styles lists ${pub.length} styles anonymously, ${all.length} with a token`);
    const docs = [];
    for (const s of all) for (const lang of ['en', 'hi']) docs.push(`/styles/${s.id}?lang=${lang}`);
    docs.push(`/styles/${MAP_LAYERS.join(',')}`, `/styles/${pub.map((s) => s.id).join(',')}`);
    let layersChecked = 0;
    for (const d of docs) {
      const r = await fetch(api + d, { headers: { Authorization: `Bearer ${token}` } });
      assert(r.ok, `${d}: HTTP ${r.status}`);
      const style = await r.json();
      const errors = validateStyleMin(style);
      assert(errors.length === 0, `${d}: ${errors.map((e) => e.message).join('; ')}`);
      assert(style.layers.length > 0, `${d}: no layers`);
      layersChecked += style.layers.length;
    }
    log(`${docs.length} style documents (${layersChecked} style layers) valid`);
  });

  let mapRequests;
  await step('a page on another origin that uses only /styles/… renders the layers with symbols and labels, and no request leaves the service', async () => {
    requests.length = 0;
    await open(allowed, `/styles/${MAP_LAYERS.join(',')}`);
    await page.screenshot({ path: path.join(shots, 'styles-01-singrauli.png') });
    mapRequests = [...requests];
    assert(outside.length === 0, `requests outside the service: ${outside.join(', ')}`);
    const fromPage = mapRequests.filter((u) => u.startsWith(allowed));
    assert(fromPage.every((u) => /\/(\?|maplibre\/)/.test(u.slice(allowed.length))), `the page origin served more than the page and MapLibre: ${fromPage.join(', ')}`);
    const kinds = ['/styles/coal_blocks', '.json', '.mvt', '/styles/sprite', '/fonts/'].map((k) => [k, mapRequests.some((u) => u.startsWith(api) && u.includes(k))]);
    assert(kinds.every(([, ok]) => ok), `the map did not ask the service for ${kinds.filter(([, ok]) => !ok).map(([k]) => k).join(', ')}: ${mapRequests.filter((u) => u.startsWith(api)).slice(0, 20).join(' ')}`);
    const rendered = await page.evaluate(() => {
      const m = window.map;
      const count = (suffix) => m.queryRenderedFeatures({ layers: m.getStyle().layers.filter((l) => l.id.endsWith(suffix)).map((l) => l.id) }).length;
      const labels = m.queryRenderedFeatures({ layers: m.getStyle().layers.filter((l) => l.id.endsWith('-label')).map((l) => l.id) });
      return { fill: count('-fill'), line: count('-line'), circle: count('-circle'), icon: count('-icon'),
        labels: labels.length, sample: [...new Set(labels.map((f) => f.properties.name))].slice(0, 6), errors: window.errors };
    });
    log(`rendered: ${JSON.stringify(rendered)}`);
    assert(rendered.errors.length === 0, `map errors: ${rendered.errors.join('; ')}`);
    assert(rendered.fill > 0 && rendered.circle > 0 && rendered.icon > 0 && rendered.labels > 0, `rendered ${JSON.stringify(rendered)}`);
    const glyphs = mapRequests.filter((u) => u.includes('/fonts/') && u.endsWith('.pbf'));
    assert(glyphs.length > 0 && glyphs.every((u) => decodeURIComponent(u).includes('Noto Sans Regular')), `glyph requests: ${glyphs.join(', ')}`);
  });

  await step('Hindi labels (lang=hi) are shaped from the font file the style names', async () => {
    requests.length = 0;
    await open(allowed, '/styles/coal_blocks,towns?lang=hi', { center: [82.33, 23.95], zoom: 11.5 });
    await page.screenshot({ path: path.join(shots, 'styles-02-hindi-labels.png') });
    const labels = await page.evaluate(() => window.map.queryRenderedFeatures({ layers: ['coal_blocks-label', 'towns-label'] })
      .map((f) => f.properties.name_hi).filter(Boolean));
    assert(labels.length > 0 && labels.every((s) => /[\u0900-\u097F]/.test(s)), `Hindi labels: ${labels.slice(0, 5)}`);
    log(`Hindi labels: ${[...new Set(labels)].slice(0, 5).join(', ')}`);
    assert(requests.some((u) => u === `${api}/fonts/NotoSansDevanagari-Regular.ttf`), 'the map did not load the Devanagari font file of font-faces');
    assert(outside.length === 0, `requests outside the service: ${outside.join(', ')}`);
  });

  await step('from the allowed origin: tiles, features and, with a token, a restricted layer', async () => {
    await page.goto(`${allowed}/?api=${encodeURIComponent(api)}`);
    const quiet = console_.length;
    const r = await page.evaluate(async ({ api, token }) => {
      const get = async (p, tok) => {
        const res = await fetch(api + p, tok ? { headers: { Authorization: `Bearer ${tok}` } } : {});
        // The page reads the answer at all only if the service allowed its
        // origin; ETag is readable because the service exposes it.
        return { status: res.status, etag: res.headers.get('etag'), bytes: (await res.arrayBuffer()).byteLength };
      };
      return {
        tile: await get('/tiles/coal_blocks/10/746/441.mvt'),
        items: await get('/collections/coal_blocks/items?limit=3'),
        restrictedAnon: await get('/collections/railway_sidings/items?limit=1'),
        restricted: await get('/collections/railway_sidings/items?limit=1', token),
        restrictedTiles: await get('/tiles/railway_sidings.json', token),
      };
    }, { api, token });
    // The one console error expected: the 404 of the restricted layer without a token.
    const expected = console_.splice(quiet).filter((m) => !m.includes('404'));
    console_.push(...expected);
    log(JSON.stringify(r));
    assert(r.tile.status === 200 && r.tile.bytes > 0 && r.tile.etag, `tile ${JSON.stringify(r.tile)}`);
    assert(r.items.status === 200 && r.items.bytes > 100, `items ${JSON.stringify(r.items)}`);
    assert(r.restrictedAnon.status === 404, `restricted without a token: ${JSON.stringify(r.restrictedAnon)}`);
    assert(r.restricted.status === 200 && r.restricted.bytes > 100, `restricted with a token: ${JSON.stringify(r.restricted)}`);
    assert(r.restrictedTiles.status === 200, `restricted TileJSON with a token: ${JSON.stringify(r.restrictedTiles)}`);
    // And the map of a restricted layer, its token sent by transformRequest.
    const siding = (await (await fetch(`${api}/collections/railway_sidings/items?limit=1`, { headers: { Authorization: `Bearer ${token}` } })).json()).features[0];
    const first = siding.geometry.coordinates.flat(3);
    await open(allowed, '/styles/railway_sidings,coal_blocks', { center: [first[0], first[1]], zoom: 14 }, token);
    await page.screenshot({ path: path.join(shots, 'styles-03-restricted-with-token.png') });
    const n = await page.evaluate(() => window.map.queryRenderedFeatures({ layers: ['railway_sidings-line'] }).length);
    const errs = await page.evaluate(() => window.errors);
    assert(errs.length === 0, `map errors: ${errs.join('; ')}`);
    log(`restricted sidings drawn: ${n} features`);
    assert(n > 0, 'the restricted layer is not drawn with the token');
  });

  await step('from an origin not allowed, the browser refuses', async () => {
    await page.goto(`${refused}/?api=${encodeURIComponent(api)}`);
    const r = await page.evaluate(async ({ api, token }) => {
      const attempt = async (p, init) => {
        try {
          const res = await fetch(api + p, init);
          return `HTTP ${res.status}`;
        } catch (e) {
          return `refused: ${e.name}`;
        }
      };
      return {
        read: await attempt('/tiles/coal_blocks.json'),
        withToken: await attempt('/collections/railway_sidings/items?limit=1', { headers: { Authorization: `Bearer ${token}` } }),
        write: await attempt('/overlaps/check', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' }),
      };
    }, { api, token });
    log(JSON.stringify(r));
    for (const [k, v] of Object.entries(r)) assert(v.startsWith('refused: TypeError'), `${k} from ${refused}: ${v}`);
    const direct = await fetch(`${api}/overlaps/check`, { method: 'POST', headers: { Origin: refused, 'Content-Type': 'text/plain' }, body: '{}' });
    assert(direct.status === 403, `a write with Origin ${refused} reached the handler: HTTP ${direct.status}`);
  });

  await step('no console errors but the refused origin\'s', async () => {
    const own = console_.filter((m) => !m.includes(refused) && !/CORS|Failed to fetch|net::ERR_FAILED/.test(m));
    assert(own.length === 0, own.join('\n'));
  });
}

const t0 = Date.now();
let fatal;
try {
  await main();
} catch (err) {
  fatal = err;
  results.push({ name: 'the suite runs', ok: false, err });
  log(`FAIL the suite could not run: ${err.message}`);
} finally {
  await browser?.close().catch(() => {});
  for (const s of servers) s.close();
  for (const c of children) {
    if (c.exitCode == null) {
      const done = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([done, sleep(20000)]);
      if (c.exitCode == null) c.kill('SIGKILL');
    }
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
log(`screenshots in ${path.relative(process.cwd(), shots) || shots} (${((Date.now() - t0) / 1000).toFixed(0)}s)`);
console.log(`e2e styles: ${passed} passed, ${failed} failed`);
process.exit(failed || fatal ? 1 : 0);
