/**
 * Learnware bundles downloaded by their catalog references (reuse, the detail page): every one
 * checked against its SHA-256 and size before anything reads it, through the given cache.
 */
import type { FileRef } from './catalog.js';
import { fetchValidated, resolveUrl, type FetchLike, type FileCache } from './fetch.js';

/** Bundles are zips of at most this many bytes. */
export const MAX_BUNDLE_BYTES = 256 * 2 ** 20;

/** Downloads bundles by their catalog references (relative to `base`), in order. */
export async function fetchBundles(fetchFn: FetchLike, base: string, refs: readonly FileRef[], options: { cache?: FileCache; signal?: AbortSignal } = {}): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const ref of refs) {
    out.push(
      await fetchValidated(fetchFn, resolveUrl(base, ref.file), {
        kind: 'zip',
        maxBytes: MAX_BUNDLE_BYTES,
        sha256: ref.sha256,
        size: ref.size,
        signal: options.signal,
        cache: options.cache,
      }),
    );
  }
  return out;
}
