/**
 * Publishing on stores that ignore conditional writes (issue 17, defect 6): a slow publisher that
 * built its index before a fast one finished writes it afterwards and dies. The fast one must not
 * report success while its entry is out of the index, readers must see pending entries, and which
 * version of a republished id stays must not depend on clocks. s3rver (started here) with every
 * If-Match / If-None-Match stripped, and an in-memory store that honours them or not.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCatalogIndex, publishBundle, readPublishedCatalog, repairCatalog, s3Store, sha256Hex, type ObjectStore, type PublishedIndex } from '../../src/engine/index.js';
import { denseModel, makeBundle } from '../helpers/bundles.js';

let server: S3rver;
let endpoint: string;
const fast = { sleep: async () => new Promise<void>((done) => setTimeout(done, 5)), settle: async () => {} };

/** The bucket on s3rver, with every conditional header dropped (whatever this s3rver would do with them). */
function unconditional(bucket: string): ObjectStore {
  const inner = s3Store({ endpoint, bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, (request) => fetch(request));
  return { get: (key) => inner.get(key), list: (prefix) => inner.list(prefix), put: (key, bytes, options) => inner.put(key, bytes, { contentType: options.contentType }) };
}

/**
 * A slow publisher's view of the store: its index write waits until `release()`, after its last
 * check (`atWrite` resolves then); once written, the publisher dies (every later call throws).
 */
function slowThenDies(inner: ObjectStore) {
  let release!: () => void;
  const gate = new Promise<void>((done) => (release = done));
  let reached!: () => void;
  const atWrite = new Promise<void>((done) => (reached = done));
  let dead = false;
  const alive = () => {
    if (dead) throw new Error('the slow publisher died');
  };
  const store: ObjectStore = {
    get: async (key) => (alive(), inner.get(key)),
    list: async (prefix) => (alive(), inner.list(prefix)),
    put: async (key, bytes, options) => {
      alive();
      if (key !== 'catalog.json') return inner.put(key, bytes, options);
      reached();
      await gate;
      const written = await inner.put(key, bytes, options);
      dead = true;
      return written;
    },
  };
  return { store, release, atWrite };
}

/** An in-memory object store; `honour` says whether it honours If-Match / If-None-Match. */
function memoryStore(honour: boolean): ObjectStore & { objects: Map<string, Uint8Array> } {
  const objects = new Map<string, Uint8Array>();
  const etags = new Map<string, string>();
  let n = 0;
  return {
    objects,
    get: async (key) => (objects.has(key) ? { bytes: objects.get(key)!, etag: etags.get(key)! } : null),
    list: async (prefix) => [...objects.keys()].filter((k) => k.startsWith(prefix)).sort(),
    put: async (key, bytes, options) => {
      if (honour && options.ifNoneMatch === '*' && objects.has(key)) return false;
      if (honour && options.ifMatch !== undefined && etags.get(key) !== options.ifMatch) return false;
      objects.set(key, bytes.slice());
      etags.set(key, `"${++n}"`);
      return true;
    },
  };
}

const ids = (index: { entries: { id: string }[] }) => index.entries.map((e) => e.id).sort();

beforeAll(async () => {
  server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: mkdtempSync(join(tmpdir(), 'lwd-s3-stale-')),
    configureBuckets: [{ name: 'settle' }, { name: 'late' }],
  });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await server?.close();
});

describe('publishing when the store ignores conditional writes', () => {
  it('a publish does not return while a stale index written by a dying publisher lacks its entry', async () => {
    const [fastBundle, slowBundle] = await Promise.all(['fast', 'slow'].map((id, i) => makeBundle({ id, model: denseModel('softmax', 2, 3 + i) })));
    const slow = slowThenDies(unconditional('settle'));
    const slowRun = publishBundle(slow.store, slowBundle.bundle, fast).catch((error: Error) => error);
    await slow.atWrite; // the slow publisher has built and checked an index that holds only 'slow'
    const quick = await publishBundle(unconditional('settle'), fastBundle.bundle, {
      ...fast,
      // while the fast publisher waits to be sure, the stale index lands and its writer dies
      settle: async () => {
        slow.release();
        await slowRun;
      },
    });
    slow.release();
    expect(await slowRun).toMatchObject({ message: 'the slow publisher died' });
    expect(quick).toMatchObject({ id: 'fast', durable: false, rounds: 2, learnwares: 2 });
    const index = await loadCatalogIndex(fetch, `${endpoint}/settle/`);
    expect(ids(index)).toEqual(['fast', 'slow']);
  });

  it('a stale index landing after the publish returned: readers fold the pending entry in, repair writes it back', async () => {
    const [fastBundle, slowBundle] = await Promise.all(['fast', 'slow'].map((id, i) => makeBundle({ id, model: denseModel('softmax', 2, 5 + i) })));
    const slow = slowThenDies(unconditional('late'));
    const slowRun = publishBundle(slow.store, slowBundle.bundle, fast).catch((error: Error) => error);
    await slow.atWrite;
    const quick = await publishBundle(unconditional('late'), fastBundle.bundle, fast);
    expect(quick.durable).toBe(false); // it says it cannot promise more on this store
    slow.release();
    await slowRun;
    expect(ids(await loadCatalogIndex(fetch, `${endpoint}/late/`))).toEqual(['slow']); // the stale index
    const read = await readPublishedCatalog(unconditional('late'));
    expect(read.pending).toEqual([quick.entryKey]);
    expect(ids(read.index)).toEqual(['fast', 'slow']);
    expect([...read.files.keys()].some((f) => f.startsWith('shards/'))).toBe(true);
    expect(await repairCatalog(unconditional('late'), fast)).toEqual([quick.entryKey]);
    expect(ids(await loadCatalogIndex(fetch, `${endpoint}/late/`))).toEqual(['fast', 'slow']);
    expect((await readPublishedCatalog(unconditional('late'))).pending).toEqual([]);
    expect(await repairCatalog(unconditional('late'), fast)).toEqual([]);
  });
});

