/**
 * npm run bench:webgpu-ops — each backend operation the specs spend their time in (docs/parallel.md
 * §6), timed in Chromium on tfjs WebGPU and on tfjs WASM: nearest centres (20,000 × 50 points,
 * 100 centres: one Lloyd iteration), kernel row statistics (100,000 × 50, 100 centres, with the
 * weighted sums: one β fit), image features (512 grey 32×32 images through the spec's network) and
 * a 100 × 100 Gram matrix. One warm-up call, then the median of the timed calls; the results of the
 * two backends are compared (nearest-centre agreement, largest relative difference otherwise).
 * The WebGPU adapter is whatever Chromium finds (SwiftShader, a CPU renderer, on a machine without
 * a GPU: the device line names it). Writes bench/results/webgpu-ops.json. Option: --repeats N (default 3).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS } from '../tests/chromium.js';
import { machineInfo } from './machine.js';
import { openRunnerPage } from './runner-page.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const at = process.argv.indexOf('--repeats');
const REPEATS = at > 0 ? Number(process.argv[at + 1]) : 3;
if (!(Number.isInteger(REPEATS) && REPEATS >= 1)) throw new Error('--repeats must be a positive integer');
const OPS = ['nearestCenters', 'kernelRowStats', 'convFeatures', 'gram'] as const;
type Run = { device: string; warmupMs: number; times: number[]; digest: number[] };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const { page, close } = await openRunnerPage(ROOT, 4393);
const rows: { op: string; wasmMs: number; webgpuMs: number; webgpuOverWasm: number; fasterOn: string; agreement: string; webgpuWarmupMs: number }[] = [];
const devices: Record<string, string> = {};
try {
  for (const op of OPS) {
    const runs: Record<string, Run> = {};
    for (const backend of ['wasm', 'webgpu']) {
      runs[backend] = (await page.evaluate((config) => (globalThis as unknown as { runOpBench: (c: unknown) => Promise<unknown> }).runOpBench(config), {
        backend,
        op,
        repeats: REPEATS,
      })) as Run;
      devices[backend] = runs[backend].device;
    }
    const wasmMs = median(runs.wasm.times);
    const webgpuMs = median(runs.webgpu.times);
    const a = runs.wasm.digest;
    const b = runs.webgpu.digest;
    const agreement =
      op === 'nearestCenters'
        ? `${((a.filter((v, i) => v === b[i]).length / a.length) * 100).toFixed(2)} % same nearest centre`
        : `max relative difference ${Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(Math.abs(v), 1e-30))).toExponential(1)}`;
    rows.push({ op, wasmMs, webgpuMs, webgpuOverWasm: webgpuMs / wasmMs, fasterOn: webgpuMs < wasmMs ? 'webgpu' : 'wasm', agreement, webgpuWarmupMs: runs.webgpu.warmupMs });
    console.log(`${op}: wasm ${wasmMs.toFixed(1)} ms, webgpu ${webgpuMs.toFixed(1)} ms (${(webgpuMs / wasmMs).toFixed(1)}×), ${agreement}`);
  }
} finally {
  await close();
}
const result = { benchmark: 'webgpu-ops', machine: machineInfo(), chromium: { flags: CHROMIUM_ARGS }, devices, repeats: REPEATS, rows };
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'webgpu-ops.json'), JSON.stringify(result, null, 2) + '\n');
console.log(
  `devices: ${Object.entries(devices)
    .map(([k, v]) => `${k} = ${v}`)
    .join('; ')}`,
);
