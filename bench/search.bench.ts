/**
 * npm run bench:search — statistical search at scale (issue 4) and on the demo catalog.
 * Generated sketch-layout islands (K = 100, d ∈ {10, 50}, 1k / 100k / 1M learnwares) are built
 * with the engine's sketch index (member sketches in 2 worker threads, clustering on tfjs-wasm) and
 * served over HTTP by a Vite server; every query is run cold (empty file cache) and warm (same
 * query, files cached) in Node and in Chromium, counting the bytes the server sent. Recall@10 of
 * the sketch search is measured against an exact MMD² scan: over the whole island up to 20k
 * learnwares, else over the query's family (generated islands: other families' centres are so far
 * that their MMD² to the query is within 1e-6 of the maximum; the 1k/20k runs check the top 10 of
 * the full scan never leaves the family). Recall counts the learnwares of the exact top 10 that
 * overlap the query: overlap = 2⟨u,L⟩ / (⟨u,u⟩ + ⟨L,L⟩) ≥ 0.5, i.e. MMD² at most half of what it
 * would be with no shared kernel mass. Learnwares with little overlap sit near that no-overlap
 * plateau, ordered mostly by their own concentration ⟨L,L⟩ whatever the query (at d = 50, most
 * of the exact top 10 beyond the query's family); recall at overlap ≥ 0.1 and 0.25 and the strict
 * recall of the plain exact top 10 are reported too. Demo catalog: latency of a search from held-out rows and
 * identification accuracy (top-1/top-5). Writes bench/results/search.json.
 * Options: --quick (1k and 20k, d = 10), --sizes a,b --dims a,b --queries n --no-browser,
 * --probe n --rerank n (Node runs only), --merge (keep an earlier run's rows for other sizes/dims),
 * --members-cache DIR (keep member sketches between runs; the reported build time then excludes sketching).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import {
  settingsScale,
  tableDataset,
  allocateSketches,
  DEFAULT_PROBE,
  DEFAULT_SKETCH_PAIRS,
  DEFAULT_RERANK,
  assembleSketchIndex,
  specFileBytes,
  innerProduct,
  islandSketchParams,
  loadCatalogIndex,
  memoryFileCache,
  parseCsvBytes,
  searchCatalog,
  searchSketchIsland,
  serializeStatSpec,
  sha256Hex,
  toFeatureMatrix,
  type FetchLike,
  type Island,
  type RkmeTableSpec,
} from '../src/engine/index.js';
import { nodeBackend } from '../src/cli/node-backend.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/chromium.js';
import { syntheticCatalog, syntheticFamily, syntheticUser, type SyntheticCatalog } from '../tests/shared/synthetic-catalog.js';
import { directoryFetch, identificationAccuracy, readHoldoutIndex } from '../tests/shared/identification.js';
import { cardBytes, islandOf, islandView, syntheticSpec } from './generated-catalog.js';
import { machineInfo } from './machine.js';
import { flag, option } from './options.js';
import { readFileSync } from 'node:fs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quick = flag('quick');
const sizes = (option('sizes') ?? (quick ? '1000,20000' : '1000,100000,1000000')).split(',').map(Number);
const dims = (option('dims') ?? (quick ? '10' : '10,50')).split(',').map(Number);
const browser = !flag('no-browser');
/** Node only: override the engine's defaults (the browser runs use the defaults) */
const searchOptions = { probe: option('probe') ? Number(option('probe')) : undefined, rerank: option('rerank') ? Number(option('rerank')) : undefined };
const backend = (await nodeBackend('wasm')).backend;

interface Served {
  catalog: SyntheticCatalog;
  files: Map<string, Uint8Array>;
  specs: Map<string, number>;
  cards: Map<string, number>;
}
const served = new Map<string, Served>();
let bytesSent = 0;
let requests = 0;

