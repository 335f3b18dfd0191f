/**
 * npm run bench:mixture — does the mixture search name both sources of a two-group user
 * (docs/search.md, "Mixtures"; docs/algorithms.md §4.6)? Users: the held-out rows
 * (public/catalog-holdout) of two learnwares of the same demo island — two housing cities, or
 * two flights airports — pooled, in the shares 50/50 and 70/30 (the minor source subsampled,
 * rows drawn by a seeded Prng). Each user is searched in its island with
 *   - ours: `searchIsland` (statistical.ts), greedy and auto, as the dock runs it, and the plain
 *     greedy it used before (`mixtureKeepNoise: 0`);
 *   - the reference: a plain-TS port of its greedy mixture (decay 0.95, at most 5 members, the
 *     first 25 singles, members returned whatever their weight) and of its searcher's rule that
 *     drops the mixture when its min–max score equals the top single's to the hundredth
 *     (`referenceScores`); written here from docs/algorithms.md §4.6, not taken from the engine;
 *     "reference greedy" counts its greedy mixture without that drop, the fairer rival.
 * Counted per island and share: users whose mixture exists, names both sources, names both with at
 * least 5 % weight each (ours only: the reference discards weights), and whose mixture the search
 * recommends. Deterministic: pairs and rows come from seeded Prngs, the search is exact.
 * Writes bench/results/mixture.json (or mixture-quick.json), with machine info.
 * Options: --quick (fewer pairs), --pairs n (pairs per island and share).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loadCatalogIndex,
  loadShard,
  MIN_MIXTURE_WEIGHT,
  parseCsvBytes,
  Prng,
  referenceScores,
  searchIsland,
  solveSimplexQp,
  specType,
  tableDataset,
  toFeatureMatrix,
  type StatSpec,
} from '../src/engine/index.js';
import { nodeBackend } from '../src/cli/node-backend.js';
import { directoryFetch, readHoldoutIndex, type HoldoutEntry } from '../tests/shared/identification.js';
import { machineInfo } from './machine.js';
import { flag, option } from './options.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quick = flag('quick');
const PAIRS = Number(option('pairs') ?? (quick ? 12 : 60));
if (!Number.isInteger(PAIRS) || PAIRS < 1) throw new Error(`--pairs must be a positive integer, got ${option('pairs')}`);
const SHARES = [0.5, 0.7];
/** flights: rows of the major source per user (the minor gets its share); housing: all of a city's held-out rows */
const FLIGHT_ROWS = 600;
const log = (line: string) => process.stdout.write(line + '\n');
const started = performance.now();

const catalogDir = join(ROOT, 'public', 'catalog');
const holdoutDir = join(ROOT, 'public', 'catalog-holdout');
if (!existsSync(join(catalogDir, 'catalog.json')) || !existsSync(join(holdoutDir, 'index.json'))) {
  log('building the demo catalog …');
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'build-demo-catalog.ts'), '--if-missing'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}
const { backend } = await nodeBackend('wasm');
const fetchFn = directoryFetch(catalogDir);
const base = 'file:///catalog/';
const index = await loadCatalogIndex(fetchFn, base);
const holdout = readHoldoutIndex(holdoutDir);

// ---------------------------------------------------------------------------------------------
// The reference's greedy mixture and its searcher's mixture rules (docs/algorithms.md §4.6)

interface ReferenceMixture {
  /** candidate positions, in the order greedy added them */
  members: number[];
  /** the QP weights it computes for them (and throws away) */
  weights: number[];
  mmd2: number;
}

