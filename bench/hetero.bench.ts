/**
 * `npm run bench:hetero`: search and reuse across feature spaces on the demo catalog's held-out
 * users (docs/heterogeneous.md §5). Each user's held-out file (label dropped) is searched as it is
 * and as people bring it (tests/shared/schema-variants.ts): extra id/noise columns, 1–3 columns
 * missing, every column renamed, renamed and in other units. Reported per variant and island:
 * top-1 identification of the source learnware, how often the mapping pairs every column the
 * variant has with its true island column (and the true unit), and the matching time per query.
 * Then the time matching takes against 1,000 islands (index only). `--quick`: the first 5 users of
 * each island. Writes bench/results/hetero(-quick).json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadCatalogIndex,
  marginalSignature,
  matchIslands,
  parseCsvBytes,
  Prng,
  searchCatalog,
  tableDataset,
  toFeatureMatrix,
  type CatalogIndex,
  type Island,
} from '../src/engine/index.js';
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
}
const tallies = new Map<string, Tally>();
const tally = (key: string) => {
  let t = tallies.get(key);
  if (!t) tallies.set(key, (t = { users: 0, top1: 0, mappedRight: 0, matchMs: [] }));
  return t;
};

for (const entry of users) {
  const table = parseCsvBytes(readFileSync(join(holdoutDir, entry.file)));
  const matrix = toFeatureMatrix(table, { dropColumns: [entry.labelColumn] });
  const island = index.islands.find((i) => i.id === islandOf.get(entry.id))!;
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
const results = Object.fromEntries(
  [...tallies].map(([key, t]) => [key, { users: t.users, top1: t.top1 / t.users, mappedRight: t.mappedRight / t.users, matchMsMedian: Number(median(t.matchMs).toFixed(3)) }]),
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
  matchingAt1000Islands: scale,
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', `hetero${quick ? '-quick' : ''}.json`), JSON.stringify(out, null, 2) + '\n');
for (const [key, r] of Object.entries(results))
  process.stdout.write(
    `${key.padEnd(18)} top-1 ${(100 * r.top1).toFixed(0).padStart(3)} %  mapping right ${(100 * r.mappedRight).toFixed(0).padStart(3)} %  match ${r.matchMsMedian} ms\n`,
  );
process.stdout.write(`top-1 relative to exact: ${JSON.stringify(relative)}\n`);
process.stdout.write(`matching, 1,000 islands: cold ${scale.coldMs} ms, warm median ${scale.warmMsMedian} ms (max ${scale.warmMsMax} ms)\n`);