function handler(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const match = /^\/generated\/([^/]+)\/(.+)$/.exec(req.url ?? '');
  const island = match && served.get(match[1]);
  if (!match || !island) return next();
  const path = match[2];
  let bytes = island.files.get(path);
  const hash = /^(specs|cards)\/([0-9a-f]{32})\.(bin|json)$/.exec(path);
  if (!bytes && hash) {
    const i = (hash[1] === 'specs' ? island.specs : island.cards).get(hash[2]);
    if (i !== undefined) bytes = hash[1] === 'specs' ? specFileBytes(islandView(island.catalog), syntheticSpec(island.catalog, i)) : cardBytes(island.catalog, i);
  }
  if (!bytes) {
    res.statusCode = 404;
    res.end();
    return;
  }
  bytesSent += bytes.length;
  requests++;
  res.setHeader('content-type', path.endsWith('.json') ? 'application/json' : 'application/octet-stream');
  res.setHeader('content-length', bytes.length);
  res.end(bytes);
}

const server = await createServer({
  root: ROOT,
  logLevel: 'error',
  // no file watching: an edit to the sources during a long run must not reload the bench page
  server: { host: '127.0.0.1', port: 4392, hmr: false, watch: null },
  plugins: [{ name: 'generated-catalogs', configureServer: (s) => void s.middlewares.use(handler) }],
});
await server.listen();
// exact scans between queries can exceed the default 5 s keep-alive: a reused socket would be reset
(server.httpServer as import('node:http').Server).keepAliveTimeout = 600_000;
const origin = server.resolvedUrls!.local[0].replace(/\/$/, '');

/**
 * Member sketches of a generated island, kept on disk between runs (--members-cache DIR): sketching
 * a million specs takes most of a build (36 min at d = 50), the lists and head are rebuilt from them
 * in minutes. The key names everything the sketches depend on.
 */
const membersCache = option('members-cache');
const MEMBERS_FORMAT = 'members-v2-f32spec';

function membersKey(c: SyntheticCatalog, pairs: number): string {
  return join(membersCache!, `${MEMBERS_FORMAT}-n${c.count}-d${c.d}-K${c.K}-s${c.seed}-f${c.families}-g${c.gamma}-m${pairs}.bin`);
}

