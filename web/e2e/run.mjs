// End-to-end suite of the planner's web map, in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core; no browser is downloaded).
//
// It starts a real `coalmap serve` on a free port with a throwaway data
// directory (the demo catalog loads on first start), or uses COALMAP_E2E_URL
// when that is set, and walks the page as a planner would. Screenshots of
// every step go to web/e2e/screenshots/ (or COALMAP_E2E_SCREENSHOTS).
// It prints "N passed, N failed" and exits non-zero on any failure, including
// when it cannot run at all (no browser, no binary, no server).
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const shots = path.resolve(process.env.COALMAP_E2E_SCREENSHOTS || path.join(here, 'screenshots'));
const downloads = path.join(here, 'downloads');
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
const bin = process.env.COALMAP_BIN || path.join(root, 'bin/coalmap');
const startupTimeout = +(process.env.COALMAP_E2E_STARTUP_S || 240) * 1000;

const results = [];
const consoleErrors = [];
let server;
let dataDir;
let browser;
let userDataDir;

function log(...a) { console.log('e2e:', ...a); }

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startServer() {
  if (process.env.COALMAP_E2E_URL) return process.env.COALMAP_E2E_URL.replace(/\/$/, '');
  if (!existsSync(bin)) throw new Error(`no coalmap binary at ${bin}: run make build (or set COALMAP_BIN)`);
  const port = await freePort();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'coalmap-e2e-'));
  await import('node:fs/promises').then((fs) => fs.chmod(dataDir, 0o755));
  const logFile = path.join(shots, 'server.log');
  const chunks = [];
  server = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--data-dir', dataDir, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '', COALMAP_DATABASE_URL: '' },
  });
  server.stdout.on('data', (d) => chunks.push(d));
  server.stderr.on('data', (d) => chunks.push(d));
  let exited = null;
  server.on('exit', (code, sig) => { exited = `exited with ${code ?? sig}`; });
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  const deadline = t0 + startupTimeout;
  log(`starting ${path.relative(root, bin)} serve on ${base} (data dir ${dataDir})`);
  while (Date.now() < deadline) {
    if (exited) {
      await writeFile(logFile, Buffer.concat(chunks));
      throw new Error(`coalmap serve ${exited}:\n${Buffer.concat(chunks).toString().slice(-3000)}`);
    }
    try {
      // Ready once /readyz says so (the demo catalog is in) and the
      // catalog lists its 100+ layers.
      const ready = await fetch(`${base}/readyz`);
      if (ready.ok) {
        const r = await fetch(`${base}/collections`);
        const n = r.ok ? ((await r.json()).collections || []).length : 0;
        if (n >= 100) { log(`server ready with ${n} layers after ${((Date.now() - t0) / 1000).toFixed(0)}s`); return base; }
      }
    } catch { /* not up yet */ }
    await sleep(1000);
  }
  await writeFile(logFile, Buffer.concat(chunks));
  throw new Error(`coalmap serve did not offer 100 layers at /collections within ${startupTimeout / 1000}s; log in ${logFile}`);
}

