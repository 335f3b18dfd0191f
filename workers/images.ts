/**
 * Images in the spec worker (docs/image.md §1–§3): the images' features ψ, computed once per data
 * set on the worker's compute backend (a spec build computes them as it goes; reuse reads them as
 * the rows its methods see), and the reduced images of the learnwares a search found, for the
 * page's picture of the match (the catalog's image shard keeps each learnware's Z).
 */
import type { JobOptions } from '../src/engine/core/progress.js';
import type { ComputeBackend } from '../src/engine/kernels/backend.js';
import type { ImageDataset } from '../src/engine/data/image.js';
import { loadShard, type FetchLike, type FileCache } from '../src/engine/catalog/fetch.js';
import type { CatalogIndex } from '../src/engine/catalog/catalog.js';
import type { CatalogSearchIsland } from '../src/engine/search/catalog-search.js';
import { imageFeatures } from '../src/engine/spec/image/features.js';
import { RKME_IMAGE_TYPE, type RkmeImageSpec } from '../src/engine/spec/image/types.js';
import { previewImages, reducedThumbnail, type Thumbnail } from './image-preview.js';

/** The data set with its features ψ (computed once: a data set that has them is returned as it is). */
export async function withFeatures(backend: ComputeBackend, data: ImageDataset, options: JobOptions = {}): Promise<ImageDataset> {
  if (data.features && data.features.values.length === data.rows * data.features.dim) return data;
  data.features = await imageFeatures(backend, data, options);
  return data;
}

/** reduced images shown per learnware (the largest weights first) */
const REDUCED_SHOWN = 8;
/** the user's images shown beside them */
const USER_SHOWN = 8;

/** What the page draws beside an image island's picture: the user's images and the top learnwares' heaviest reduced images. */
export interface ImageMatch {
  user: Thumbnail[];
  learnwares: { id: string; K: number; images: Thumbnail[]; weights: number[] }[];
}

/**
 * For each image island of a search: the user's first images and the reduced images (Z, with their
 * weights β) of its top learnwares, read from the island's shard (already fetched and validated by
 * the search: the cache answers).
 */
export async function imageMatches(
  index: CatalogIndex,
  islands: readonly CatalogSearchIsland[],
  data: ImageDataset,
  fetch: { fetchFn: FetchLike; base: string; cache: FileCache; signal?: AbortSignal },
): Promise<Record<string, ImageMatch>> {
  const out: Record<string, ImageMatch> = {};
  const user = previewImages(data, USER_SHOWN).map((p) => p.thumbnail);
  for (const found of islands) {
    const island = index.islands.find((i) => i.id === found.island);
    if (!island || island.type !== RKME_IMAGE_TYPE || !island.shard) continue;
    const specs = (await loadShard(fetch.fetchFn, fetch.base, island, fetch.signal, fetch.cache)) as RkmeImageSpec[];
    const learnwares = found.singles.slice(0, 5).flatMap((single) => {
      const entry = index.entries.find((e) => e.id === single.id);
      const spec = entry ? specs[entry.shardIndex] : undefined;
      if (!spec) return [];
      const order = [...spec.beta.keys()].sort((a, b) => spec.beta[b] - spec.beta[a]).slice(0, REDUCED_SHOWN);
      const total = spec.beta.reduce((s, b) => s + Math.max(0, b), 0) || 1;
      return [{ id: single.id, K: spec.K, images: order.map((i) => reducedThumbnail(spec.z, spec.channels, i)), weights: order.map((i) => Math.max(0, spec.beta[i]) / total) }];
    });
    out[found.island] = { user, learnwares };
  }
  return out;
}