function saveMembers(path: string, m: ReturnType<typeof allocateSketches>): void {
  mkdirSync(membersCache!, { recursive: true });
  writeFileSync(path, Buffer.concat([m.codes, m.steps, m.selfInner, m.hashes].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
}

function loadMembers(path: string, count: number, dims: number): ReturnType<typeof allocateSketches> | null {
  if (!existsSync(path)) return null;
  const bytes = readFileSync(path);
  const m = allocateSketches(count, dims);
  const parts = [m.codes, m.steps, m.selfInner, m.hashes];
  if (bytes.length !== parts.reduce((s, a) => s + a.byteLength, 0)) return null;
  let o = 0;
  for (const a of parts) {
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(bytes.subarray(o, o + a.byteLength));
    o += a.byteLength;
  }
  return m;
}

async function sketchMembers(c: SyntheticCatalog, dimsOf: number): Promise<ReturnType<typeof allocateSketches>> {
  const half = Math.ceil(c.count / 2);
  const parts = await Promise.all(
    [
      [0, half],
      [half, c.count],
    ].map(
      ([from, to]) =>
        new Promise<ReturnType<typeof allocateSketches>>((resolve, reject) => {
          const worker = new Worker(new URL('./search-sketch-worker.mjs', import.meta.url), { workerData: { catalog: c, from, to } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  const members = allocateSketches(c.count, dimsOf);
  let offset = 0;
  for (const part of parts) {
    members.codes.set(part.codes, offset * dimsOf);
    members.steps.set(part.steps, offset);
    members.selfInner.set(part.selfInner, offset);
    members.hashes.set(part.hashes, offset * 32);
    offset += part.count;
  }
  return members;
}

async function buildIsland(c: SyntheticCatalog): Promise<{ island: Island; buildSeconds: number; indexBytes: { head: number; lists: number }; membersCached: boolean }> {
  const started = performance.now();
  const params = islandSketchParams(islandView(c));
  const dimsOf = 2 * params.pairs;
  const cached = membersCache ? loadMembers(membersKey(c, params.pairs), c.count, dimsOf) : null;
  const members = cached ?? (await sketchMembers(c, dimsOf));
  if (membersCache && !cached) saveMembers(membersKey(c, params.pairs), members);
  const files = new Map<string, Uint8Array>();
  const head = await assembleSketchIndex(members, params, (path, bytes) => void files.set(path, bytes), { backend });
  const sha = await sha256Hex(head);
  const ref = { file: `sketch/head-${sha.slice(0, 16)}.bin`, sha256: sha, size: head.length };
  files.set(ref.file, head);
  const specs = new Map<string, number>();
  const cards = new Map<string, number>();
  const hex = (from: number) => Buffer.from(members.hashes.subarray(from, from + 16)).toString('hex');
  for (let i = 0; i < c.count; i++) {
    specs.set(hex(i * 32), i);
    cards.set(hex(i * 32 + 16), i);
  }
  const island = islandOf(c, ref);
  served.set(`${c.count}-${c.d}`, { catalog: c, files, specs, cards });
  const listBytes = [...files].filter(([p]) => p.startsWith('sketch/lists/')).reduce((s, [, b]) => s + b.length, 0);
  return { island, buildSeconds: (performance.now() - started) / 1000, indexBytes: { head: head.length, lists: listBytes }, membersCached: cached !== null };
}

/** Exact top 10 by MMD² under the island scale (whole island, or the source's family when large). */
function exactTop(
  c: SyntheticCatalog,
  user: RkmeTableSpec,
  source: number,
  scale: Float64Array,
): { ids: number[]; relevant: Record<0.1 | 0.25 | 0.5, number[]>; scope: number; inFamily: number | null } {
  const family = syntheticFamily(c, source);
  const scope: number[] = [];
  for (let i = 0; i < c.count; i++) if (c.count <= 20_000 || syntheticFamily(c, i) === family) scope.push(i);
  const uu = innerProduct(user, user, { scale });
  const scored = scope.map((i) => {
    const s = syntheticSpec(c, i);
    const cross = 2 * innerProduct(user, s, { scale });
    return { i, cross, mmd2: uu - cross + innerProduct(s, s, { scale }) };
  });
  scored.sort((a, b) => a.mmd2 - b.mmd2);
  const ids = scored.slice(0, 10).map((s) => s.i);
  const overlapping = (threshold: number) =>
    scored
      .slice(0, 10)
      .filter((s) => s.cross >= threshold * (s.cross + s.mmd2))
      .map((s) => s.i);
  const relevant = { 0.1: overlapping(0.1), 0.25: overlapping(0.25), 0.5: overlapping(0.5) };
  const familySize = scope.filter((i) => syntheticFamily(c, i) === family).length;
  const inFamily = familySize >= 10 ? ids.filter((i) => syntheticFamily(c, i) === family).length / 10 : null;
  return { ids, relevant, scope: scope.length, inFamily };
}

const nodeFetch: FetchLike = (url, init) => fetch(url, init);
const page = browser
  ? await (async () => {
      const b = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
      const p = await b.newPage();
      await p.goto(`${origin}/bench/browser.html`);
      await p.waitForFunction(() => (globalThis as { benchReady?: boolean }).benchReady === true, undefined, { timeout: 120_000 });
      return Object.assign(p, { close: () => b.close() });
    })()
  : null;

// The demo catalog (shard layout): a search from each learnware's held-out rows, and identification.
const demoDir = join(ROOT, 'public', 'catalog');
const holdoutDir = join(ROOT, 'public', 'catalog-holdout');
const demo = await (async () => {
  const fetchFn = directoryFetch(demoDir);
  const base = 'file:///catalog/';
  const index = await loadCatalogIndex(fetchFn, base);
  const times: { cold: number; warm: number }[] = [];
  for (const entry of readHoldoutIndex(holdoutDir)) {
    const matrix = toFeatureMatrix(parseCsvBytes(readFileSync(join(holdoutDir, entry.file))), { dropColumns: [entry.labelColumn] });
    const input = { index, fetchFn, base, backend, data: tableDataset(matrix), cache: memoryFileCache() };
    let t = performance.now();
    await searchCatalog(input);
    const cold = performance.now() - t;
    t = performance.now();
    await searchCatalog(input);
    times.push({ cold, warm: performance.now() - t });
  }
  const identification = await identificationAccuracy(demoDir, holdoutDir, backend);
  const mean = (f: (x: { cold: number; warm: number }) => number) => times.reduce((s, x) => s + f(x), 0) / times.length;
  return { learnwares: index.entries.length, users: times.length, coldMsMean: mean((x) => x.cold), warmMsMean: mean((x) => x.warm), identification };
})();
console.log(
  `demo catalog: ${demo.users} users, cold ${demo.coldMsMean.toFixed(0)} ms, warm ${demo.warmMsMean.toFixed(0)} ms, top-1 ${demo.identification.top1.toFixed(3)}, top-5 ${demo.identification.top5.toFixed(3)}`,
);

mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const out = join(ROOT, 'bench', 'results', quick ? 'search-quick.json' : 'search.json');
// Written after every generated catalog, so a long run that is cut short keeps what it measured.
const writeResults = (complete: boolean) =>
  writeFileSync(
    out,
    JSON.stringify(
      {
        benchmark: 'search',
        complete,
        machine: machineInfo(),
        backend: backend.name,
        sketch: { pairs: DEFAULT_SKETCH_PAIRS, probe: searchOptions.probe ?? DEFAULT_PROBE, rerank: searchOptions.rerank ?? DEFAULT_RERANK },
        loadAverage: loadavg(),
        generated: generatedRows,
        demo,
      },
      null,
      2,
    ) + '\n',
  );

// --merge: keep the rows of an earlier run for the (size, d) pairs not measured now (each row says when it ran)
const generatedRows: Record<string, unknown>[] =
  flag('merge') && existsSync(out)
    ? (JSON.parse(readFileSync(out, 'utf8')) as { generated: Record<string, unknown>[] }).generated.filter(
        (r) => !(dims.includes(r.d as number) && sizes.includes(r.learnwares as number)),
      )
    : [];
for (const d of dims) {
  for (const count of sizes) {
    const c = syntheticCatalog(count, d);
    console.log(`building ${count} × d=${d} …`);
    const { island, buildSeconds, indexBytes, membersCached } = await buildIsland(c);
    console.log(
      `  built in ${buildSeconds.toFixed(1)} s${membersCached ? ' from cached member sketches' : ''} (head ${(indexBytes.head / 1e6).toFixed(2)} MB, lists ${(indexBytes.lists / 1e6).toFixed(1)} MB)`,
    );
    const base = `${origin}/generated/${count}-${d}/`;
    const scale = settingsScale(island.settings)!;
    const queries = Number(option('queries') ?? (count >= 1_000_000 ? 8 : 16));
    const rows: {
      where: string;
      coldMs: number;
      warmMs: number;
      bytes: number;
      requests: number;
      recall: number;
      strictRecall: number;
      recall10: number;
      recall25: number;
      relevant: number;
      sourceRank: number;
      heapBytes?: number;
    }[] = [];
    let scope = 0;
    const inFamily: number[] = [];
    for (let q = 0; q < queries; q++) {
      const source = Math.floor(((q + 0.5) / queries) * count);
      const user = { ...syntheticUser(c, source, q + 1), scale };
      const truth = exactTop(c, user, source, scale);
      scope = truth.scope;
      if (truth.inFamily !== null && count <= 20_000) inFamily.push(truth.inFamily);
      const truthSet = new Set(truth.ids.map((i) => `generated-${i}`));
      const recallOf = (ids: string[], threshold: 0.1 | 0.25 | 0.5 = 0.5) => {
        const top = new Set(ids.slice(0, 10));
        const relevant = truth.relevant[threshold];
        return relevant.filter((i) => top.has(`generated-${i}`)).length / relevant.length;
      };
      const strictRecallOf = (ids: string[]) => ids.slice(0, 10).filter((id) => truthSet.has(id)).length / 10;
      // Node
      const cache = memoryFileCache();
      bytesSent = 0;
      requests = 0;
      let t = performance.now();
      const cold = await searchSketchIsland(nodeFetch, base, island, user, { cache, top: 10, ...searchOptions });
      const coldMs = performance.now() - t;
      const bytes = bytesSent;
      const reqs = requests;
      t = performance.now();
      await searchSketchIsland(nodeFetch, base, island, user, { cache, top: 10, ...searchOptions });
      const warmMs = performance.now() - t;
      const ids = cold.singles.map((s) => cold.cards[s.index]!.id);
      rows.push({
        where: 'node',
        coldMs,
        warmMs,
        bytes,
        requests: reqs,
        recall: recallOf(ids),
        strictRecall: strictRecallOf(ids),
        recall10: recallOf(ids, 0.1),
        recall25: recallOf(ids, 0.25),
        relevant: truth.relevant[0.5].length,
        sourceRank: ids.indexOf(`generated-${source}`) + 1,
      });
      if (page) {
        bytesSent = 0;
        requests = 0;
        const run = (await page.evaluate(
          ([b, i, u]) => (globalThis as unknown as { runSketchSearchBench: (b: string, i: Island, u: string) => Promise<unknown> }).runSketchSearchBench(b, i, u),
          [base, island, serializeStatSpec(user)] as const,
        )) as { coldMs: number; warmMs: number; ids: string[]; heapBytes: number };
        rows.push({
          where: 'chromium',
          coldMs: run.coldMs,
          warmMs: run.warmMs,
          bytes: bytesSent,
          requests,
          recall: recallOf(run.ids),
          strictRecall: strictRecallOf(run.ids),
          recall10: recallOf(run.ids, 0.1),
          recall25: recallOf(run.ids, 0.25),
          relevant: truth.relevant[0.5].length,
          sourceRank: run.ids.indexOf(`generated-${source}`) + 1,
          heapBytes: run.heapBytes,
        });
      }
    }
    for (const where of ['node', 'chromium']) {
      const r = rows.filter((x) => x.where === where);
      if (r.length === 0) continue;
      const mean = (f: (x: (typeof r)[number]) => number) => r.reduce((s, x) => s + f(x), 0) / r.length;
      const max = (f: (x: (typeof r)[number]) => number) => Math.max(...r.map(f));
      const row = {
        learnwares: count,
        measuredAt: new Date().toISOString(),
        d,
        K: c.K,
        where,
        queries: r.length,
        exactScope: scope,
        fullScanTop10InFamily: inFamily.length ? inFamily.reduce((s, v) => s + v, 0) / inFamily.length : null,
        buildSeconds,
        // a build from cached member sketches only clusters and writes the lists and head
        buildFromCachedSketches: membersCached,
        headBytes: indexBytes.head,
        listBytesTotal: indexBytes.lists,
        coldMsMean: mean((x) => x.coldMs),
        coldMsMax: max((x) => x.coldMs),
        warmMsMean: mean((x) => x.warmMs),
        warmMsMax: max((x) => x.warmMs),
        bytesPerQueryMean: mean((x) => x.bytes),
        bytesPerQueryMax: max((x) => x.bytes),
        requestsPerQuery: mean((x) => x.requests),
        recallAt10: mean((x) => x.recall),
        recallAt10Min: Math.min(...r.map((x) => x.recall)),
        recallAt10Overlap025: mean((x) => x.recall25),
        recallAt10Overlap01: mean((x) => x.recall10),
        strictRecallAt10: mean((x) => x.strictRecall),
        relevantInTop10: mean((x) => x.relevant),
        sourceTop1: r.filter((x) => x.sourceRank === 1).length / r.length,
        ...(where === 'chromium' ? { jsHeapBytesMax: max((x) => x.heapBytes ?? 0) } : { nodeHeapBytes: process.memoryUsage().heapUsed }),
      };
      generatedRows.push(row);
      console.log(
        `  ${where.padEnd(8)} cold ${row.coldMsMean.toFixed(0)} ms (max ${row.coldMsMax.toFixed(0)}), warm ${row.warmMsMean.toFixed(0)} ms, ${(row.bytesPerQueryMean / 1e6).toFixed(2)} MB/query (max ${(row.bytesPerQueryMax / 1e6).toFixed(2)}), recall@10 ${row.recallAt10.toFixed(3)} (min ${row.recallAt10Min}; overlap ≥ 0.25: ${row.recallAt10Overlap025.toFixed(3)}, ≥ 0.1: ${row.recallAt10Overlap01.toFixed(3)}, strict ${row.strictRecallAt10.toFixed(3)}; ${row.relevantInTop10.toFixed(1)} overlapping), source top-1 ${row.sourceTop1}`,
      );
    }
    served.delete(`${count}-${d}`);
    writeResults(false);
  }
}

await page?.close();
await server.close();
writeResults(true);
console.log(`wrote ${out}`);
