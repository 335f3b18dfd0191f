/**
 * Search across feature spaces on the demo catalog (docs/heterogeneous.md): the CLI's `search
 * --json` gives each island's mapping and coverage for a file with other names, other units, an
 * id and a date column; `--map` overrides the matching; and on held-out users, files brought as
 * people bring them find their source learnware about as often as the exact files.
 *
 * The searches run in this process (cliInProcess: main() with its output captured, one call at a
 * time); the bad --map stays a real subprocess of bin/learnware-dock.js, for its exit status.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadCatalogIndex, parseCsvBytes, searchCatalog, tableDataset, toFeatureMatrix, TsBackend, type CatalogIndex, type ColumnPair } from '../../src/engine/index.js';
import { cli } from '../helpers/cli.js';
import { cliInProcess } from '../helpers/cli-in-process.js';
import { directoryFetch, readHoldoutIndex, type HoldoutEntry } from '../shared/identification.js';
import { schemaVariant, type VariantKind } from '../shared/schema-variants.js';

let catalog: string;
let holdout: string;
let dir: string;
let held: HoldoutEntry[];
let index: CatalogIndex;
const base = 'file:///catalog/';

beforeAll(async () => {
  ({ catalog, holdout } = inject('freshDemoCatalog'));
  dir = mkdtempSync(join(tmpdir(), 'lwd-across-'));
  held = readHoldoutIndex(holdout);
  index = await loadCatalogIndex(directoryFetch(catalog), base);
});

/** Austin's held-out months as a person's file: a row number, a date, other names, volume in thousands of dollars. */
function austinAsBrought(): string {
  const lines = readFileSync(join(holdout, 'txhousing-austin.csv'), 'utf8').trimEnd().split('\n');
  const header = lines[0].split(',');
  const at = (name: string) => header.indexOf(name);
  const out = ['row,Date,Number_Of_Sales,sales_volume_kusd,active listings,MonthsInventory,Month,median'];
  lines.slice(1).forEach((line, i) => {
    const c = line.split(',');
    out.push([i + 1, `2015-${c[at('month')]}-01`, c[at('sales')], Number(c[at('volume')]) / 1000, c[at('listings')], c[at('inventory')], c[at('month')], c[at('median')]].join(','));
  });
  const file = join(dir, 'austin-as-brought.csv');
  writeFileSync(file, out.join('\n') + '\n');
  return file;
}

interface JsonIsland {
  island: string;
  mapping: { pairs: ColumnPair[]; missing: string[]; ignored: string[] };
  coverage: { used: number; of: number; fraction: number };
  singles: { id: string; score: number; rank: number }[];
}

