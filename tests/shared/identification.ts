/**
 * Identification accuracy of catalog search on held-out data: for every learnware of a catalog
 * whose held-out rows lie in a holdout directory (scripts/build-demo-catalog.ts writes one), the
 * held-out rows, label column dropped, are the user's table; `searchCatalog` ranks the learnwares
 * of the matching island, and the rank of the source learnware among the singles is recorded.
 * Plain TypeScript (node:fs, the engine): used by the unit test and usable from a tsx bench script.
 *
 * Holdout directory: index.json `{"entries": [{"id", "file", "rows", "labelColumn", ...}]}` and
 * one CSV per entry (features and the label column, with a header row).
 */
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { HoldoutEntry } from '../../scripts/demo-sources.js';
import { loadCatalogIndex, parseCsvBytes, searchCatalog, tableDataset, toFeatureMatrix, type CatalogIndex, type ComputeBackend, type FetchLike } from '../../src/engine/index.js';

export type { HoldoutEntry };

export interface IdentificationCounts {
  users: number;
  /** share of users whose source learnware is ranked first */
  top1: number;
  /** share of users whose source learnware is among the first five */
  top5: number;
}

export interface IdentificationResult extends IdentificationCounts {
  /** by island id (as in catalog.json) */
  perIsland: Record<string, IdentificationCounts>;
  /** every user whose source learnware is not ranked first: its rank and the id ranked first */
  misses: { id: string; rank: number; top: string }[];
}

export interface IdentificationOptions {
  /** use at most the first maxRows held-out rows of each file */
  maxRows?: number;
}

export function readHoldoutIndex(holdoutDir: string): HoldoutEntry[] {
  return (JSON.parse(readFileSync(join(holdoutDir, 'index.json'), 'utf8')) as { entries: HoldoutEntry[] }).entries;
}

/** Serves a catalog directory to the engine's validated fetch path at base `file:///catalog/`. */
export function directoryFetch(root: string): FetchLike {
  const types: Record<string, string> = { '.json': 'application/json', '.bin': 'application/octet-stream', '.zip': 'application/zip' };
  return async (url) => {
    const path = decodeURIComponent(new URL(url).pathname).replace(/^\/catalog\//, '');
    try {
      return new Response(readFileSync(join(root, path)), { status: 200, headers: { 'content-type': types[extname(path)] ?? 'application/octet-stream' } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
}

/** Rank (1-based) of `id` among the singles a user made of the held-out rows of `entry` gets. */
export async function identify(
  entry: HoldoutEntry,
  holdoutDir: string,
  search: { index: CatalogIndex; fetchFn: FetchLike; base: string; backend: ComputeBackend },
  options: IdentificationOptions = {},
): Promise<{ island: string; rank: number; top: string }> {
  const table = parseCsvBytes(readFileSync(join(holdoutDir, entry.file)));
  const matrix = toFeatureMatrix(table, { dropColumns: [entry.labelColumn] });
  const rows = Math.min(matrix.rows, options.maxRows ?? matrix.rows);
  const islands = await searchCatalog({ ...search, data: tableDataset({ ...matrix, values: matrix.values.subarray(0, rows * matrix.cols), rows }) });
  for (const island of islands) {
    const at = island.singles.findIndex((s) => s.id === entry.id);
    if (at >= 0) return { island: island.island, rank: at + 1, top: island.singles[0].id };
  }
  throw new Error(`${entry.id} is not among the learnwares ranked for its held-out rows (islands ${islands.map((i) => i.island).join(', ')})`);
}

export async function identificationAccuracy(catalogDir: string, holdoutDir: string, backend: ComputeBackend, options: IdentificationOptions = {}): Promise<IdentificationResult> {
  const base = 'file:///catalog/';
  const fetchFn = directoryFetch(catalogDir);
  const index = await loadCatalogIndex(fetchFn, base);
  const known = new Set(index.entries.map((e) => e.id));
  const ranks: { id: string; island: string; rank: number; top: string }[] = [];
  for (const entry of readHoldoutIndex(holdoutDir)) {
    if (!known.has(entry.id)) throw new Error(`held-out file ${entry.file} names ${entry.id}, which is not in the catalog`);
    ranks.push({ id: entry.id, ...(await identify(entry, holdoutDir, { index, fetchFn, base, backend }, options)) });
  }
  const counts = (list: typeof ranks): IdentificationCounts => ({
    users: list.length,
    top1: list.length ? list.filter((r) => r.rank === 1).length / list.length : 0,
    top5: list.length ? list.filter((r) => r.rank <= 5).length / list.length : 0,
  });
  const perIsland: Record<string, IdentificationCounts> = {};
  for (const island of [...new Set(ranks.map((r) => r.island))].sort()) perIsland[island] = counts(ranks.filter((r) => r.island === island));
  return { ...counts(ranks), perIsland, misses: ranks.filter((r) => r.rank > 1).map(({ id, rank, top }) => ({ id, rank, top })) };
}