// createToken makes a viewer token with `coalmap token create`, which talks
// to the cluster the running server owns.
async function createToken() {
  if (process.env.COALMAP_E2E_URL) return process.env.COALMAP_E2E_TOKEN || 'dev-token';
  return new Promise((resolve, reject) => {
    const p = spawn(bin, ['token', 'create', '--role', 'viewer', '--name', 'e2e', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => (code === 0 && out.trim() ? resolve(out.trim().split('\n').pop()) : reject(new Error(`coalmap token create: exit ${code}: ${err.slice(-500)}`))));
  });
}

async function stopServer() {
  if (server && server.exitCode == null) {
    const done = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await Promise.race([done, sleep(20000)]);
    if (server.exitCode == null) server.kill('SIGKILL');
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
}

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

function assert(cond, msg) { if (!cond) throw new Error(msg); }

async function main() {
  await rm(shots, { recursive: true, force: true });
  await mkdir(shots, { recursive: true });
  await mkdir(downloads, { recursive: true });
  if (!existsSync(browserPath)) throw new Error(`no Chromium at ${browserPath}: apt-get install chromium (scripts/install-deps.sh does)`);
  const base = await startServer();

  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'coalmap-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: browserPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    downloadsPath: downloads,
  });
  browser = context;
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(30000);
  // Errors of every page of the context: the map and the report it opens.
  context.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`console: ${m.text()}`); });
  context.on('weberror', (e) => consoleErrors.push(`page error: ${e.error().message}`));
  context.on('response', (r) => { if (r.status() >= 400) consoleErrors.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`); });
  // The map renders in software (no GPU): on a busy machine tiles take a while.
  const waitFor = (fn, arg, opts = {}) => page.waitForFunction(fn, arg, { polling: 100, timeout: 90000, ...opts });
  const shot = async (name) => {
    const t = Date.now();
    await page.screenshot({ path: path.join(shots, `${name}.png`) });
    if (process.env.COALMAP_E2E_DEBUG) log(`screenshot ${name} took ${Date.now() - t} ms`);
  };
  const api = async (p, init) => {
    const r = await fetch(base + p, init);
    if (!r.ok) throw new Error(`${init?.method || 'GET'} ${p}: HTTP ${r.status} ${(await r.text()).slice(0, 300)}`);
    return r;
  };

  await step('the page loads with no console errors, its attribution folded from the first frame', async () => {
    await page.goto(`${base}/map`, { waitUntil: 'commit' });
    // MapLibre opens a compact attribution until the first drag; the page
    // folds it as soon as the control exists, before any tile or interaction.
    const folded = () => page.evaluate(() => {
      const a = document.querySelector('.maplibregl-ctrl-attrib');
      const r = a.getBoundingClientRect();
      return { compact: a.classList.contains('maplibregl-compact'), shown: a.classList.contains('maplibregl-compact-show') || a.hasAttribute('open'), w: r.width, h: r.height };
    });
    await page.waitForSelector('.maplibregl-ctrl-attrib', { state: 'attached', timeout: 60000 });
    const early = await folded();
    assert(early.compact && !early.shown && early.w < 60 && early.h < 60, `attribution at first frame: ${JSON.stringify(early)}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
    await waitFor(() => window.coalmap.map.loaded() && window.coalmap.map.areTilesLoaded(), null, { timeout: 60000 });
    await sleep(500);
    await shot('01-loaded');
    const late = await folded();
    assert(late.compact && !late.shown && late.w < 60 && late.h < 60, `attribution once the layers are in: ${JSON.stringify(late)}`);
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    const csp = (await api('/map')).headers.get('content-security-policy') || '';
    assert(csp.includes("default-src 'self'"), `CSP ${csp}`);
  });

  let corridors;
  await step('the corridor picker lists the RoW table of GET /overlaps/corridors', async () => {
    corridors = await (await api('/overlaps/corridors')).json();
    const list = corridors.corridors || [];
    assert(list.length >= 8, `GET /overlaps/corridors lists ${list.length} corridors`);
    const opts = await page.$$eval('#corridor option', (os) => os.map((o) => ({ value: o.value, text: o.textContent })));
    const served = opts.filter((o) => o.value !== 'custom');
    assert(JSON.stringify(served.map((o) => o.value)) === JSON.stringify(list.map((c) => c.id)),
      `picker ${served.map((o) => o.value)} vs service ${list.map((c) => c.id)}`);
    for (const c of list) {
      const o = served.find((x) => x.value === c.id);
      assert(o.text.includes(`${c.row_width_m} m`), `option ${c.id} says “${o.text}”, the service ${c.row_width_m} m`);
    }
    assert(opts.some((o) => o.value === 'custom'), 'no custom width option');
    assert(await page.$eval('#corridor', (s) => s.value) === (corridors.default || list[0].id), 'the picker does not start at the service\'s default');
    const d765 = list.filter((c) => c.voltage_kv === 765).map((c) => c.row_width_m);
    assert(d765.length >= 2 && new Set(d765).size === d765.length, `765 kV widths ${d765}: one per circuit configuration`);
  });

  await step('the layer panel lists at least 100 layers, grouped by category', async () => {
    const n = await page.locator('#layer-list li.layer').count();
    const groups = await page.locator('#layer-list details.group').count();
    assert(n >= 100, `${n} layers listed`);
    assert(groups >= 5, `${groups} categories`);
    await page.fill('#layer-search', 'washer');
    const shown = await page.locator('#layer-list li.layer:visible').count();
    assert(shown >= 1 && shown < n / 4, `search for "washer" shows ${shown} of ${n}`);
    await shot('02-search');
    await page.fill('#layer-search', '');
  });

  let toggled;
  await step('toggling a layer requests its tiles', async () => {
    toggled = await page.evaluate(() => {
      const s = window.coalmap.state;
      const z = window.coalmap.map.getZoom();
      const vis = s.layers.filter((l) => !s.visible.has(l.id) && l.extent && l.featureCount > 0 && l.access === 'public' && l.minZoom <= z);
      return (vis.find((l) => l.kind === 'line' && l.category === 'rail') || vis.find((l) => l.kind === 'line') || vis[0]).id;
    });
    const box = page.locator(`#layer-list input[data-layer="${toggled}"]`);
    await box.evaluate((e) => e.closest('details').setAttribute('open', ''));
    const tile = page.waitForResponse((r) => {
      const u = new URL(r.url());
      return u.pathname.startsWith(`/tiles/${toggled}/`) && u.pathname.endsWith('.mvt');
    }, { timeout: 30000 });
    await box.check();
    const r = await tile;
    assert(r.status() === 200 || r.status() === 204, `tile ${r.url()} answered ${r.status()}`);
    await waitFor(() => window.coalmap.map.areTilesLoaded());
    await sleep(300);
    assert((await page.evaluate(() => location.hash)).includes(toggled), 'the URL does not keep the visible layer');
    await shot('03-layer-toggled');
  });

  await step('restricted layers appear only with a token', async () => {
    const before = await page.locator('#layer-list li.layer').count();
    const badges = await page.locator('#layer-list .badge.restricted').count();
    assert(badges === 0, `${badges} restricted layers listed without a token`);
    const token = await createToken();
    await page.fill('#token', token);
    await page.click('#token-form button[type="submit"]');
    await page.waitForSelector('#layer-status:has-text("Token applied")');
    const after = await page.locator('#layer-list li.layer').count();
    const restricted = await page.locator('#layer-list .badge.restricted').count();
    assert(after > before && restricted === after - before, `${before} layers without the token, ${after} with it, ${restricted} marked restricted`);
    const kept = await page.evaluate(() => sessionStorage.getItem('coalmap.token'));
    assert(kept === token, 'the token is not kept in the session');
    log(`${before} layers without a token, ${after} with it`);
    await page.locator('#layer-list .badge.restricted').first().evaluate((e) => { e.closest('details').open = true; e.scrollIntoView({ block: 'center' }); });
    await shot('03b-token-restricted-layers');
    await page.locator('#layer-list').evaluate((e) => { e.scrollTop = 0; });
  });

  await step('the metadata panel shows the attribute dictionary', async () => {
    await page.locator('#layer-list li.layer[data-layer="coal_blocks"] button[aria-label^="About"]').click();
    await page.waitForSelector('#info:not([hidden]) table.dict');
    const text = await page.locator('#info').innerText();
    assert(/Update frequency/.test(text) && /Last import/.test(text), 'metadata lacks update frequency or last import');
    await shot('04-metadata');
    await page.click('#info-close');
  });

  let dhirauli;
  await step('clicking a feature shows its attributes with the dictionary labels', async () => {
    dhirauli = await (await api('/collections/coal_blocks/items/dhirauli')).json();
    const b = bbox(dhirauli.geometry);
    await page.evaluate((bb) => window.coalmap.map.fitBounds([[bb[0], bb[1]], [bb[2], bb[3]]], { padding: 200, animate: false }), b);
    await waitFor(() => window.coalmap.map.areTilesLoaded() && window.coalmap.map.loaded());
    await sleep(300);
    // An inside point of the block: the centroid of its outer ring's vertices
    // can fall outside a concave block, so ask the map which pixel hits it.
    const hit = await page.evaluate(() => {
      const m = window.coalmap.map;
      const c = m.getCanvas();
      for (let r = 0; r < 200; r += 10) {
        for (let a = 0; a < 8; a++) {
          const x = c.clientWidth / 2 + r * Math.cos(a * Math.PI / 4);
          const y = c.clientHeight / 2 + r * Math.sin(a * Math.PI / 4);
          const f = m.queryRenderedFeatures([x, y], { layers: ['L:coal_blocks:fill'] });
          if (f.some((g) => String(g.properties.name || '').toLowerCase().includes('dhirauli'))) return [x, y];
        }
      }
      return null;
    });
    assert(hit, 'Dhirauli is not rendered at the centre of the map');
    const mapBox = await page.locator('#map').boundingBox();
    await page.mouse.click(mapBox.x + hit[0], mapBox.y + hit[1]);
    await page.waitForSelector('#info:not([hidden]) table.attrs');
    const text = await page.locator('#info').innerText();
    assert(/dhirauli/i.test(text), `the attributes panel does not name Dhirauli: ${text.slice(0, 200)}`);
    const dict = await page.evaluate(() => window.coalmap.state.byId.get('coal_blocks').attributes);
    const labelled = dict.filter((a) => a.alias && text.includes(a.alias));
    assert(labelled.length > 0, 'no dictionary label shown');
    const hindi = dict.filter((a) => a.label_hi && text.includes(a.label_hi));
    assert(!dict.some((a) => a.label_hi) || hindi.length > 0, 'Hindi labels of the dictionary not shown');
    await shot('05-feature-attributes');
    await page.click('#info-close');
  });

  let drawn;
  await step('a line drawn across Dhirauli lists Dhirauli with the length POST /overlaps/check gives', async () => {
    const block = dhirauli || await (await api('/collections/coal_blocks/items/dhirauli')).json();
    const b = bbox(block.geometry);
    const cy = (b[1] + b[3]) / 2;
    const w = b[2] - b[0];
    const pts = [[b[0] - 0.4 * w, cy + 0.1 * (b[3] - b[1])], [(b[0] + b[2]) / 2, cy], [b[2] + 0.4 * w, cy - 0.1 * (b[3] - b[1])]];
    await page.evaluate((bb) => window.coalmap.map.fitBounds([[bb[0], bb[1]], [bb[2], bb[3]]], { padding: 200, animate: false }), b);
    await waitFor(() => window.coalmap.map.areTilesLoaded());
    await page.click('#draw');
    const px = await page.evaluate((ps) => ps.map((p) => { const q = window.coalmap.map.project(p); return [q.x, q.y]; }), pts);
    const mapBox = await page.locator('#map').boundingBox();
    for (const [i, [x, y]] of px.entries()) {
      if (i < px.length - 1) await page.mouse.click(mapBox.x + x, mapBox.y + y);
      else await page.mouse.dblclick(mapBox.x + x, mapBox.y + y);
      await sleep(150);
    }
    const row = page.locator('#conflicts tbody tr[data-key]', { hasText: 'Dhirauli' });
    await row.first().waitFor({ timeout: 30000 });
    drawn = await page.evaluate(() => window.coalmap.state.lines);
    assert(drawn.length === 1 && drawn[0].length === 3, `drawn ${JSON.stringify(drawn)}`);
    const shown = +(await row.first().getAttribute('data-length-m'));
    const q = await page.evaluate(() => window.coalmap.checkQuery().toString());
    assert(/against=coal_blocks/.test(q), `the page checks with ${q}`);
    const r = await (await api(`/overlaps/check?${q}`, {
      method: 'POST', headers: { 'Content-Type': 'application/geo+json' },
      body: JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: drawn[0] } }),
    })).json();
    const list = r.crossings || r.conflicts || r.results || [];
    const d = list.find((c) => /dhirauli/i.test(`${c.id} ${c.name}`));
    assert(d, `POST /overlaps/check does not list Dhirauli: ${JSON.stringify(r).slice(0, 300)}`);
    assert(Math.abs(shown - d.length_m) <= Math.max(0.5, 1e-3 * d.length_m), `table says ${shown} m, POST /overlaps/check says ${d.length_m} m`);
    assert(shown > 0, 'zero length inside');
    log(`Dhirauli: ${shown.toFixed(1)} m inside (table) = ${d.length_m.toFixed(1)} m (API)`);
    await page.locator('#check-panel').evaluate((e) => { e.scrollTop = 0; });
    await shot('06-drawn-across-dhirauli');
  });

  await step('dragging a vertex updates the conflicts', async () => {
    assert(drawn, 'no drawn line');
    const before = await page.locator('#conflicts tbody tr[data-key]', { hasText: 'Dhirauli' }).first().getAttribute('data-length-m');
    const [x, y] = await page.evaluate((p) => { const q = window.coalmap.map.project(p); return [q.x, q.y]; }, drawn[0][1]);
    const mapBox = await page.locator('#map').boundingBox();
    await page.mouse.move(mapBox.x + x, mapBox.y + y);
    let during = 0;
    const count = (r) => { if (r.url().includes('/overlaps/check')) during++; };
    page.on('response', count);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) { await page.mouse.move(mapBox.x + x + 6 * i, mapBox.y + y + 12 * i); await sleep(150); }
    await sleep(400);
    page.off('response', count);
    await page.mouse.up();
    assert(during >= 1, 'no check ran while the vertex was being dragged');
    log(`${during} check answers arrived during the drag`);
    await waitFor((b) => {
      const tr = [...document.querySelectorAll('#conflicts tbody tr[data-key]')].find((t) => /dhirauli/i.test(t.textContent));
      return !document.querySelector('#check-panel[aria-busy]') && (!tr || tr.dataset.lengthM !== b);
    }, before, { timeout: 20000 });
    await sleep(300);
    await shot('07-vertex-dragged');
  });

  await step('the corridor picked reaches the check: 765 kV by circuit configuration', async () => {
    const list = corridors.corridors;
    for (const c of list.filter((x) => x.voltage_kv === 765)) {
      const answer = page.waitForResponse((r) => r.url().includes('/overlaps/check') && r.request().method() === 'POST' && r.url().includes(`circuit=${c.circuit}`), { timeout: 30000 });
      await page.selectOption('#corridor', c.id);
      const r = await answer;
      const u = new URL(r.url());
      assert(u.searchParams.get('voltage_kv') === '765', `check asked with ${u.search}`);
      const body = await r.json();
      assert(Math.abs(body.row_width_m - c.row_width_m) < 1e-9, `${c.id}: the check used ${body.row_width_m} m, the table says ${c.row_width_m} m`);
      log(`${c.id}: check at ${body.row_width_m} m`);
    }
    await page.selectOption('#corridor', corridors.default || list[0].id);
    await waitFor(() => !document.querySelector('#check-panel[aria-busy]'));
  });

  await step('the CSV report downloads', async () => {
    const dl = page.waitForEvent('download', { timeout: 30000 });
    await page.click('#export-csv');
    const d = await dl;
    const file = path.join(downloads, d.suggestedFilename());
    await d.saveAs(file);
    const csv = await readFile(file, 'utf8');
    assert(/\.csv$/.test(d.suggestedFilename()), `file name ${d.suggestedFilename()}`);
    assert(csv.split('\n').length >= 2, `CSV has no rows: ${csv.slice(0, 200)}`);
    log(`CSV ${d.suggestedFilename()}: ${csv.split('\n')[0]}`);
    await shot('09-csv-exported');
  });

  await step('the alignment exported as KML and uploaded again gives the same conflicts', async () => {
    const lengths = () => page.$$eval('#conflicts tbody tr[data-key]', (trs) => trs.map((t) => `${t.dataset.key}=${(+t.dataset.lengthM).toFixed(1)}`).sort().join(' '));
    const before = await lengths();
    const dl = page.waitForEvent('download', { timeout: 30000 });
    await page.click('#export-kml');
    const d = await dl;
    const file = path.join(downloads, d.suggestedFilename());
    await d.saveAs(file);
    assert((await readFile(file, 'utf8')).includes('<LineString>'), 'the KML has no LineString');
    await page.click('#clear');
    await page.waitForSelector('#conflicts', { state: 'hidden' });
    await page.setInputFiles('#upload', file);
    await page.locator('#conflicts tbody tr[data-key]', { hasText: 'Dhirauli' }).first().waitFor({ timeout: 30000 });
    const after = await lengths();
    assert(before === after, `before export: ${before}; after upload: ${after}`);
  });

  await step('the Dhirauli 765 kV case loads in one click', async () => {
    await page.click('[data-case="dhirauli-765kv"]');
    await page.locator('#conflicts tbody tr[data-key]', { hasText: 'Dhirauli' }).first().waitFor({ timeout: 30000 });
    await waitFor(() => window.coalmap.map.areTilesLoaded() && !window.coalmap.map.isMoving());
    await sleep(500);
    await shot('10-case-dhirauli-765kv');
    await page.locator('#conflicts tbody tr[data-key]', { hasText: 'Dhirauli' }).first().click();
    await waitFor(() => !window.coalmap.map.isMoving());
    await waitFor(() => window.coalmap.map.areTilesLoaded());
    await sleep(500);
    await shot('11-conflict-zoomed');
    await page.setViewportSize({ width: 1366, height: 768 });
    await sleep(500);
    await shot('12-laptop-1366x768');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  let routesAnswer;
  let routesBody;
  await step('routes for the Dhirauli case are listed with their metrics as POST /routes gives them, the original as row 0', async () => {
    await page.locator('#routes-form').scrollIntoViewIfNeeded();
    assert(await page.$eval('#routes-k', (s) => s.value) === '3', 'k does not default to 3');
    // The soft costs show the service's documented defaults, and the request leaves them to it.
    const sd = corridors.soft_defaults;
    assert(sd, 'GET /overlaps/corridors gives no soft_defaults');
    await page.click('#soft-costs summary');
    const shown = await page.evaluate(() => Object.fromEntries(['polygons', 'crossings', 'parallel'].map((g) => [g,
      [...document.querySelectorAll(`#soft-${g} li`)].map((li) => [li.querySelector('select').value, ...[...li.querySelectorAll('input')].map((i) => +i.value)])])));
    const want = { polygons: sd.polygons.map((x) => [x.layer, x.cost_per_km]), crossings: sd.crossings.map((x) => [x.layer, x.penalty_km]), parallel: sd.parallel.map((x) => [x.layer, x.bonus_per_km, x.within_m]) };
    assert(JSON.stringify(shown) === JSON.stringify(want), `soft costs shown ${JSON.stringify(shown)}, the service's defaults ${JSON.stringify(want)}`);
    assert(+(await page.inputValue('#soft-angle')) === sd.angle_point_km, 'the angle point cost shown is not the default');
    assert(await page.$eval('#soft-angle', (i) => i.disabled), 'the defaults are editable while they are in use');
    await page.click('#soft-costs summary');
    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/routes' && r.request().method() === 'POST', { timeout: 120000 });
    await page.click('#propose');
    const r = await answer;
    assert(r.status() === 200, `POST /routes answered ${r.status()}: ${(await r.text()).slice(0, 300)}`);
    routesAnswer = await r.json();
    routesBody = JSON.parse(r.request().postData());
    assert(routesBody.k === 3 && (routesBody.hard || []).includes('coal_blocks'), `the page asked ${JSON.stringify({ k: routesBody.k, hard: routesBody.hard })}`);
    assert(routesBody.corridor?.voltage_kv === 765, `the page asked for corridor ${JSON.stringify(routesBody.corridor)}`);
    assert(!('soft' in routesBody), 'the page sent soft costs while the defaults were chosen');
    await page.waitForSelector('#routes-table tbody tr');
    const routes = routesAnswer.routes;
    const alts = routes.filter((x) => x.kind !== 'original');
    assert(routes[0]?.kind === 'original', `the answer's first route is ${routes[0]?.kind}`);
    assert(alts.length >= 1 && alts.length <= 3, `${alts.length} alternatives for k=3`);
    const rows = await page.$$eval('#routes-table tbody tr', (trs) => trs.map((tr) => ({
      kind: tr.dataset.kind, rank: tr.dataset.rank, label: tr.querySelector('th').textContent,
      m: Object.fromEntries([...tr.querySelectorAll('td[data-metric]')].map((td) => [td.dataset.metric, td.dataset.value === '' ? null : +td.dataset.value])),
    })));
    assert(rows.length === 1 + alts.length, `${rows.length} rows for 1 + ${alts.length} routes`);
    assert(rows[0].kind === 'original' && /original/i.test(rows[0].label), `row 0 is ${JSON.stringify(rows[0])}`);
    const near = (a, b, tol) => a != null && b != null && Math.abs(a - b) <= tol;
    rows.forEach((row, i) => {
      const want = routes[i];
      assert(String(want.rank) === row.rank, `row ${i}: rank ${row.rank}, answer ${want.rank}`);
      assert(near(row.m.length, want.length_m, 0.5), `row ${i}: length ${row.m.length}, answer ${want.length_m}`);
      assert(near(row.m.cost, want.cost, 1e-6), `row ${i}: cost ${row.m.cost}, answer ${want.cost}`);
      assert(row.m.angle_points === want.angle_points, `row ${i}: ${row.m.angle_points} angle points, answer ${want.angle_points}`);
      assert(row.m['crossings.hard'] === (want.crossings?.hard ?? 0), `row ${i}: ${row.m['crossings.hard']} hard crossings, answer ${want.crossings?.hard}`);
      for (const [k, v] of Object.entries(want.crossings || {})) assert(row.m[`crossings.${k}`] === v, `row ${i}: crossings of ${k} ${row.m[`crossings.${k}`]}, answer ${v}`);
      for (const [k, v] of Object.entries(want.soft_ha || {})) assert(near(row.m[`soft_ha.${k}`], v, 1e-9), `row ${i}: ${k} ${row.m[`soft_ha.${k}`]} ha, answer ${v}`);
      // The table's added length is the answer's, and the answer's is its own length less the original's.
      if (i > 0) {
        assert(near(row.m.added, want.added_length_m, 0.5), `row ${i}: added ${row.m.added}, answer ${want.added_length_m}`);
        assert(near(want.added_length_m, want.length_m - routes[0].length_m, 1), `route ${i}: added ${want.added_length_m} ≠ ${want.length_m} − ${routes[0].length_m}`);
      }
      const parts = Object.values(want.cost_breakdown || {});
      assert(parts.length >= 4, `route ${i}: cost breakdown ${JSON.stringify(want.cost_breakdown)}`);
      assert(near(row.m['cost_breakdown.length_km'], want.cost_breakdown.length_km, 1e-9) && near(want.cost_breakdown.length_km, want.length_m / 1000, 1e-3), `route ${i}: length part ${want.cost_breakdown.length_km} km for ${want.length_m} m`);
    });
    // Ranked by cost; no alternative crosses a hard polygon but the
    // unavoidable ones (an end inside), which the original crosses more of.
    for (let i = 2; i < routes.length; i++) assert(routes[i].cost >= routes[i - 1].cost - 1e-9, `route ${i} costs less than route ${i - 1}`);
    const unavoidable = new Set((routesAnswer.unavoidable || []).map((u) => `${u.layer}/${u.id}`));
    for (const a of alts) {
      const extra = (a.hard_crossed || []).filter((h) => !unavoidable.has(`${h.layer}/${h.id}`));
      assert(!extra.length, `route ${a.rank} crosses ${extra.map((h) => h.name).join(', ')}, not unavoidable`);
    }
    const avoidable = (routes[0].hard_crossed || []).filter((h) => !unavoidable.has(`${h.layer}/${h.id}`));
    assert(avoidable.some((h) => /dhirauli/i.test(h.name)), `the original's avoidable crossings: ${avoidable.map((h) => h.name)}`);
    const unText = await page.textContent('#routes-status');
    for (const u of routesAnswer.unavoidable || []) assert(unText.includes(u.name || u.id), `the status does not name the unavoidable ${u.name}: ${unText}`);
    // Drawn in distinct colours, with a legend.
    const drawn = await page.evaluate(async () => (await window.coalmap.map.getSource('routes').getData()).features.map((f) => f.properties));
    assert(drawn.length === routes.length, `${drawn.length} routes on the map for ${routes.length}`);
    const colours = new Set(drawn.filter((x) => x.kind !== 'original').map((x) => x.color));
    assert(colours.size === alts.length, `${colours.size} colours for ${alts.length} alternatives`);
    assert(await page.locator('#routes-legend li').count() === routes.length, 'the legend does not list every route');
    log(`routes: ${routes.map((x) => `${x.kind === 'original' ? 'original' : `#${x.rank}`} ${(x.length_m / 1000).toFixed(2)} km cost ${x.cost.toFixed(2)} hard ${x.crossings.hard}`).join('; ')}`);
    await page.mouse.move(5, 5); // the drawer opened under the pointer: no route hovered
    await waitFor(() => !window.coalmap.map.isMoving() && window.coalmap.map.areTilesLoaded());
    await sleep(500);
    await shot('14-routes-dhirauli');
  });

  await step('the map fits the alignment and every route; hover and click compare them', async () => {
    assert(routesAnswer, 'no routes');
    const fits = await page.evaluate((routes) => {
      const m = window.coalmap.map;
      const b = m.getBounds();
      const pts = [...window.coalmap.state.lines.flat(), ...routes.flatMap((r) => r.geometry.coordinates)];
      return pts.filter((p) => !b.contains(p)).length;
    }, routesAnswer.routes);
    assert(fits === 0, `${fits} vertices of the alignment and routes are outside the view`);
    const row = page.locator('#routes-table tbody tr').nth(1);
    await row.hover();
    const focus = await page.evaluate(() => JSON.stringify(window.coalmap.map.getFilter('routes-focus')));
    assert(focus === JSON.stringify(['==', ['get', 'index'], 1]), `hovering row 1 focuses ${focus}`);
    await row.click({ position: { x: 30, y: 8 } });
    assert(await row.evaluate((tr) => tr.classList.contains('pinned')), 'a click does not pin the row');
    const th = await page.textContent('#routes-table th[data-metric="shared"]');
    assert(/shared with route/i.test(th), `the shared column, with a route pinned, says “${th}”`);
    const shared = await page.$$eval('#routes-table td[data-metric="shared"]', (tds) => tds.map((t) => t.textContent));
    log(`shared with the pinned route: ${shared.join(' | ')}`);
    await page.mouse.move(5, 5);
    await sleep(300);
    await shot('15-routes-compare');
    await row.click({ position: { x: 30, y: 8 } });
  });

  await step('the routes export as GeoJSON, CSV and KML', async () => {
    assert(routesAnswer, 'no routes');
    const n = routesAnswer.routes.length;
    const grab = async (id) => {
      const dl = page.waitForEvent('download', { timeout: 60000 });
      await page.click(id);
      const d = await dl;
      const file = path.join(downloads, d.suggestedFilename());
      await d.saveAs(file);
      return { name: d.suggestedFilename(), text: await readFile(file, 'utf8') };
    };
    const gj = await grab('#routes-geojson');
    const doc = JSON.parse(gj.text);
    assert(/\.geojson$/.test(gj.name) && doc.type === 'FeatureCollection' && doc.features.length === n, `${gj.name}: ${doc.features?.length} features for ${n} routes`);
    const csv = await grab('#routes-csv');
    const lines = csv.text.trim().split(/\r?\n/);
    assert(/\.csv$/.test(csv.name) && lines.length === 1 + n, `${csv.name}: ${lines.length} lines for ${n} routes`);
    const kml = await grab('#routes-kml');
    const marks = kml.text.match(/<Placemark>/g) || [];
    assert(/\.kml$/.test(kml.name) && marks.length === n && (kml.text.match(/<LineString>/g) || []).length === n, `${kml.name}: ${marks.length} placemarks for ${n} routes`);
    log(`exports: ${gj.name}, ${csv.name} (${csv.text.split('\n')[0]}), ${kml.name}`);
  });

  await step('the clearance report prints to an A4 PDF with Chromium', async () => {
    // The page's own link: a URL that reproduces the report.
    const popup = context.waitForEvent('page', { timeout: 30000 });
    await page.click('#report');
    const rp = await popup;
    await rp.waitForSelector('body[data-report-ready]', { timeout: 120000 });
    const ready = await rp.evaluate(() => document.body.dataset.reportReady);
    assert(ready === 'true', `the report says ${ready}: ${await rp.locator('.report-toolbar').innerText()}`);
    const reportUrl = rp.url();
    assert(/\/map\?report=1#.*case=dhirauli/.test(reportUrl), `report URL ${reportUrl}`);
    const cols = await rp.$$eval('table.alternatives-table thead th', (ths) => ths.map((t) => t.textContent));
    assert(cols.length === 1 + routesAnswer.routes.length, `the report's alternatives table has ${cols.length - 1} routes, the answer ${routesAnswer.routes.length}`);
    await rp.setViewportSize({ width: 1000, height: 1400 });
    await rp.screenshot({ path: path.join(shots, '16-report-screen.png'), fullPage: true });
    await rp.close();
    // The short form a planner types: the real case's name alone.
    const pdf = path.join(shots, 'report-dhirauli.pdf');
    await printToPDF(`${base}/map?report=1#case=dhirauli`, pdf);
    const bytes = await readFile(pdf);
    assert(bytes.subarray(0, 5).toString('latin1') === '%PDF-', 'not a PDF');
    const raw = bytes.toString('latin1');
    const boxes = [...raw.matchAll(/\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/g)].map((m) => [+m[3] - +m[1], +m[4] - +m[2]]);
    assert(boxes.length >= 1, 'no MediaBox in the PDF');
    for (const [w, h] of boxes) assert(Math.abs(w - 595) <= 1.5 && Math.abs(h - 842) <= 1.5, `a page of ${w} × ${h} pt, not A4 (595 × 842)`);
    const info = await run('pdfinfo', [pdf]);
    const pages = +(/Pages:\s+(\d+)/.exec(info)?.[1] || 0);
    assert(pages >= 1 && pages <= 6, `${pages} pages`);
    const text = await run('pdftotext', ['-layout', pdf, '-']);
    for (const want of ['Clearance report', 'Parameters', 'Data versions of the layers used', 'Conflicts of the alignment', 'Polygon', 'Length inside', 'Corridor area',
      'Entry → exit (km)', 'Alternatives', 'Metric', 'Original', 'Route 1', 'Angle points', 'Min clearance', 'Dhirauli']) {
      assert(text.includes(want), `the PDF's text lacks “${want}”`);
    }
    assert(!text.includes('Print / save as PDF'), 'the toolbar is printed');
    await run('pdftoppm', ['-r', '60', '-png', pdf, path.join(shots, '17-report-page')]);
    const pngs = (await readdir(shots)).filter((f) => f.startsWith('17-report-page'));
    assert(pngs.length === pages, `${pngs.length} page images for ${pages} pages`);
    log(`report: ${pages} A4 page(s) (${boxes[0].map((v) => v.toFixed(2)).join(' × ')} pt), ${bytes.length} bytes`);
  });

  await step('a waypoint added on the map and keep mode reach the planner', async () => {
    assert(routesAnswer, 'no routes');
    const propose = async () => {
      const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/routes' && r.request().method() === 'POST', { timeout: 120000 });
      await page.click('#propose');
      const r = await answer;
      assert(r.status() === 200, `POST /routes answered ${r.status()}: ${(await r.text()).slice(0, 300)}`);
      await page.waitForSelector('#routes-table tbody tr');
      return { body: JSON.parse(r.request().postData()), answer: await r.json() };
    };
    // A point a third of the way along the best route: clear of every block.
    const line = routesAnswer.routes.find((x) => x.kind !== 'original').geometry.coordinates;
    const wp = line[0].map((v, k) => v + (line[line.length - 1][k] - v) / 3);
    const onRoute = line.reduce((best, p, i) => (i && segDistM(wp, line[i - 1], p) < best.d ? { d: segDistM(wp, line[i - 1], p), q: nearestOn(wp, line[i - 1], p) } : best), { d: Infinity, q: null }).q;
    await page.evaluate((q) => window.coalmap.map.jumpTo({ center: q, zoom: 15 }), onRoute);
    await waitFor(() => window.coalmap.map.loaded());
    await page.click('#waypoint-tool');
    const [x, y] = await page.evaluate((q) => { const p = window.coalmap.map.project(q); return [p.x, p.y]; }, onRoute);
    const mapBox = await page.locator('#map').boundingBox();
    await page.mouse.click(mapBox.x + x, mapBox.y + y);
    await page.click('#waypoint-tool');
    assert(await page.locator('#waypoint-list li').count() === 1, 'the waypoint is not listed');
    const withWp = await propose();
    assert(withWp.body.waypoints?.length === 1, `the page sent waypoints ${JSON.stringify(withWp.body.waypoints)}`);
    const w = withWp.body.waypoints[0];
    for (const r of withWp.answer.routes.filter((x) => x.kind !== 'original')) {
      const c = r.geometry.coordinates;
      const d = Math.min(...c.slice(1).map((p, i) => segDistM(w, c[i], p)));
      assert(d < 1, `route ${r.rank} passes ${d.toFixed(2)} m from the waypoint`);
    }
    log(`with a waypoint: ${withWp.answer.routes.length - 1} routes through it`);
    await page.click('#waypoints-clear');
    await page.selectOption('#routes-mode', 'keep');
    const keep = await propose();
    assert(keep.body.mode === 'keep' && keep.answer.parameters?.mode === 'keep', `mode sent ${keep.body.mode}, answered ${keep.answer.parameters?.mode}`);
    assert(!keep.body.waypoints, 'cleared waypoints were sent');
    const kept = keep.answer.routes.filter((x) => x.kind !== 'original');
    assert(kept.length >= 1 && kept.every((x) => x.replaced?.length), `keep mode: ${kept.length} routes, replaced ${kept.map((x) => x.replaced?.length)}`);
    log(`keep mode: ${kept.map((x) => `#${x.rank} replaces ${x.replaced.length} stretch(es)`).join(', ')}`);
    await page.selectOption('#routes-mode', 'free');
    const again = await propose();
    routesAnswer = again.answer;
  });

  await step('“Use this route” makes it the alignment, and the check finds no hard crossing but the unavoidable', async () => {
    assert(routesAnswer, 'no routes');
    const unavoidable = new Set((routesAnswer.unavoidable || []).map((u) => `${u.layer}/${u.id}`));
    const i = routesAnswer.routes.findIndex((x) => x.kind !== 'original');
    const chosen = routesAnswer.routes[i];
    const row = page.locator(`#routes-table tbody tr[data-index="${i}"]`);
    const answer = page.waitForResponse((r) => r.url().includes('/overlaps/check') && r.request().method() === 'POST', { timeout: 30000 });
    await row.locator('button', { hasText: 'Use this route' }).click();
    await answer;
    const lines = await page.evaluate(() => window.coalmap.state.lines);
    assert(lines.length === 1 && JSON.stringify(lines[0]) === JSON.stringify(chosen.geometry.coordinates), 'the alignment is not the route chosen');
    await waitFor(() => !document.querySelector('#check-panel[aria-busy]') && !/Checking/.test(document.querySelector('#check-status').textContent));
    const keys = await page.$$eval('#conflicts tbody tr[data-key]', (trs) => trs.map((t) => t.dataset.key));
    assert(keys.every((k) => unavoidable.has(k)), `the check of the route lists ${keys.filter((k) => !unavoidable.has(k)).join(', ')}, not unavoidable`);
    if (!unavoidable.size) assert(await page.locator('#conflicts tbody tr.none').count() === 1, 'the check does not say the route is clear');
    assert(await page.locator('#routes-drawer').isHidden(), 'the routes of the old alignment are still shown');
    const q = await page.evaluate(() => window.coalmap.checkQuery().toString());
    const r = await (await api(`/overlaps/check?${q}`, { method: 'POST', headers: { 'Content-Type': 'application/geo+json' },
      body: JSON.stringify({ type: 'Feature', properties: {}, geometry: chosen.geometry }) })).json();
    const crossed = (r.crossings || []).filter((c) => !unavoidable.has(`${c.layer}/${c.id}`));
    assert(!crossed.length, `POST /overlaps/check of the route lists ${crossed.map((c) => c.name).join(', ')}`);
    assert(JSON.stringify([...keys].sort()) === JSON.stringify((r.crossings || []).map((c) => `${c.layer}/${c.id}`).sort()), `the table lists ${keys}, the check ${(r.crossings || []).map((c) => c.id)}`);
    log(`route ${chosen.rank} in use: ${keys.length ? `crosses only the unavoidable ${keys.join(', ')}` : 'clear'}`);
    await waitFor(() => !window.coalmap.map.isMoving() && window.coalmap.map.areTilesLoaded());
    await sleep(400);
    await shot('18-route-used');
  });

  await step('the other three real cases load in one click each', async () => {
    const cases = [['pelma-sardega', 'Pelma'], ['tentuloi-budhapank', 'Tentuloi'], ['jharsuguda-dharamjaygarh', 'Gare Palma Sector II']];
    for (const [id, block] of cases) {
      await page.click(`[data-case="${id}"]`);
      await page.locator('#conflicts tbody tr[data-key]', { hasText: block }).first().waitFor({ timeout: 60000 });
      const n = await page.locator('#conflicts tbody tr[data-key]').count();
      log(`${id}: ${n} blocks crossed, ${block} among them`);
      await waitFor(() => !window.coalmap.map.isMoving() && window.coalmap.map.areTilesLoaded());
      await sleep(300);
      await shot(`13-case-${id}`);
    }
  });

  await step('the URL keeps the view and the visible layers', async () => {
    const before = await page.evaluate(() => ({ hash: location.hash, visible: [...window.coalmap.state.visible].sort(), zoom: window.coalmap.map.getZoom(), center: window.coalmap.map.getCenter() }));
    assert(before.visible.length >= 2, `visible layers ${before.visible}`);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
    const after = await page.evaluate(() => ({ visible: [...window.coalmap.state.visible].sort(), zoom: window.coalmap.map.getZoom(), center: window.coalmap.map.getCenter() }));
    assert(JSON.stringify(after.visible) === JSON.stringify(before.visible), `layers ${after.visible} after reload, ${before.visible} before`);
    assert(Math.abs(after.zoom - before.zoom) < 0.02 && Math.abs(after.center.lng - before.center.lng) < 1e-3 && Math.abs(after.center.lat - before.center.lat) < 1e-3,
      `view ${JSON.stringify(after)} after reload, ${JSON.stringify(before)} before`);
  });

  await step('no console errors during the whole run', async () => {
    assert(consoleErrors.length === 0, consoleErrors.join('\n'));
  });
}

// run runs a command and gives its standard output; it fails with its error output.
function run(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.code === 'ENOENT' ? 'not installed (poppler-utils; scripts/install-deps.sh installs it)' : stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

// printToPDF prints a page with Chromium's own --print-to-pdf, as a planner
// would from the command line: headless, no browser header and footer, the
// page's network answers waited for (virtual time stands still while they
// are pending).
async function printToPDF(url, file) {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'coalmap-e2e-print-'));
  try {
    await rm(file, { force: true });
    await run(browserPath, ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, '--no-first-run', '--disable-background-networking',
      '--no-pdf-header-footer', '--virtual-time-budget=120000', `--print-to-pdf=${file}`, url]);
    if (!existsSync(file)) throw new Error(`chromium --print-to-pdf wrote no ${file}`);
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

// segDistM is the distance in metres from p to the segment a–b (local
// equirectangular: plenty for metres over a segment).
function segDistM(p, a, b) {
  const q = nearestOn(p, a, b);
  const k = Math.cos((p[1] * Math.PI) / 180);
  return Math.hypot((p[0] - q[0]) * k, p[1] - q[1]) * 111195;
}

function nearestOn(p, a, b) {
  const k = Math.cos((p[1] * Math.PI) / 180);
  const dx = (b[0] - a[0]) * k;
  const dy = b[1] - a[1];
  const l2 = dx * dx + dy * dy;
  const t = l2 ? Math.max(0, Math.min(1, (((p[0] - a[0]) * k) * dx + (p[1] - a[1]) * dy) / l2)) : 0;
  return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
}

function bbox(g) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => { if (typeof c[0] === 'number') { b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]); b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]); } else c.forEach(walk); };
  walk(g.coordinates);
  return b;
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
  await stopServer();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
log(`screenshots in ${path.relative(process.cwd(), shots) || shots} (${((Date.now() - t0) / 1000).toFixed(0)}s)`);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed || fatal ? 1 : 0);
