/**
 * Publishing to a real S3-compatible server (s3rver on loopback, started here). s3rver ignores
 * If-Match / If-None-Match, so these tests exercise the protocol that must not lose entries
 * without conditional writes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchValidated, loadCatalogIndex, loadShard, publishBundle, s3Store, type ObjectStore } from '../../src/engine/index.js';
import { denseModel, makeBundle } from '../helpers/bundles.js';

let server: S3rver;
let endpoint: string;
const fast = { sleep: async () => new Promise<void>((done) => setTimeout(done, 5)) };

function store(bucket: string, accessKeyId = 'S3RVER'): ObjectStore {
  return s3Store({ endpoint, bucket, accessKeyId, secretAccessKey: 'S3RVER' }, (request) => fetch(request));
}

/**
 * The same store, but its first index write is held until `release` is called, and `listed`
 * resolves once it has listed the entries: a slow publisher whose compaction goes stale.
 */
function heldFirstIndexWrite(inner: ObjectStore) {
  let release!: () => void;
  const gate = new Promise<void>((done) => (release = done));
  let markListed!: () => void;
  const listed = new Promise<void>((done) => (markListed = done));
  let held = false;
  const wrapped: ObjectStore = {
    get: (key) => inner.get(key),
    list: async (prefix) => {
      const keys = await inner.list(prefix);
      markListed();
      return keys;
    },
    put: async (key, bytes, options) => {
      if (key === 'catalog.json' && !held) {
        held = true;
        await gate;
      }
      return inner.put(key, bytes, options);
    },
  };
  return { store: wrapped, release, listed };
}

beforeAll(async () => {
  server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: mkdtempSync(join(tmpdir(), 'lwd-s3-')),
    configureBuckets: [{ name: 'one' }, { name: 'race' }, { name: 'stale' }, { name: 'bad' }],
  });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await server?.close();
});

describe('publishing to S3-compatible object storage', () => {
  it('publishes a bundle into a catalog that readers load and validate', async () => {
    const { bundle } = await makeBundle({ id: 'solo' });
    const result = await publishBundle(store('one'), bundle, fast);
    expect(result).toMatchObject({ id: 'solo', rounds: 1, learnwares: 1 });
    const base = `${endpoint}/one/`;
    const index = await loadCatalogIndex(fetch, base);
    expect(index.entries.map((e) => e.id)).toEqual(['solo']);
    expect(index.entryKeys).toEqual([result.entryKey]);
    expect(await loadShard(fetch, base, index.islands[0])).toHaveLength(1);
    const zip = await fetchValidated(fetch, base + index.entries[0].bundle.file, { kind: 'zip', maxBytes: 2 ** 20, sha256: result.sha256 });
    expect(zip).toEqual(bundle);
  });

  it('two concurrent publishers lose nothing', async () => {
    const bundles = await Promise.all(
      ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'].map((id, i) => makeBundle({ id, model: denseModel('softmax', 2, 1 + i) }).then((b) => ({ id, bytes: b.bundle }))),
    );
    const publisher = async (mine: typeof bundles) => {
      const rounds: number[] = [];
      for (const b of mine) rounds.push((await publishBundle(store('race'), b.bytes, fast)).rounds);
      return rounds;
    };
    const [roundsA, roundsB] = await Promise.all([publisher(bundles.slice(0, 3)), publisher(bundles.slice(3))]);
    const index = await loadCatalogIndex(fetch, `${endpoint}/race/`);
    expect(index.entries.map((e) => e.id).sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3']);
    const listed = await store('race').list('entries/');
    expect(listed).toHaveLength(6);
    expect([...index.entryKeys!].sort()).toEqual(listed);
    // every bundle the index points to is there and intact
    for (const entry of index.entries) {
      await fetchValidated(fetch, `${endpoint}/race/${entry.bundle.file}`, { kind: 'zip', maxBytes: 2 ** 20, sha256: entry.bundle.sha256, size: entry.bundle.size });
    }
    console.log('compaction rounds per publish', roundsA, roundsB);
  });

  it('a publisher whose index write lands after a newer one repairs the index before it returns', async () => {
    const [quickBundle, slowBundle] = await Promise.all(['quick', 'slow'].map((id, i) => makeBundle({ id, model: denseModel('softmax', 2, 7 + i) })));
    const slowStore = heldFirstIndexWrite(store('stale'));
    const slowRun = publishBundle(slowStore.store, slowBundle.bundle, fast);
    await slowStore.listed; // the slow compaction has listed the entries: 'quick' is not among them
    const quick = await publishBundle(store('stale'), quickBundle.bundle, fast);
    expect(quick.rounds).toBe(1);
    slowStore.release(); // the stale index (without 'quick') now overwrites the fresh one
    const slow = await slowRun;
    // it noticed, either just before writing (the index changed under it: it folded again) or on
    // re-reading after writing (it compacted again); either way it returns only once both are in
    expect(slow.rounds).toBeGreaterThanOrEqual(1);
    const index = await loadCatalogIndex(fetch, `${endpoint}/stale/`);
    expect(index.entries.map((e) => e.id).sort()).toEqual(['quick', 'slow']);
  });

  it('refuses an unusable bundle before writing anything', async () => {
    const { bundle } = await makeBundle({ id: 'broken', model: denseModel('sigmoid', 2) });
    await expect(publishBundle(store('bad'), bundle, fast)).rejects.toMatchObject({ code: 'NOT_USABLE' });
    expect(await store('bad').list('')).toEqual([]);
  });

  it('says so when the keys are wrong', async () => {
    const { bundle } = await makeBundle({ id: 'denied' });
    await expect(publishBundle(store('bad', 'nobody'), bundle, fast)).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
  });
});
