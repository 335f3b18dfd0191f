/**
 * `npm run bench:hetero`: search and reuse across feature spaces on the demo catalog's held-out
 * users (docs/heterogeneous.md §5). Each user's held-out file (label dropped) is searched as it is
 * and as people bring it (tests/shared/schema-variants.ts): extra id/noise columns, 1–3 columns
 * missing, every column renamed, renamed and in other units. Reported per variant and island:
 * top-1 identification of the source learnware, how often the mapping pairs every column the
 * variant has with its true island column (and the true unit), the matching time per query, and
 * the reuse error of the top-1 single through its island's mapping (housing: RMSE relative to the
 * exact file's; flights: error rate). Beside ours, on the renamed-and-re-unitised files, the
 * reference-style aligner (an MLP from the user's columns to the source learnware's, trained to
 * minimise MMD² between the reduced sets; bench/mlp-aligner.ts) runs the source learnware, and so
 * does our mapping, so the two alignments are compared on the same model.
 * Then the time matching takes against 1,000 islands (index only). `--quick`: the first 5 users of
 * each island. Writes bench/results/hetero(-quick).json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildTableRkme,
  imputeColumnMeans,
  labelValues,
  loadCatalogIndex,
  loadLearnware,
  mappingAligner,
  marginalSignature,
  matchIslands,
  parseCsvBytes,
  predictLearnware,
  Prng,
  searchCatalog,
  tableDataset,
  toFeatureMatrix,
  type CatalogIndex,
  type Island,
  type Learnware,
  type Predictions,
  type RkmeTableSpec,
} from '../src/engine/index.js';
import { forward, moments, standardise, trainAligner, unstandardise } from './mlp-aligner.js';
import { nodeBackend } from '../src/cli/node-backend.js';
import { directoryFetch, readHoldoutIndex } from '../tests/shared/identification.js';
import { schemaVariant, VARIANTS, type VariantKind } from '../tests/shared/schema-variants.js';
import { machineInfo } from './machine.js';
import { flag } from './options.js';

const ROOT = join(import.meta.dirname, '..');
const quick = flag('quick');
const catalogDir = join(ROOT, 'public', 'catalog');
const holdoutDir = join(ROOT, 'public', 'catalog-holdout');
const base = 'file:///catalog/';
const fetchFn = directoryFetch(catalogDir);
const index = await loadCatalogIndex(fetchFn, base);
const { backend } = await nodeBackend('wasm');

const entries = readHoldoutIndex(holdoutDir);
const islandOf = new Map(index.entries.map((e) => [e.id, e.island]));
const byIsland = new Map<string, typeof entries>();
for (const e of entries) byIsland.set(islandOf.get(e.id)!, [...(byIsland.get(islandOf.get(e.id)!) ?? []), e]);
const users = [...byIsland.values()].flatMap((list) => (quick ? list.slice(0, 5) : list));

interface Tally {
  users: number;
  top1: number;
  mappedRight: number;
  matchMs: number[];
  /** per user: the reuse error of the top-1 single through the mapping */
  error: number[];
}

const learnwares = new Map<string, Learnware>();
async function learnware(file: string): Promise<Learnware> {
  let lw = learnwares.get(file);
  if (!lw) learnwares.set(file, (lw = await loadLearnware(readFileSync(join(catalogDir, file)))));
  return lw;
}

/** Housing: RMSE; flights: the error rate at 0.5. */
function reuseError(p: Predictions, labels: (number | string | null)[]): number {
  let sum = 0;
  let n = 0;
  labels.forEach((y, r) => {
    if (y === null) return;
    const t = Number(y);
    if (p.kind === 'regression') sum += (p.values[r] - t) ** 2;
    else sum += Number((p.values[r * 2 + 1] > 0.5 ? 1 : 0) !== t);
    n++;
  });
  return p.kind === 'regression' ? Math.sqrt(sum / n) : sum / n;
}

/** The reference-style aligner: an MLP from the variant's columns onto the learnware's, fitted on reduced sets (standardised, as it fits best). */
async function mlpAligned(lw: Learnware, values: Float64Array, rows: number, cols: number): Promise<Float64Array> {
  const spec = lw.spec as RkmeTableSpec;
  const { spec: user } = (await buildTableRkme(backend, values, rows, cols, { K: 50, seed: 1 })) as { spec: RkmeTableSpec };
  const inS = moments(user.z, user.beta, user.K, cols);
  const outS = moments(spec.z, spec.beta, spec.K, spec.d);
  const fit = trainAligner(standardise(user.z, cols, inS), user.beta, user.K, cols, standardise(spec.z, spec.d, outS), spec.beta, spec.K, spec.d, {
    hidden: quick ? 128 : 1024,
    epochs: 50,
    lr: 1e-3,
    gamma: 0.1,
    seed: 1,
  });
  return unstandardise(forward(fit.mlp, standardise(values, cols, inS), rows), spec.d, outS);
}