describe('search across feature spaces', () => {
  it('search --json maps renamed columns in other units, ignores the id and date columns, and finds Austin', async () => {
    const result = await cliInProcess('search', '--catalog', catalog, '--data', austinAsBrought(), '--label-column', 'median', '--json');
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { islands: JsonIsland[]; skipped: string[] };
    expect(out.skipped).toEqual(['Date']);
    const housing = out.islands[0];
    expect(housing.singles[0].id).toBe('txhousing-austin');
    const pairs = Object.fromEntries(housing.mapping.pairs.map((p) => [p.user, p]));
    expect(Object.fromEntries(Object.entries(pairs).map(([u, p]) => [u, p.island]))).toEqual({
      Number_Of_Sales: 'sales',
      sales_volume_kusd: 'volume',
      'active listings': 'listings',
      MonthsInventory: 'inventory',
      Month: 'month',
    });
    expect(pairs.sales_volume_kusd.factor).toBe(1000);
    expect(pairs.Number_Of_Sales.factor).toBe(1);
    expect(pairs.Month.source).toBe('name');
    for (const p of housing.mapping.pairs) expect(p.confidence).toBeGreaterThan(0.2);
    expect(housing.mapping.ignored).toContain('row');
    expect(housing.mapping.missing).toEqual([]);
    expect(housing.coverage).toMatchObject({ used: 5, of: 5 });
    // the flights island shares only a month: reached, but ranked far below
    const flights = out.islands.find((i) => i.island !== housing.island);
    if (flights) expect(flights.singles[0].rank).toBeLessThan(housing.singles[0].rank / 3);
  });

  it('--map fixes pairs (with a unit) and --map-only uses nothing else; a bad --map is a clear error', async () => {
    const file = austinAsBrought();
    // the failing one a real subprocess (its exit status), started first to run on another core; the others in this process, in turn
    const badRun = cli('search', '--catalog', catalog, '--data', file, '--label-column', 'median', '--map', 'sales_volume_kusd=volume*0');
    const fixed = await cliInProcess(
      'search',
      '--catalog',
      catalog,
      '--data',
      file,
      '--label-column',
      'median',
      '--json',
      '--map',
      'sales_volume_kusd=volume*1000,Month=month',
      '--map-only',
    );
    const swapped = await cliInProcess('search', '--catalog', catalog, '--data', file, '--label-column', 'median', '--json', '--map', 'active listings=sales,Number_Of_Sales=listings');
    const unknown = await cliInProcess('search', '--catalog', catalog, '--data', file, '--label-column', 'median', '--map', 'nope=volume');
    const bad = await badRun;
    expect(fixed.code, fixed.stderr).toBe(0);
    const housing = (JSON.parse(fixed.stdout) as { islands: JsonIsland[] }).islands.find((i) => i.mapping.pairs.some((p) => p.island === 'volume'))!;
    expect(housing.mapping.pairs.map((p) => [p.user, p.island, p.factor, p.source])).toEqual([
      ['sales_volume_kusd', 'volume', 1000, 'given'],
      ['Month', 'month', 1, 'given'],
    ]);
    expect(housing.mapping.missing).toEqual(['sales', 'listings', 'inventory']);
    expect(housing.coverage).toMatchObject({ used: 2, of: 5 });

    // a wrong pairing fits badly: the housing island is still searched, through the user's pairs
    const pairs = (JSON.parse(swapped.stdout) as { islands: JsonIsland[] }).islands.find((i) => i.mapping.pairs.some((p) => p.island === 'volume'))!.mapping.pairs;
    expect(pairs.find((p) => p.user === 'active listings')).toMatchObject({ island: 'sales', source: 'given' });
    expect(pairs.find((p) => p.user === 'MonthsInventory')).toMatchObject({ island: 'inventory' });

    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error\[BAD_MAP\]/);
    expect(unknown.stderr).toMatch(/^error\[UNKNOWN_COLUMN\].*"nope"/);
  });

  it('held-out users brought with extra, renamed and re-unitised columns find their learnware as the exact files do', async () => {
    const backend = new TsBackend();
    const fetchFn = directoryFetch(catalog);
    // every sixth user keeps the test short; bench:hetero runs them all
    const users = held.filter((_, i) => i % 6 === 0);
    const top1 = new Map<VariantKind, number>();
    for (const entry of users) {
      const matrix = toFeatureMatrix(parseCsvBytes(readFileSync(join(holdout, entry.file))), { dropColumns: [entry.labelColumn] });
      for (const kind of ['exact', 'extra', 'renamed', 'units'] as const) {
        const found = await searchCatalog({ index, fetchFn, base, backend, data: tableDataset(schemaVariant(matrix, kind, entry.id)) });
        if (found[0].singles[0].id === entry.id) top1.set(kind, (top1.get(kind) ?? 0) + 1);
      }
    }
    const exact = top1.get('exact') ?? 0;
    expect(exact).toBeGreaterThan(users.length / 2);
    expect(top1.get('extra')).toBe(exact);
    expect(top1.get('renamed') ?? 0).toBeGreaterThanOrEqual(0.9 * exact);
    expect(top1.get('units') ?? 0).toBeGreaterThanOrEqual(0.75 * exact);
  });
});
