/**
 * `npm run bench:hetero`: search and reuse across feature spaces on the demo catalog's held-out
 * users (docs/heterogeneous.md §5). Each user's held-out file (label dropped) is searched as it is
 * and as people bring it (tests/shared/schema-variants.ts): extra id/noise columns, 1–3 columns
 * missing, every column renamed, renamed and in other units. Reported per variant and island:
 * top-1 identification of the source learnware, how often the mapping pairs every column the
 * variant has with its true island column (and the true unit), and the matching time per query.
 * `--quick`: the first 5 users of each island. Writes bench/results/hetero(.quick).json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalogIndex, matchIslands, parseCsvBytes, searchCatalog, tableDataset, toFeatureMatrix } from '../src/engine/index.js';
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
const results = Object.fromEntries(
  [...tallies].map(([key, t]) => [key, { users: t.users, top1: t.top1 / t.users, mappedRight: t.mappedRight / t.users, matchMsMedian: Number(median(t.matchMs).toFixed(3)) }]),
);
const relative = Object.fromEntries(
  [...tallies.keys()].filter((k) => !k.startsWith('exact/')).map((k) => [k, Number((tallies.get(k)!.top1 / Math.max(1, tallies.get(`exact/${k.split('/')[1]}`)!.top1)).toFixed(3))]),
);
const out = { machine: machineInfo(), backend: 'wasm (Node)', quick, catalog: 'public/catalog (npm run catalog:demo)', results, top1RelativeToExact: relative };
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', `hetero${quick ? '-quick' : ''}.json`), JSON.stringify(out, null, 2) + '\n');
for (const [key, r] of Object.entries(results))
  process.stdout.write(
    `${key.padEnd(18)} top-1 ${(100 * r.top1).toFixed(0).padStart(3)} %  mapping right ${(100 * r.mappedRight).toFixed(0).padStart(3)} %  match ${r.matchMsMedian} ms\n`,
  );
process.stdout.write(`top-1 relative to exact: ${JSON.stringify(relative)}\n`);