const baseline = { ours: [] as number[], mlp: [] as number[], exact: [] as number[], ids: [] as string[] };
const tallies = new Map<string, Tally>();
const tally = (key: string) => {
  let t = tallies.get(key);
  if (!t) tallies.set(key, (t = { users: 0, top1: 0, mappedRight: 0, matchMs: [], error: [] }));
  return t;
};

for (const entry of users) {
  const table = parseCsvBytes(readFileSync(join(holdoutDir, entry.file)));
  const matrix = toFeatureMatrix(table, { dropColumns: [entry.labelColumn] });
  // a few held-out months lack a cell: column means, as `--fill-missing` does, so that every variant can be reused
  matrix.values = imputeColumnMeans(matrix.values, matrix.rows, matrix.cols).values;
  const labels = labelValues(table, entry.labelColumn);
  const island = index.islands.find((i) => i.id === islandOf.get(entry.id))!;
  let exactError = NaN;
  for (const kind of VARIANTS) {
    const variant = schemaVariant(matrix, kind, entry.id);
    const data = tableDataset(variant);
    const started = performance.now();
    matchIslands(index, data);
    const matchMs = performance.now() - started;
    const found = await searchCatalog({ index, fetchFn, base, backend, data });
    const own = found.find((r) => r.island === island.id);
    const t = tally(`${kind}/${island.features.length === 4 ? 'flights' : 'housing'}`);
    t.users++;
    t.matchMs.push(matchMs);
    if (found[0]?.singles[0]?.id === entry.id) t.top1++;
    if (own?.mapping && mappingIsRight(kind, own.mapping.pairs, variant.featureNames)) t.mappedRight++;
    else if (own?.mapping && !quick) process.stderr.write(`${entry.id} ${kind}: ${own.mapping.pairs.map((p) => `${p.user}→${p.island}×${p.factor.toPrecision(3)}`).join(', ')}\n`);
    // reuse: the top-1 single of the best island, through that island's mapping
    const top = found[0];
    const lw = await learnware(top.singles[0].bundle.file);
    const error = reuseError(await predictLearnware(lw, variant.values, variant.rows, variant.featureNames, { aligner: mappingAligner(top.mapping!, lw.spec) }), labels);
    if (kind === 'exact') exactError = error;
    t.error.push(island.features.length === 4 ? error : error / exactError);
    if (kind === 'units' && own?.mapping) {
      // the two alignments on the same model: the source learnware
      const source = await learnware(index.entries.find((e) => e.id === entry.id)!.bundle.file);
      const exact = reuseError(await predictLearnware(source, matrix.values, matrix.rows, matrix.featureNames), labels);
      const ours = reuseError(await predictLearnware(source, variant.values, variant.rows, variant.featureNames, { aligner: mappingAligner(own.mapping, source.spec) }), labels);
      const x = await mlpAligned(source, variant.values, variant.rows, variant.cols);
      const mlp = reuseError(await predictLearnware(source, x, variant.rows, source.manifest.model.input.features), labels);
      baseline.exact.push(exact);
      baseline.ours.push(ours);
      baseline.mlp.push(mlp);
      baseline.ids.push(entry.id);
    }
  }
}

