/**
 * `catalog build --threads N` (docs/catalog-format.md, "Checking on several threads"): bundles checked on N
 * check threads give the catalog, bytes and verdicts, that the main thread alone gives. The
 * bundles are real: two of each island of the fresh demo catalog (tables, texts, images), with a
 * truncated zip, a model whose probabilities do not sum to 1 and a model that never ends among
 * them. Then the pool itself (src/cli/check-pool.ts): a check past its deadline and a thread that
 * runs out of memory give that bundle a verdict and the build goes on, and every thread it started
 * (and the model host's thread under each) has ended when it returns. Nothing here is timed: the
 * deadline and the model time limit only have to come in the order the test sets them.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CatalogIndex } from '../../src/engine/index.js';
import { checkInThreads } from '../../src/cli/check-pool.js';
import { makeBundle, denseModel } from '../helpers/bundles.js';
import { catalogTree as tree } from '../helpers/catalog-tree.js';
import { cliInProcess } from '../helpers/cli-in-process.js';
import { ok } from '../helpers/cli.js';
import { loopHangModel } from '../helpers/hostile-models.js';

const BIN = fileURLToPath(new URL('../../bin/learnware-dock.js', import.meta.url));
const saved = { epoch: process.env.SOURCE_DATE_EPOCH, timeout: process.env.LEARNWARE_DOCK_RUN_TIMEOUT_S };
let dir: string;
let bundles: string;
/** a USABLE table bundle of the test's own */
let good: Uint8Array;

function expectSameTree(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [path, bytes] of a) expect(b.get(path)!.equals(bytes), path).toBe(true);
}

/** Worker threads of this process, the threads they started included. */
function liveThreads(): number {
  const count = (report: { workers: unknown[] }): number => report.workers.reduce<number>((n, w) => n + 1 + count(w as { workers: unknown[] }), 0);
  return count(process.report.getReport() as unknown as { workers: unknown[] });
}

/**
 * A bundle whose manifest is 3·10⁶ one-digit JSON arrays (12 MB of text, 2 MB zipped, random
 * digits so it is no zip bomb): parsing it needs far more heap than --max-old-space-size=96 leaves.
 */
function heapExhaustingBundle(): Uint8Array {
  const n = 3_000_000;
  const text = new Uint8Array(4 * n + 1);
  text[0] = 0x5b;
  let seed = 1;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    text.set([0x5b, 0x30 + ((seed >>> 16) % 10), 0x5d, 0x2c], 1 + 4 * i);
  }
  text[4 * n] = 0x5d;
  return zipSync({ 'learnware.json': text }, { level: 1 });
}

beforeAll(async () => {
  process.env.SOURCE_DATE_EPOCH = '1767225600'; // 2026-01-01T00:00:00Z
  // the model that never ends is stopped after 2 s, on the main thread and in every check thread alike
  process.env.LEARNWARE_DOCK_RUN_TIMEOUT_S = '2';
  const built = inject('freshDemoCatalog');
  const index = JSON.parse(readFileSync(join(built.catalog, 'catalog.json'), 'utf8')) as CatalogIndex;
  dir = mkdtempSync(join(tmpdir(), 'lwd-catalog-threads-'));
  bundles = join(dir, 'bundles');
  mkdirSync(bundles);
  for (const island of index.islands) {
    for (const entry of index.entries.filter((e) => e.island === island.id).slice(0, 2)) copyFileSync(join(built.catalog, entry.bundle.file), join(bundles, `${entry.id}.zip`));
  }
  good = (await makeBundle({ id: 'weather-threads' })).bundle;
  writeFileSync(join(bundles, 'broken-truncated.zip'), good.subarray(0, good.length >> 1));
  writeFileSync(join(bundles, 'broken-probabilities.zip'), (await makeBundle({ id: 'weather-bad-sums', model: denseModel('identity', 2, 5) })).bundle);
  writeFileSync(join(bundles, 'hostile-loop.zip'), (await makeBundle({ id: 'weather-loop', model: loopHangModel(2e8) })).bundle);
});

