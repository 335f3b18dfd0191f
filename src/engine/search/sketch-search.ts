/**
 * Searching a sketch-layout island (catalog/sketch-index.ts) while downloading only small parts:
 *   1. the head (frequencies, list centroids), cached;
 *   2. the user's sketch, and the `probe` lists whose centroids are nearest to it;
 *   3. the `rerank` records of those lists nearest to the user's sketch (int8 distances);
 *   4. their exact specs, ranked by exact MMD² with the island search (statistical.ts), which also
 *      looks for a mixture among them;
 *   5. the cards (catalog entries) of the learnwares reported, filtered by the semantic query.
 * Every file is validated against the hash that points to it.
 */
import { FormatError, InputError } from '../core/errors.js';
import { PhaseReporter, type JobOptions } from '../core/progress.js';
import type { CatalogCard, Island } from '../catalog/catalog.js';
import { fetchValidated, resolveUrl, type FetchLike, type FileCache } from '../catalog/fetch.js';
import { cardPath, decodeHead, decodeList, listPath, specPath, type SketchHead, type SketchRecord } from '../catalog/sketch-index.js';
import { sketchingType } from '../catalog/sketch-index.js';
import type { StatSpec } from '../spec/spec-type.js';
import { searchIsland, type StatisticalResult } from './statistical.js';

export interface SketchSearchOptions extends JobOptions {
  /** inverted lists scanned (default DEFAULT_PROBE) */
  probe?: number;
  /** candidates re-ranked by exact MMD (default DEFAULT_RERANK) */
  rerank?: number;
  /** singles returned (default 10) */
  top?: number;
  /** keeps only the learnwares whose card passes (semantic filters) */
  accept?: (card: CatalogCard) => boolean;
  cache?: FileCache;
  /** parallel downloads (default 8) */
  concurrency?: number;
}

export interface SketchSearchResult extends StatisticalResult {
  /** the cards of the candidates, by position in the candidate list `singles` and `mixture` refer to */
  cards: (CatalogCard | null)[];
  /** the exact specs of the candidates, same positions */
  specs: StatSpec[];
  stats: { lists: number; scanned: number; specs: number; cards: number };
}

/** lists scanned per query: at 1M × d = 50 (1,000 lists of ~300 KB), 12 kept recall@10 0.975 as 16
 * did, with 8.1 MB per query instead of 9.5 (max 9.1 instead of 10.7) */
export const DEFAULT_PROBE = 12;
/** exact re-ranks per query: with 128 sketch pairs at d = 50, 160 kept 0.975 of the true top 10 in
 * families of ~3,900 (1M learnwares; 200 kept all), each re-ranked spec a 20 KB download */
export const DEFAULT_RERANK = 160;
const MAX_FILE = 64 * 2 ** 20;

