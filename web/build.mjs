// Builds the planner's web map into ../api/web/dist, which the Go binary
// embeds: index.html at the root, content-hashed assets under assets/.
// Everything comes from node_modules (MapLibre GL JS included): the page
// loads nothing from outside the service.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '../api/web/dist');
const assets = path.join(out, 'assets');
const watch = process.argv.includes('--watch');

const hash = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 10);

async function clean() {
  await mkdir(out, { recursive: true });
  for (const f of await readdir(out)) {
    if (f !== '.gitkeep') await rm(path.join(out, f), { recursive: true, force: true });
  }
  await mkdir(assets, { recursive: true });
}

async function once() {
  await clean();
  // MapLibre decodes tiles in module workers loaded from this file.
  const worker = await readFile(path.join(here, 'node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs'));
  const workerName = `maplibre-gl-worker-${hash(worker)}.mjs`;
  await writeFile(path.join(assets, workerName), worker);

  const result = await build({
    entryPoints: { app: path.join(here, 'src/main.js') },
    bundle: true,
    format: 'esm',
    target: ['chrome111', 'firefox115', 'safari16.4'],
    minify: !watch,
    sourcemap: watch,
    outdir: assets,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    metafile: true,
    legalComments: 'linked',
    define: { __WORKER_URL__: JSON.stringify(`/map/assets/${workerName}`) },
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => path.basename(p));
  const js = outputs.find((f) => /^app-.*\.js$/.test(f));
  const css = outputs.find((f) => /^app-.*\.css$/.test(f));
  if (!js || !css) throw new Error(`build: missing outputs in ${outputs.join(', ')}`);
  let html = await readFile(path.join(here, 'src/index.html'), 'utf8');
  html = html.replace('%APP_JS%', `/map/assets/${js}`).replace('%APP_CSS%', `/map/assets/${css}`);
  await writeFile(path.join(out, 'index.html'), html);
  console.log(`web: built ${path.relative(process.cwd(), out)} (${js}, ${css}, ${workerName})`);
}

if (watch) {
  await once();
  const { watch: fsWatch } = await import('node:fs');
  let timer;
  fsWatch(path.join(here, 'src'), { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => once().catch((e) => console.error(e.message)), 150);
  });
} else {
  await once();
}