afterAll(() => {
  for (const [name, value] of [
    ['SOURCE_DATE_EPOCH', saved.epoch],
    ['LEARNWARE_DOCK_RUN_TIMEOUT_S', saved.timeout],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('catalog build --threads', () => {
  it('2 threads write the catalog 1 thread writes, byte for byte, with the same verdicts; parts on threads merge into it', async () => {
    const one = join(dir, 'one');
    const two = join(dir, 'two');
    const single = ok(await cliInProcess('catalog', 'build', bundles, '--out', one, '--threads', '1', '--skip-unusable'));
    const threaded = ok(await cliInProcess('catalog', 'build', bundles, '--out', two, '--threads', '2', '--skip-unusable'));
    expect(single.stdout).toMatch(/catalog .*: 8 learnwares in 4 islands/);
    expect(threaded.stdout.replace(two, one)).toBe(single.stdout);
    expect(threaded.stderr).toBe(single.stderr);
    expect(single.stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^broken-probabilities\.zip: NONUSABLE; PROBABILITY_RANGE: .*; PROBABILITY_SUM: /),
      expect.stringMatching(/^broken-truncated\.zip: INVALID; /),
      expect.stringMatching(/^hostile-loop\.zip: NONUSABLE; MODEL_TIMEOUT: the model took longer than 2 s/),
    ]);
    const catalog = tree(one);
    expectSameTree(catalog, tree(two));

    // the parts of a build checked on threads too: their merge is still that catalog
    const parts = [1, 2].map((i) => join(dir, `part-${i}`));
    for (const [k, part] of parts.entries()) ok(await cliInProcess('catalog', 'build', bundles, '--part', `${k + 1}/2`, '--out', part, '--threads', '2'));
    const merged = join(dir, 'merged');
    const merge = ok(await cliInProcess('catalog', 'merge', ...parts, '--out', merged, '--skip-unusable'));
    expect(merge.stderr.split('\n').filter(Boolean).sort()).toEqual(single.stderr.split('\n').filter(Boolean));
    expectSameTree(catalog, tree(merged));
  });

  it('--threads takes an integer from 1 to 256, else it is a usage error', async () => {
    for (const bad of ['0', 'abc', '-2', '1.5', '257', '']) {
      const result = await cliInProcess('catalog', 'build', bundles, `--threads=${bad}`, '--out', join(dir, 'never'));
      expect(result.code, bad).toBe(2);
      expect(result.stderr, bad).toBe(`error[USAGE]: --threads must be an integer in 1..256, got ${JSON.stringify(bad)}\n`);
    }
    expect((await cliInProcess('catalog', 'build', bundles, '--out', join(dir, 'never'), '--threads')).stderr).toContain('--threads needs a value');
    expect(() => statSync(join(dir, 'never'))).toThrow();
  });
});

describe('the check pool', () => {
  it('stops a check past its deadline with CHECK_TIMEOUT, checks the rest on a new thread and leaves no thread behind', async () => {
    // the model's own limit (the checker's 10 s) comes after the pool's 6 s deadline here
    delete process.env.LEARNWARE_DOCK_RUN_TIMEOUT_S;
    try {
      const [loop, truncated] = ['hostile-loop.zip', 'broken-truncated.zip'].map((name) => readFileSync(join(bundles, name)));
      const input = [good, loop, truncated, good];
      const before = liveThreads();
      // one thread: the bundles after the stopped check can only be checked on the thread that replaces it
      const results = await checkInThreads(input, 1, 6_000);
      expect(liveThreads()).toBe(before);
      expect(results.map((r) => r.status)).toEqual(['USABLE', 'INVALID', 'INVALID', 'USABLE']);
      expect(results[1].reasons).toEqual([{ code: 'CHECK_TIMEOUT', message: "the check did not finish within 6 s and was stopped (the model's own time limits had not ended it)" }]);
      expect(results[2].reasons[0].code).not.toBe('CHECK_TIMEOUT');
    } finally {
      process.env.LEARNWARE_DOCK_RUN_TIMEOUT_S = '2';
    }
  });

  it('gives a bundle whose check exhausts its thread’s heap CHECK_CRASHED and builds the rest (the process then ends)', async () => {
    const few = join(dir, 'heap-bundles');
    mkdirSync(few);
    writeFileSync(join(few, 'heap.zip'), heapExhaustingBundle());
    writeFileSync(join(few, 'good.zip'), good);
    // a subprocess: the heap limit must hold from its start, and its exit shows that no thread was left running
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, 'catalog', 'build', few, '--out', join(dir, 'heap-catalog'), '--threads', '2', '--skip-unusable'], {
      env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=96' },
      timeout: 120_000,
    });
    expect(stderr).toMatch(/^heap\.zip: INVALID; CHECK_CRASHED: the checker's thread stopped while checking this bundle \(.*memory limit.*\)\n$/);
    expect(stdout).toMatch(/: 1 learnwares in 1 islands/);
  });
});