export async function searchSketchIsland(fetchFn: FetchLike, base: string, island: Island, user: StatSpec, options: SketchSearchOptions = {}): Promise<SketchSearchResult> {
  if (!island.sketch) throw new InputError('NO_SKETCH', `island ${island.id} has no sketch index`);
  const { signal, cache } = options;
  const get = (file: string, kind: 'sketch' | 'list' | 'shard' | 'json', sha256: string, size?: number) =>
    fetchValidated(fetchFn, resolveUrl(base, file), { kind, maxBytes: MAX_FILE, sha256, size, signal, cache });
  const phase = (name: string, total: number) => new PhaseReporter(options.onProgress, 'search', name, total, 'steps');

  const loading = phase('index', 1);
  const head: SketchHead = decodeHead(await get(island.sketch.file, 'sketch', island.sketch.sha256, island.sketch.size));
  loading.finish();
  const { params } = head;
  const dims = 2 * params.pairs;
  const type = sketchingType(island);
  if (params.d !== island.d || params.gamma !== type.sketch.params(island, params.pairs, head.seed).gamma)
    throw new FormatError('BAD_SKETCH', `the sketch index of ${island.id} does not match its island`);
  const query = type.sketch.sketch(user, params);

  // nearest lists by centroid distance
  const C = head.lists.length;
  const centroidDistance = Float64Array.from({ length: C }, (_, c) => distance(query, head.centroids, c * dims, 1, dims));
  const order = [...centroidDistance.keys()].filter((c) => head.lists[c].count > 0).sort((a, b) => centroidDistance[a] - centroidDistance[b] || a - b);
  const probed = order.slice(0, Math.max(1, options.probe ?? DEFAULT_PROBE));
  const scanning = phase('lists', probed.length);
  const lists = await parallel(
    probed,
    options.concurrency ?? 8,
    async (c) => {
      const ref = head.lists[c];
      const records = decodeList(await get(listPath(ref.sha256), 'list', ref.sha256, ref.size), dims);
      if (records.length !== ref.count) throw new FormatError('BAD_SKETCH', `list ${c} of ${island.id} holds ${records.length} records, the head says ${ref.count}`);
      return records;
    },
    (done) => scanning.update(done),
  );
  scanning.finish();

  // approximate ranking on the int8 sketches, keeping the best `rerank`
  const R = Math.max(1, options.rerank ?? DEFAULT_RERANK);
  const best: { record: SketchRecord; d2: number }[] = [];
  let scanned = 0;
  for (const records of lists) {
    for (const record of records) {
      scanned++;
      const d2 = distance(query, record.codes, 0, record.step, dims);
      if (best.length < R) {
        best.push({ record, d2 });
        if (best.length === R) best.sort((a, b) => a.d2 - b.d2);
      } else if (d2 < best[R - 1].d2) {
        let i = R - 1;
        while (i > 0 && best[i - 1].d2 > d2) {
          best[i] = best[i - 1];
          i--;
        }
        best[i] = { record, d2 };
      }
    }
  }
  best.sort((a, b) => a.d2 - b.d2);

  const reranking = phase('rerank', best.length);
  const specs = await parallel(
    best,
    options.concurrency ?? 8,
    async ({ record }) => {
      const decoded = type.decodeShard(await get(specPath(record.specHash), 'shard', record.specHash));
      if (decoded.length !== 1 || !type.belongsTo(decoded[0], island)) throw new FormatError('BAD_SKETCH', `spec ${record.specHash} does not belong to ${island.id}`);
      return decoded[0];
    },
    (done) => reranking.update(done),
  );
  reranking.finish();

  const cards: (CatalogCard | null)[] = best.map(() => null);
  const loadCards = async (positions: number[]) => {
    const missing = positions.filter((p) => cards[p] === null);
    const loaded = await parallel(missing, options.concurrency ?? 8, async (p) => parseCard(await get(cardPath(best[p].record.cardHash), 'json', best[p].record.cardHash), island));
    missing.forEach((p, i) => (cards[p] = loaded[i]));
  };
  const top = options.top ?? 10;
  let candidates = best.map((_, i) => i);
  if (options.accept) {
    await loadCards(candidates);
    candidates = candidates.filter((p) => options.accept!(cards[p]!));
  }
  const result = searchIsland(
    type,
    user,
    candidates.map((p) => specs[p]),
    { settings: island.settings, top, selfInner: Float64Array.from(candidates, (p) => best[p].record.selfInner) },
  );
  // positions in `result` refer to `candidates`; map them back to positions in `best`
  const singles = result.singles.map((s) => ({ ...s, index: candidates[s.index] }));
  const mixture = result.mixture && { ...result.mixture, indices: result.mixture.indices.map((i) => candidates[i]) };
  await loadCards([...singles.map((s) => s.index), ...(mixture?.indices ?? [])]);
  return {
    singles,
    mixture,
    recommended: result.recommended,
    warnings: result.warnings,
    cards,
    specs,
    stats: { lists: probed.length, scanned, specs: best.length, cards: cards.filter((c) => c !== null).length },
  };
}

/** ‖q − step·v‖² over `dims` values of v starting at `offset`. */
function distance(q: Float64Array, v: ArrayLike<number>, offset: number, step: number, dims: number): number {
  let s = 0;
  for (let j = 0; j < dims; j++) {
    const t = q[j] - step * v[offset + j];
    s += t * t;
  }
  return s;
}

function parseCard(bytes: Uint8Array, island: Island): CatalogCard {
  let card: CatalogCard;
  try {
    card = JSON.parse(new TextDecoder().decode(bytes)) as CatalogCard;
  } catch {
    throw new FormatError('BAD_CARD', 'a learnware card is not valid JSON');
  }
  if (typeof card?.id !== 'string' || typeof card.name !== 'string' || card.island !== island.id || !/^bundles\/[0-9a-f]{64}\.zip$/.test(card.bundle?.file ?? '')) {
    throw new FormatError('BAD_CARD', `a learnware card of ${island.id} lacks an id, a name or a content-addressed bundle`);
  }
  return card;
}

/** Maps with at most `limit` promises in flight, keeping the order. */
async function parallel<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>, onDone?: (done: number) => void): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
