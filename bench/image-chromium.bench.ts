/**
 * npm run bench:image:chromium — the image spec's time in Chromium (docs/image.md §6, spec time):
 * the first 1,000 and 5,000 Fashion-MNIST training images (all 10 classes, as bench:image's Node
 * timings), the spec built on tfjs WebGPU and WASM in the page (bench/browser-runner.ts), each spec
 * compared with the one Node builds on tfjs WASM from the same images (squared MMD under the spec's
 * own kernel: the backends' stated tolerance is 1e-8). Chromium runs headless with the flags of the
 * tests; on a machine without a GPU its WebGPU adapter is SwiftShader (software), which the device
 * line names. Writes bench/results/image-chromium.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStatSpec, resolveBackend, specTypesFor, type BackendName, type StatSpec } from '../src/engine/index.js';
import { NODE_WASM_PATHS } from '../src/cli/node-backend.js';
import { demoImageData, IMAGE_K, partyDataset } from '../scripts/build-demo-image.js';
import type { ImageParty } from '../scripts/demo-image-sources.js';
import { CHROMIUM_ARGS } from '../tests/chromium.js';
import type { BrowserSpecRun } from './browser-runner.js';
import { machineInfo } from './machine.js';
import { openRunnerPage } from './runner-page.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SIZES = process.argv.includes('--quick') ? [1000] : [1000, 5000];
const TIMEOUT_MS = 600_000;
const SIDE = 28;
const log = (line: string) => process.stdout.write(line + '\n');

const { data } = demoImageData();
const [imageType] = specTypesFor('image');
const node = (await resolveBackend({ preference: ['wasm'], wasmPaths: NODE_WASM_PATHS })).backend;
const squaredMmd = (a: StatSpec, b: StatSpec) => {
  const settings = imageType.ownSettings(a);
  return imageType.innerProduct(a, a, settings) + imageType.innerProduct(b, b, settings) - 2 * imageType.innerProduct(a, b, settings);
};

const { page, browser, close } = await openRunnerPage(ROOT, 4392);
const rows: { images: number; where: string; backend: string; seconds: number | null; mmd2ToNode: number | null; note?: string }[] = [];
let device = '';
const version = browser.version();
try {
  for (const n of SIZES) {
    const party: ImageParty = { id: 'spec', seedName: '', classes: [], counts: [], indices: Int32Array.from({ length: n }, (_, i) => i) };
    let t = performance.now();
    const nodeSpec = (await imageType.build(node, partyDataset(data.train, party), { K: IMAGE_K } as object)).spec;
    rows.push({ images: n, where: 'node', backend: node.name, seconds: (performance.now() - t) / 1000, mmd2ToNode: 0 });
    log(`${n} images, node ${node.name}: ${rows.at(-1)!.seconds!.toFixed(2)} s`);
    const pixels = Buffer.from(data.train.images.subarray(0, n * SIDE * SIDE)).toString('base64');
    for (const backend of ['webgpu', 'wasm'] as BackendName[]) {
      t = performance.now();
      const run = (await page.evaluate((config) => (globalThis as unknown as { runImageSpecBench: (c: unknown) => Promise<unknown> }).runImageSpecBench(config), {
        backend,
        pixels,
        n,
        side: SIDE,
        K: IMAGE_K,
        timeoutMs: TIMEOUT_MS,
      })) as BrowserSpecRun;
      if (backend === 'webgpu') device = run.device;
      const ok = !run.error;
      rows.push({
        images: n,
        where: 'chromium',
        backend: run.backend,
        seconds: ok ? run.ms / 1000 : null,
        mmd2ToNode: ok ? squaredMmd(nodeSpec, parseStatSpec(run.json)) : null,
        note: run.error,
      });
      const r = rows.at(-1)!;
      log(`${n} images, chromium ${r.backend}: ${r.seconds?.toFixed(2) ?? r.note} s, MMD² to the Node spec ${r.mmd2ToNode?.toExponential(2) ?? '-'}`);
    }
  }
} finally {
  await close();
}
const result = { date: new Date().toISOString(), machine: machineInfo(), chromium: { version, webgpuDevice: device, flags: CHROMIUM_ARGS }, K: IMAGE_K, rows };
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'image-chromium.json'), JSON.stringify(result, null, 2) + '\n');
log('wrote bench/results/image-chromium.json');