/** Greedy: each round adds the candidate whose mixture MMD² is lowest, kept while ≤ 0.95 × the best so far. */
function referenceGreedy(userSelf: number, cross: Float64Array, gram: Float64Array, maxSize = 5): ReferenceMixture {
  const m = cross.length;
  const distance = (members: number[]) => {
    const k = members.length;
    const H = new Float64Array(k * k);
    const c = Float64Array.from(members, (a) => cross[a]);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) H[i * k + j] = gram[members[i] * m + members[j]];
    const solved = solveSimplexQp(H, c);
    return { d: userSelf + 2 * solved.objective, weights: Array.from(solved.beta) };
  };
  const selected: number[] = [];
  let best = Infinity;
  let weights: number[] = [];
  for (let round = 0; round < Math.min(maxSize, m); round++) {
    let pick = -1;
    let pickDistance = Infinity;
    let pickWeights: number[] = [];
    for (let candidate = 0; candidate < m; candidate++) {
      if (selected.includes(candidate)) continue;
      const { d, weights: w } = distance([...selected, candidate]);
      if (d < pickDistance) {
        pick = candidate;
        pickDistance = d;
        pickWeights = w;
      }
    }
    if (pick < 0 || (selected.length > 0 && !(pickDistance <= 0.95 * best))) break;
    selected.push(pick);
    best = pickDistance;
    weights = pickWeights;
  }
  return { members: selected, weights, mmd2: best };
}

/** The reference searcher on one island: its singles' order and its mixture (or null), as ids' positions. */
function referenceSearch(
  type: ReturnType<typeof specType>,
  user: StatSpec,
  specs: readonly StatSpec[],
  settings: unknown,
): { mixture: number[] | null; greedy: number[] | null; weights: number[] } {
  const inner = (a: StatSpec, b: StatSpec) => type.innerProduct(a, b, settings as never);
  const userSelf = inner(user, user);
  const cross = specs.map((s) => inner(user, s));
  const ranked = specs.map((s, i) => ({ i, d: userSelf - 2 * cross[i] + inner(s, s) })).sort((a, b) => a.d - b.d);
  if (!(ranked[0].d > 0)) return { mixture: null, greedy: null, weights: [] };
  const candidates = ranked.slice(0, 25);
  const m = candidates.length;
  const gram = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) gram[a * m + b] = inner(specs[candidates[a].i], specs[candidates[b].i]);
  const found = referenceGreedy(
    userSelf,
    Float64Array.from(candidates, (c) => cross[c.i]),
    gram,
  );
  if (found.members.length < 2) return { mixture: null, greedy: null, weights: [] };
  const greedy = found.members.map((p) => candidates[p].i);
  const scores = referenceScores([...ranked.map((r) => r.d), found.mmd2].sort((a, b) => a - b));
  // the mixture's score is the one at its distance's place in the sorted list
  const all = [...ranked.map((r) => r.d), found.mmd2].sort((a, b) => a - b);
  const mixtureScore = scores[all.indexOf(found.mmd2)];
  const topScore = referenceScores(ranked.map((r) => r.d))[0];
  if (Math.floor(100 * mixtureScore) === Math.floor(100 * topScore)) return { mixture: null, greedy, weights: found.weights };
  return { mixture: greedy, greedy, weights: found.weights };
}

// ---------------------------------------------------------------------------------------------
// Mixture users

interface Held {
  entry: HoldoutEntry;
  /** rows × d in the island's feature order */
  values: Float64Array;
  rows: number;
}

function readHeld(entry: HoldoutEntry): Held {
  const table = parseCsvBytes(readFileSync(join(holdoutDir, entry.file)));
  const matrix = toFeatureMatrix(table, { dropColumns: [entry.labelColumn] });
  if (matrix.featureNames.join() !== entry.features.join()) throw new Error(`${entry.file}: columns differ from the island's`);
  // complete rows only (a few housing months lack a value): no imputation to blur the sources
  const d = matrix.cols;
  const complete = Array.from({ length: matrix.rows }, (_, r) => r).filter((r) => matrix.values.subarray(r * d, (r + 1) * d).every(Number.isFinite));
  const values = new Float64Array(complete.length * d);
  complete.forEach((r, k) => values.set(matrix.values.subarray(r * d, (r + 1) * d), k * d));
  return { entry, values, rows: complete.length };
}

