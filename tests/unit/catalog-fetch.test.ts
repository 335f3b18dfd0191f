import { describe, expect, it } from 'vitest';
import { buildCatalog, fetchValidated, loadCatalogIndex, loadShard, NetworkError, type FetchLike } from '../../src/engine/index.js';
import { makeBundle } from '../helpers/bundles.js';

/** A static host over an in-memory file map; `fallback` answers missing paths with an HTML page (status 200). */
function host(files: Map<string, Uint8Array>, fallback: boolean): FetchLike {
  return async (url) => {
    const path = new URL(url).pathname.replace(/^\/catalog\//, '');
    const bytes = files.get(path);
    if (bytes)
      return new Response(bytes as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'content-type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream' } });
    if (fallback) return new Response('<!doctype html><html><body>app</body></html>', { status: 200, headers: { 'content-type': 'text/html' } });
    return new Response('not found', { status: 404 });
  };
}

describe('validated catalog fetching', () => {
  it('loads an index and its shard, verifying hashes', async () => {
    const { bundle } = await makeBundle();
    const { files, index } = await buildCatalog([{ file: 'a.zip', bytes: bundle }]);
    const fetchFn = host(files, false);
    const loaded = await loadCatalogIndex(fetchFn, 'http://h/catalog/');
    expect(loaded.entries.map((e) => e.id)).toEqual(index.entries.map((e) => e.id));
    const specs = await loadShard(fetchFn, 'http://h/catalog/', loaded.islands[0]);
    expect(specs).toHaveLength(1);
    const zip = await fetchValidated(fetchFn, `http://h/catalog/${loaded.entries[0].bundle.file}`, { kind: 'zip', maxBytes: 2 ** 20, sha256: loaded.entries[0].bundle.sha256 });
    expect(zip.length).toBe(loaded.entries[0].bundle.size);
  });

  it('refuses the HTML fallback of a static host for every kind of file', async () => {
    const fetchFn = host(new Map(), true);
    await expect(loadCatalogIndex(fetchFn, 'http://h/catalog/')).rejects.toMatchObject({ code: 'HTML_RESPONSE' });
    // even when the host labels the page as something else, the magic bytes give it away
    const lying: FetchLike = async () => new Response('<!doctype html>', { status: 200, headers: { 'content-type': 'application/octet-stream' } });
    for (const kind of ['json', 'zip', 'shard'] as const) {
      await expect(fetchValidated(lying, 'http://h/x', { kind, maxBytes: 1000 })).rejects.toMatchObject({ code: 'BAD_MAGIC' });
    }
  });

  it('reports HTTP errors, unreachable hosts, size and hash mismatches', async () => {
    await expect(loadCatalogIndex(host(new Map(), false), 'http://h/catalog/')).rejects.toMatchObject({ code: 'HTTP_STATUS', details: { status: 404 } });
    const down: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(loadCatalogIndex(down, 'http://h/catalog/')).rejects.toBeInstanceOf(NetworkError);
    const json: FetchLike = async () => new Response('{"a":1}', { status: 200, headers: { 'content-type': 'application/json' } });
    await expect(fetchValidated(json, 'http://h/x', { kind: 'json', maxBytes: 3 })).rejects.toMatchObject({ code: 'TOO_LARGE' });
    await expect(fetchValidated(json, 'http://h/x', { kind: 'json', maxBytes: 100, sha256: '0'.repeat(64) })).rejects.toMatchObject({ code: 'HASH_MISMATCH' });
  });

  it('refuses an index whose paths leave the catalog', async () => {
    const { bundle } = await makeBundle();
    const { files, index } = await buildCatalog([{ file: 'a.zip', bytes: bundle }]);
    const evil = { ...index, entries: [{ ...index.entries[0], bundle: { ...index.entries[0].bundle, file: 'https://evil.example/x.zip' } }] };
    files.set('catalog.json', new TextEncoder().encode(JSON.stringify(evil)));
    await expect(loadCatalogIndex(host(files, false), 'http://h/catalog/')).rejects.toMatchObject({ code: 'BAD_INDEX', details: { field: 'entries[0].bundle' } });
  });
});