describe('versions of a republished id', () => {
  it('the publish that saw the other wins, whatever the clocks say', async () => {
    const store = memoryStore(false);
    const [first, second] = await Promise.all([1, 2].map((scale) => makeBundle({ id: 'x', model: denseModel('softmax', 2, scale) })));
    // the first publisher's clock runs an hour ahead, and it dies before compacting
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3_600_000);
    const dying: ObjectStore = {
      ...store,
      put: async (key, bytes, options) => {
        if (key === 'catalog.json') throw new Error('died');
        return store.put(key, bytes, options);
      },
    };
    await expect(publishBundle(dying, first.bundle, fast)).rejects.toThrow('died');
    vi.useRealTimers();
    const b = await publishBundle(store, second.bundle, fast);
    expect(b.version).toBe(2); // it saw the first one's (pending) entry
    const index = JSON.parse(new TextDecoder().decode(store.objects.get('catalog.json'))) as PublishedIndex;
    expect(index.entries.map((e) => [e.id, e.bundle.sha256])).toEqual([['x', b.sha256]]);
    expect(index.versions).toEqual([{ id: 'x', version: 2, sha256: b.sha256 }]);
    // publishing the first bundle again makes it the newest
    const again = await publishBundle(store, first.bundle, fast);
    expect(again.version).toBe(3);
    const after = JSON.parse(new TextDecoder().decode(store.objects.get('catalog.json'))) as PublishedIndex;
    expect(after.entries.map((e) => e.bundle.sha256)).toEqual([again.sha256]);
    expect(after.sequence).toBe(2);
  });

  it('two publishes that did not see each other: the same winner wherever it is compacted (bundle SHA-256)', async () => {
    const [p, q] = await Promise.all([3, 4].map((scale) => makeBundle({ id: 'y', model: denseModel('softmax', 2, scale) })));
    const winners: string[] = [];
    for (const order of [
      [p, q],
      [q, p],
    ]) {
      const store = memoryStore(false);
      await publishBundle(store, order[0].bundle, fast);
      // the second publisher sees neither the index nor any entry (it read before the first wrote), and dies before compacting
      const blind: ObjectStore = {
        get: async (key) => (key === 'catalog.json' ? null : store.get(key)),
        list: async (prefix) => (prefix === 'entries/' ? [] : store.list(prefix)),
        put: async (key, bytes, options) => (key === 'catalog.json' ? Promise.reject(new Error('died')) : store.put(key, bytes, options)),
      };
      await expect(publishBundle(blind, order[1].bundle, fast)).rejects.toThrow('died');
      expect(await repairCatalog(store, fast)).toHaveLength(1);
      const index = JSON.parse(new TextDecoder().decode(store.objects.get('catalog.json'))) as PublishedIndex;
      expect(index.versions).toHaveLength(1);
      winners.push(index.entries[0].bundle.sha256);
    }
    expect(winners[0]).toBe(winners[1]);
    const shas = await Promise.all([p, q].map((b) => sha256Hex(b.bundle)));
    expect(winners[0]).toBe(shas.sort()[1]);
  });

  it('on a store that honours conditional writes a publish says it is durable', async () => {
    const store = memoryStore(true);
    const { bundle } = await makeBundle({ id: 'z' });
    let settled = false;
    const result = await publishBundle(store, bundle, { ...fast, settle: async () => void (settled = true) });
    expect(result).toMatchObject({ durable: true, version: 1, rounds: 1 });
    expect(settled).toBe(false); // no settle wait is needed there
  });
});