/** `count` distinct rows of `held`, seeded (all of them, shuffled, when count ≥ rows). */
function drawRows(held: Held, count: number, prng: Prng): Float64Array {
  const order = Array.from({ length: held.rows }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(prng.nextFloat() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const d = held.entry.features.length;
  const take = order.slice(0, Math.min(count, held.rows));
  const out = new Float64Array(take.length * d);
  take.forEach((r, k) => out.set(held.values.subarray(r * d, (r + 1) * d), k * d));
  return out;
}

interface Counts {
  users: number;
  found: number;
  bothNamed: number;
  /** both named, each carrying weight (≥ MIN_MIXTURE_WEIGHT) in the mixture's own QP fit */
  bothCarry?: number;
  /** both named, each with ≥ 5 % weight */
  bothWeighted?: number;
  /** ours: the search recommends the mixture and it names both */
  recommendedBoth?: number;
  meanSize: number;
}

const blank = (): Counts => ({ users: 0, found: 0, bothNamed: 0, meanSize: 0 });
const results: Record<string, Record<string, Record<'ours' | 'oursBefore' | 'oursAuto' | 'reference' | 'referenceGreedy', Counts>>> = {};
const misses: { island: string; share: number; sources: string[]; ours: string[]; reference: string[] }[] = [];

for (const island of index.islands) {
  const type = specType(island.type);
  const entries = index.entries.filter((e) => e.island === island.id);
  const shard = await loadShard(fetchFn, base, island);
  const specs = entries.map((e) => shard[e.shardIndex]);
  const group = entries[0].id.replace(/-.*/, '');
  const held = entries
    .map((e) => holdout.find((h) => h.id === e.id))
    .filter((h): h is HoldoutEntry => h !== undefined)
    .map(readHeld);
  const d = island.features.length;
  results[group] = {};
  for (const share of SHARES) {
    const counts = { ours: blank(), oursBefore: blank(), oursAuto: blank(), reference: blank(), referenceGreedy: blank() };
    const prng = new Prng(fnv(`${island.id} ${share}`));
    const seen = new Set<string>();
    for (let attempt = 0; counts.ours.users < Math.min(PAIRS, (held.length * (held.length - 1)) / 2) && attempt < 50 * PAIRS; attempt++) {
      const a = Math.floor(prng.nextFloat() * held.length);
      const b = Math.floor(prng.nextFloat() * held.length);
      const key = share === 0.5 ? [a, b].sort().join() : `${a},${b}`;
      if (a === b || seen.has(key)) continue;
      seen.add(key);
      const [major, minor] = [held[a], held[b]];
      const majorRows = group === 'flights' ? FLIGHT_ROWS : major.rows;
      const minorRows = Math.max(5, Math.round((majorRows * (1 - share)) / share));
      const x = concat(drawRows(major, majorRows, prng), drawRows(minor, minorRows, prng));
      const rows = x.length / d;
      const user = await type.userSpec(backend, tableDataset({ values: x, rows, cols: d, featureNames: island.features }), island, {});
      const sources = [major.entry.id, minor.entry.id];
      const sourceIdx = sources.map((id) => entries.findIndex((e) => e.id === id));
      const tally = (c: Counts, members: number[] | null, weights?: number[], recommended?: boolean) => {
        c.users++;
        if (!members) return false;
        c.found++;
        c.meanSize += members.length;
        const both = sourceIdx.every((s) => members.includes(s));
        if (both) c.bothNamed++;
        if (weights) {
          const carried = (floor: number) => both && sourceIdx.every((s) => weights[members.indexOf(s)] >= floor);
          c.bothCarry = (c.bothCarry ?? 0) + (carried(MIN_MIXTURE_WEIGHT) ? 1 : 0);
          c.bothWeighted = (c.bothWeighted ?? 0) + (carried(0.05) ? 1 : 0);
          if (recommended !== undefined) c.recommendedBoth = (c.recommendedBoth ?? 0) + (both && recommended ? 1 : 0);
        }
        return both;
      };
      const ours = searchIsland(type, user, specs, { settings: island.settings });
      const oursBefore = searchIsland(type, user, specs, { settings: island.settings, mixtureKeepNoise: 0 });
      const oursAuto = searchIsland(type, user, specs, { settings: island.settings, mixtureMethod: 'auto' });
      const reference = referenceSearch(type, user, specs, island.settings);
      const oursBoth = tally(counts.ours, ours.mixture?.indices ?? null, ours.mixture?.weights, ours.recommended === 'mixture');
      tally(counts.oursBefore, oursBefore.mixture?.indices ?? null, oursBefore.mixture?.weights, oursBefore.recommended === 'mixture');
      tally(counts.oursAuto, oursAuto.mixture?.indices ?? null, oursAuto.mixture?.weights, oursAuto.recommended === 'mixture');
      tally(counts.reference, reference.mixture);
      const refBoth = tally(counts.referenceGreedy, reference.greedy, reference.weights);
      if (refBoth && !oursBoth)
        misses.push({
          island: group,
          share,
          sources,
          ours: (ours.mixture?.indices ?? []).map((i, k) => `${entries[i].id} ${ours.mixture!.weights[k].toFixed(3)}`),
          reference: (reference.greedy ?? []).map((i) => entries[i].id),
        });
    }
    for (const c of Object.values(counts)) c.meanSize = c.found ? c.meanSize / c.found : 0;
    results[group][String(share)] = counts;
    const line = (name: string, c: Counts) =>
      `${name} ${c.bothNamed}/${c.users} both named (found ${c.found}${c.bothWeighted !== undefined ? `, both carry weight ${c.bothCarry}, both ≥ 5 % ${c.bothWeighted}` : ''}${c.recommendedBoth !== undefined ? `, recommended and both ${c.recommendedBoth}` : ''}, mean size ${c.meanSize.toFixed(2)})`;
    log(
      `${group} ${Math.round(100 * share)}/${Math.round(100 * (1 - share))}: ${line('ours', counts.ours)}; ${line('before (plain greedy)', counts.oursBefore)}; ${line('auto', counts.oursAuto)}; ${line('reference', counts.reference)}; ${line('reference greedy alone', counts.referenceGreedy)}`,
    );
  }
}
for (const m of misses.slice(0, 20))
  log(`  reference names both, ours not: ${m.island} ${m.share} ${m.sources.join(' + ')} → ours [${m.ours.join(', ')}], reference [${m.reference.join(', ')}]`);

const out = join(ROOT, 'bench', 'results', quick ? 'mixture-quick.json' : 'mixture.json');
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    {
      benchmark: 'mixture',
      quick,
      machine: machineInfo(),
      seconds: (performance.now() - started) / 1000,
      description:
        'Two-source users: held-out rows of two learnwares of one demo island pooled (share = the first source’s share of the rows; flights: 600 rows of the first source). bothNamed = the mixture lists both sources; bothCarry = both carry weight (≥ MIN_MIXTURE_WEIGHT, 0.5 %) in the mixture’s own QP fit (for the reference: the weights it computes and discards); bothWeighted = both with ≥ 5 % weight; recommendedBoth = the search recommends the mixture and it lists both. ours = searchIsland greedy (oursBefore: mixtureKeepNoise 0, the plain greedy it replaced; oursAuto: mixtureMethod auto); reference = a port of the reference searcher: its greedy mixture (members named whatever their weight) and its drop of a mixture whose min–max score equals the top single’s to the hundredth; referenceGreedy = the greedy mixture alone, without that drop (docs/algorithms.md §4.6). misses: users whose sources the reference greedy names and ours does not.',
      pairsPerShare: PAIRS,
      results,
      misses,
    },
    null,
    2,
  ) + '\n',
);
log(`wrote ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
