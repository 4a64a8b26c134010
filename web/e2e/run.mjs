// End-to-end suite of the planner's web map, in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core; no browser is downloaded).
//
// It starts a real `coalmap serve` on a free port with a throwaway data
// directory (the demo catalog loads on first start), or uses COALMAP_E2E_URL
// when that is set, and walks the page as a planner would. Screenshots of
// every step go to web/e2e/screenshots/ (or COALMAP_E2E_SCREENSHOTS).
// It prints "N passed, N failed" and exits non-zero on any failure, including
// when it cannot run at all (no browser, no binary, no server).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) consoleErrors.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`); });
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

  await step('the page loads with no console errors', async () => {
    await page.goto(`${base}/map`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
    await waitFor(() => window.coalmap.map.loaded() && window.coalmap.map.areTilesLoaded(), null, { timeout: 60000 });
    await sleep(500);
    await shot('01-loaded');
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    const csp = (await api('/map')).headers.get('content-security-policy') || '';
    assert(csp.includes("default-src 'self'"), `CSP ${csp}`);
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
    const r = await (await api('/overlaps/check?against=coal_blocks&row_width_m=46&clearance_m=0', {
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

  await step('an alternative route around the crossed blocks is proposed', async () => {
    await page.click('#reroute');
    await page.waitForSelector('#alternatives li', { timeout: 90000 });
    const text = await page.locator('#alternatives').innerText();
    assert(/[+−]/.test(text), `alternatives: ${text}`);
    await page.locator('#alternatives button', { hasText: 'Show' }).first().click();
    await waitFor(() => !window.coalmap.map.isMoving() && window.coalmap.map.areTilesLoaded());
    await sleep(400);
    await shot('08-alternative-route');
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