/** Whether every pair joins a column with its true island column at its true unit factor. */
function mappingIsRight(kind: VariantKind, pairs: { user: string; island: string; factor: number }[], userColumns: string[]): boolean {
  const truth: Record<string, [string, number]> = {
    Number_Of_Sales: ['sales', 1],
    SalesVolume: ['volume', 1],
    'active listings': ['listings', 1],
    MonthsInventory: ['inventory', 1],
    Month: ['month', 1],
    dep_hour: ['hour', 1],
    DayOfWeek: ['weekday', 1],
    Dist: ['distance', 1],
    sales_volume_kusd: ['volume', 1000],
    inventory_years: ['inventory', 12],
    distance_km: ['distance', 1 / 1.609344],
  };
  const expected = userColumns.filter((c) => c !== 'row_id' && c !== 'noise');
  if (pairs.length !== expected.length) return false;
  return pairs.every((p) => {
    const [column, factor] = Object.hasOwn(truth, p.user) ? truth[p.user] : [p.user, 1];
    return p.island === column && Math.abs(p.factor / factor - 1) < 1e-6 && (kind !== 'extra' || expected.includes(p.user));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * Scale: matching against an index of 1,000 islands (each 5–50 columns drawn from 4,000 named,
 * described columns with signatures of random shapes; 30 % of the names start with a word common
 * across topics, among them the demo's own "sales", "volume", "listings", "month"), cold (index
 * words gathered on first use) and warm, for the Austin held-out file renamed; only the index is read.
 */
function scaleIndex(islands: number): CatalogIndex {
  const prng = new Prng(7);
  // words shared across topics (some of them the demo's own) and topic words of no one else
  const common = ['price', 'count', 'rate', 'total', 'average', 'month', 'year', 'days', 'sales', 'volume', 'listings', 'number', 'value', 'size'];
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pu', 'ga', 'de'];
  const topic = Array.from({ length: 600 }, (_, i) => syllables[i % 12] + syllables[Math.floor(i / 12) % 12] + syllables[Math.floor(i / 144) % 12]);
  const vocabulary = Array.from({ length: 4000 }, (_, i) => {
    const a = prng.nextFloat() < 0.3 ? common[prng.nextInt(common.length)] : topic[prng.nextInt(topic.length)];
    const b = topic[prng.nextInt(topic.length)];
    const sample = Float64Array.from({ length: 200 }, () => Math.exp(prng.nextNormal() * (0.2 + prng.nextFloat())) * (1 + i));
    return { name: `${a}_${b}`, description: `${a} of the ${b}`, signature: marginalSignature(sample) };
  });
  const template = index.islands[0];
  return {
    ...index,
    entries: [],
    islands: Array.from({ length: islands }, (_, k): Island => {
      const d = 5 + prng.nextInt(46);
      const columns = Array.from(prng.sampleWithoutReplacement(vocabulary.length, d), (i) => ({ ...vocabulary[i] }));
      return { ...template, id: `synthetic-${k}`, d, features: columns.map((c) => c.name), columns, settings: { gamma: 0.1, scale: null }, count: 1 };
    }),
  };
}
const austin = toFeatureMatrix(parseCsvBytes(readFileSync(join(holdoutDir, 'txhousing-austin.csv'))), { dropColumns: ['median'] });
const austinRenamed = tableDataset(schemaVariant(austin, 'units', 'txhousing-austin'));
const big = scaleIndex(1000);
let t0 = performance.now();
matchIslands(big, austinRenamed);
const coldMs = performance.now() - t0;
const warm: number[] = [];
for (let i = 0; i < 20; i++) {
  t0 = performance.now();
  matchIslands(big, austinRenamed);
  warm.push(performance.now() - t0);
}
const scale = {
  islands: 1000,
  columnsPerIsland: '5–50',
  coldMs: Number(coldMs.toFixed(1)),
  warmMsMedian: Number(median(warm).toFixed(1)),
  warmMsMax: Number(Math.max(...warm).toFixed(1)),
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const results = Object.fromEntries(
  [...tallies].map(([key, t]) => [
    key,
    {
      users: t.users,
      top1: t.top1 / t.users,
      mappedRight: t.mappedRight / t.users,
      matchMsMedian: Number(median(t.matchMs).toFixed(3)),
      // housing: the top-1 single's RMSE relative to the exact file's, median over users; flights: the error rate, mean over users
      reuseError: Number((key.endsWith('housing') ? median(t.error) : mean(t.error)).toFixed(4)),
    },
  ]),
);
/** Per island: the source learnware's error on the renamed, re-unitised files through our mapping and through the MLP aligner, relative to the exact file's. */
const alignerBaseline = Object.fromEntries(
  ['housing', 'flights'].map((group) => {
    const at = baseline.ids.flatMap((id, i) => (id.startsWith(group === 'housing' ? 'txhousing' : 'flights') ? [i] : []));
    const rel = (xs: number[]) => Number(median(at.map((i) => xs[i] / baseline.exact[i])).toFixed(3));
    return [
      group,
      { users: at.length, oursOverExact: rel(baseline.ours), mlpAlignerOverExact: rel(baseline.mlp), metric: group === 'housing' ? 'RMSE, median ratio' : 'error rate, median ratio' },
    ];
  }),
);
const relative = Object.fromEntries(
  [...tallies.keys()].filter((k) => !k.startsWith('exact/')).map((k) => [k, Number((tallies.get(k)!.top1 / Math.max(1, tallies.get(`exact/${k.split('/')[1]}`)!.top1)).toFixed(3))]),
);
const out = {
  machine: machineInfo(),
  backend: 'wasm (Node)',
  quick,
  catalog: 'public/catalog (npm run catalog:demo)',
  results,
  top1RelativeToExact: relative,
  alignerBaseline,
  matchingAt1000Islands: scale,
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', `hetero${quick ? '-quick' : ''}.json`), JSON.stringify(out, null, 2) + '\n');
for (const [key, r] of Object.entries(results)) {
  const error = key.endsWith('housing') ? `RMSE × ${r.reuseError} of exact` : `error rate ${r.reuseError}`;
  process.stdout.write(
    `${key.padEnd(18)} top-1 ${(100 * r.top1).toFixed(0).padStart(3)} %  mapping right ${(100 * r.mappedRight).toFixed(0).padStart(3)} %  match ${r.matchMsMedian} ms  reuse ${error}\n`,
  );
}
process.stdout.write(`aligners on the source learnware (renamed, other units; error / exact file's): ${JSON.stringify(alignerBaseline)}\n`);
process.stdout.write(`top-1 relative to exact: ${JSON.stringify(relative)}\n`);
process.stdout.write(`matching, 1,000 islands: cold ${scale.coldMs} ms, warm median ${scale.warmMsMedian} ms (max ${scale.warmMsMax} ms)\n`);
