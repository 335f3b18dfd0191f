/**
 * Publishing a bundle to a catalog on object storage without lost updates, on any S3-compatible
 * store (docs/design-notes.md §4: s3rver and some others ignore If-Match / If-None-Match):
 *  1. the bundle goes to its content address `bundles/<sha256>.zip`;
 *  2. one small immutable entry object `entries/<version, 9 digits>-<sha256>.json` (manifest + spec +
 *     version) records the publish — entry objects are the source of truth, never rewritten; the
 *     version is 1 + the highest one of the id the publisher can see (no clock is trusted);
 *  3. compaction folds every listed entry into a new index (per id the highest version, ties by
 *     bundle SHA-256): shards under new content-addressed names; the index and the listing are read
 *     once more and the compaction starts over if either changed; then `catalog.json` is written
 *     with If-Match on the ETag read (a guard where honoured);
 *  4. the publisher re-reads `catalog.json` and lists `entries/` again: it stops only when the
 *     index covers every entry it can list, and compacts again otherwise; on a store that ignores
 *     conditional writes (probed) it checks once more after a settle wait.
 * So a publisher finishes only once its entry — and every entry written before it — is in the
 * index. Where the store ignores conditional writes, a compactor slower than the settle wait can
 * still drop it from the index afterwards: `readPublishedCatalog` folds such pending entries in on
 * every read and `repairCatalog` (and every later publish) writes them back (PublishResult.durable).
 */
import { FormatError, InputError } from '../core/errors.js';
import { checkBundle } from '../bundle/checker.js';
import type { Manifest } from '../bundle/manifest.js';
import { buildCatalog, CATALOG_INDEX, catalogMembers, type CatalogIndex, type Member } from '../catalog/catalog.js';
import { checkCatalogIndex } from '../catalog/fetch.js';
import { parseStatSpec, serializeStatSpec } from '../spec/registry.js';
import type { ObjectStore } from './store.js';

export interface EntryObject {
  manifest: Manifest;
  /** stat.json text of the spec */
  spec: string;
  bundle: { file: string; sha256: string; size: number };
  /**
   * Version of this id: 1 + the highest version of the id the publisher could see (in the index or
   * among entry objects not yet folded). Entries of one id are ordered by (version, bundle SHA-256),
   * never by a clock. Missing in entries written before versions existed: 0.
   */
  version?: number;
}

/** What a catalog index on object storage adds to a static one (checked by readIndex). */
export interface PublishedIndex extends CatalogIndex {
  /** the entry objects folded into this index */
  entryKeys?: string[];
  /** the version and bundle of every id in the index (the ordering of republished ids) */
  versions?: { id: string; version: number; sha256: string }[];
  /** how many compactions wrote an index before this one, + 1 */
  sequence?: number;
}

export interface PublishResult {
  id: string;
  sha256: string;
  entryKey: string;
  /** the version this publish gave the id (1 for a new id) */
  version: number;
  /** compaction rounds it took (1 without contention) */
  rounds: number;
  learnwares: number;
  /**
   * true when the store honours conditional writes (probed on the entry object): every later index
   * write is compared-and-swapped against an index holding this entry, so it stays in the index.
   * false (s3rver, some S3-compatible stores): the entry was in the index when re-read after the
   * settle wait; a compactor that listed the entries before this one and writes even later can
   * still drop it from `catalog.json` until the next publish or `repairCatalog`, and
   * `readPublishedCatalog` shows it meanwhile (the entry object is never lost).
   */
  durable: boolean;
}

export interface PublishOptions {
  maxRounds?: number;
  /** waits between rounds (tests pass a fast one); default: jittered 50–250 ms × round */
  sleep?: (round: number) => Promise<void>;
  /**
   * On stores that ignore conditional writes: the wait before the index is checked once more (a
   * stale compactor's write landing in it is repaired before the publish returns). Default 1 s.
   */
  settle?: () => Promise<void>;
}

export async function publishBundle(store: ObjectStore, bundle: Uint8Array, options: PublishOptions = {}): Promise<PublishResult> {
  const check = await checkBundle(bundle);
  if (check.status !== 'USABLE') {
    throw new InputError('NOT_USABLE', `the bundle is ${check.status}: ${check.reasons.map((r) => r.message).join('; ')}`, { reasons: check.reasons });
  }
  const manifest = check.manifest!;
  const bundleKey = `bundles/${check.sha256}.zip`;
  await store.put(bundleKey, bundle, { contentType: 'application/zip', ifNoneMatch: '*' });
  const version = (await highestVersion(store, manifest.id)) + 1;
  const entry: EntryObject = {
    manifest,
    spec: serializeStatSpec(check.spec!),
    bundle: { file: bundleKey, sha256: check.sha256, size: bundle.length },
    version,
  };
  const entryKey = `entries/${String(version).padStart(9, '0')}-${check.sha256}.json`;
  const entryBytes = new TextEncoder().encode(JSON.stringify(entry));
  await store.put(entryKey, entryBytes, { contentType: 'application/json', ifNoneMatch: '*' });
  // the same bytes again under If-None-Match: a store that honours it refuses (412)
  const durable = !(await store.put(entryKey, entryBytes, { contentType: 'application/json', ifNoneMatch: '*' }));

  const maxRounds = options.maxRounds ?? 12;
  const sleep = options.sleep ?? ((round: number) => new Promise<void>((done) => setTimeout(done, (50 + Math.random() * 200) * round)));
  const settle = options.settle ?? (() => new Promise<void>((done) => setTimeout(done, 1000)));
  let lastProblem = 'the catalog index kept changing';
  let settled = durable;
  for (let round = 1; round <= maxRounds; round++) {
    try {
      const written = await compact(store);
      let covered = written ? await coversListed(store) : null;
      if (covered && !settled) {
        // no compare-and-swap: a compactor that listed before this entry may still be writing
        await settle();
        settled = true;
        covered = await coversListed(store);
      }
      if (covered) return { id: manifest.id, sha256: check.sha256, entryKey, version, rounds: round, learnwares: covered.entries.length, durable };
    } catch (error) {
      // A store without atomic writes (s3rver) can hand out a half-written object while another
      // publisher writes it: unreadable JSON is retried, anything else (access, network) is not.
      if (!(error instanceof FormatError)) throw error;
      lastProblem = error.message;
    }
    await sleep(round);
  }
  throw new InputError('PUBLISH_CONTENTION', `${lastProblem}; the entry ${entryKey} is stored and will be folded in by the next publish`);
}

/** The index when it covers every listed entry object, else null. */
async function coversListed(store: ObjectStore): Promise<PublishedIndex | null> {
  const listed = await store.list('entries/');
  const current = await readIndex(store);
  const covered = new Set(current?.index.entryKeys ?? []);
  return current && listed.every((key) => covered.has(key)) ? current.index : null;
}

/** The highest version of `id` in the index or among the entry objects not folded into it (0: none). */
async function highestVersion(store: ObjectStore, id: string): Promise<number> {
  const current = await readIndex(store);
  let highest = current?.index.versions?.find((v) => v.id === id)?.version ?? (current?.index.entries.some((e) => e.id === id) ? 0 : -1);
  const folded = new Set(current?.index.entryKeys ?? []);
  for (const key of await store.list('entries/')) {
    if (folded.has(key)) continue;
    const entry = await readEntry(store, key);
    if (entry?.manifest.id === id) highest = Math.max(highest, entry.version ?? 0);
  }
  return Math.max(highest, 0);
}

/** Of two entries for one id, whether `a` (folded after `b`) stays: the higher version, then the higher bundle SHA-256. */
function supersedes(a: { version: number; sha256: string }, b: { version: number; sha256: string }): boolean {
  if (a.version === 0 && b.version === 0) return true; // entries from before versions: the later listed (their keys began with a time)
  return a.version > b.version || (a.version === b.version && a.sha256 > b.sha256);
}

interface Folded {
  current: { index: PublishedIndex; etag: string | null } | null;
  keys: string[];
  index: PublishedIndex;
  files: Map<string, Uint8Array>;
}

/** Every entry object folded into the current index's members: the next index, not written. */
async function fold(store: ObjectStore): Promise<Folded> {
  const current = await readIndex(store);
  const keys = await store.list('entries/');
  const folded = new Set(current?.index.entryKeys ?? []);
  let members: Member[] = [];
  const versions = new Map<string, { version: number; sha256: string }>();
  if (current) {
    const shards = new Map<string, Uint8Array>();
    for (const island of current.index.islands) {
      if (!island.shard) continue; // catalogMembers refuses sketch-layout islands with a clear error
      const object = await store.get(island.shard.file);
      if (!object) throw new InputError('MISSING_SHARD', `the catalog lacks ${island.shard.file}`);
      shards.set(island.shard.file, object.bytes);
    }
    members = catalogMembers(current.index, shards);
    for (const m of members) versions.set(m.manifest.id, { version: 0, sha256: m.bundle.sha256 });
    for (const v of current.index.versions ?? []) if (versions.has(v.id)) versions.set(v.id, { version: v.version, sha256: v.sha256 });
  }
  for (const key of keys) {
    if (folded.has(key)) continue;
    const entry = await readEntry(store, key);
    if (!entry) continue;
    const id = entry.manifest.id;
    const mine = { version: entry.version ?? 0, sha256: entry.bundle.sha256 };
    const held = versions.get(id);
    if (held && !supersedes(mine, held)) continue; // an older (or the same) version of a republished id
    versions.set(id, mine);
    members = members.filter((m) => m.manifest.id !== id);
    members.push({ manifest: entry.manifest, spec: parseStatSpec(entry.spec), bundle: entry.bundle });
  }
  const { index, files } = await buildCatalog([], members);
  const next = index as PublishedIndex;
  next.entryKeys = keys;
  next.versions = [...versions].filter(([id]) => members.some((m) => m.manifest.id === id)).map(([id, v]) => ({ id, ...v }));
  next.sequence = (current?.index.sequence ?? 0) + 1;
  files.set(CATALOG_INDEX, new TextEncoder().encode(JSON.stringify(next) + '\n'));
  return { current, keys, index: next, files };
}

/**
 * Folds every entry object into the index. Returns false when the index write lost a
 * compare-and-swap (HTTP 412) or the index changed under it; the caller re-checks and retries.
 * Right before the index is written, the index and the entry listing are read once more: a
 * compaction that went stale meanwhile (another publisher wrote) starts over instead of writing,
 * which leaves a stale writer only the time of one request on stores without conditional writes.
 */
export async function compact(store: ObjectStore): Promise<boolean> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const { current, keys, files } = await fold(store);
    for (const [path, bytes] of files) {
      if (path.startsWith('shards/')) await store.put(path, bytes, { contentType: 'application/octet-stream', ifNoneMatch: '*' });
    }
    const again = await readIndex(store);
    const listed = await store.list('entries/');
    if ((again?.etag ?? null) !== (current?.etag ?? null) || (again?.index.sequence ?? 0) !== (current?.index.sequence ?? 0) || listed.join('\n') !== keys.join('\n')) continue;
    const body = files.get(CATALOG_INDEX)!;
    return store.put(CATALOG_INDEX, body, current?.etag ? { contentType: 'application/json', ifMatch: current.etag } : { contentType: 'application/json', ifNoneMatch: '*' });
  }
  return false;
}

/**
 * The catalog as readers should see it: the index with every entry object not yet folded into it
 * (a publisher that died, or whose entry a stale compactor dropped) folded in, in memory. `pending`
 * names those entry objects; `files` holds the rebuilt shards when there are any (nothing is written).
 */
export async function readPublishedCatalog(store: ObjectStore): Promise<{ index: PublishedIndex; pending: string[]; files: Map<string, Uint8Array> }> {
  const current = await readIndex(store);
  const listed = await store.list('entries/');
  const folded = new Set(current?.index.entryKeys ?? []);
  const pending = listed.filter((key) => !folded.has(key));
  if (current && pending.length === 0) return { index: current.index, pending, files: new Map() };
  const { index, files } = await fold(store);
  return { index, pending, files };
}

/** Writes the index again when entry objects are missing from it; returns the entry keys it folded in. */
export async function repairCatalog(store: ObjectStore, options: Pick<PublishOptions, 'maxRounds' | 'sleep'> = {}): Promise<string[]> {
  const { pending } = await readPublishedCatalog(store);
  if (pending.length === 0) return [];
  const sleep = options.sleep ?? ((round: number) => new Promise<void>((done) => setTimeout(done, (50 + Math.random() * 200) * round)));
  for (let round = 1; round <= (options.maxRounds ?? 12); round++) {
    if ((await compact(store)) && (await coversListed(store))) return pending;
    await sleep(round);
  }
  throw new InputError('PUBLISH_CONTENTION', `the catalog index kept changing; ${pending.length} entries are still to be folded in`);
}

async function readEntry(store: ObjectStore, key: string): Promise<EntryObject | null> {
  const object = await store.get(key);
  if (!object) return null;
  const entry = parseJson(object.bytes, key) as EntryObject;
  if (typeof entry?.manifest?.id !== 'string' || typeof entry.spec !== 'string' || typeof entry.bundle?.sha256 !== 'string') {
    throw new FormatError('BAD_INDEX', `${key} is not an entry object`, { field: key });
  }
  if (entry.version !== undefined && !(Number.isInteger(entry.version) && entry.version >= 0))
    throw new FormatError('BAD_INDEX', `${key}: version must be a non-negative integer`, { field: key });
  return entry;
}

async function readIndex(store: ObjectStore): Promise<{ index: PublishedIndex; etag: string | null } | null> {
  const object = await store.get(CATALOG_INDEX);
  if (!object) return null;
  const index = checkCatalogIndex(parseJson(object.bytes, CATALOG_INDEX)) as PublishedIndex;
  const bad = (field: string, message: string): never => {
    throw new FormatError('BAD_INDEX', `${CATALOG_INDEX}: ${message}`, { field });
  };
  if (index.entryKeys !== undefined && !(Array.isArray(index.entryKeys) && index.entryKeys.every((k) => typeof k === 'string' && k.startsWith('entries/'))))
    bad('entryKeys', 'entryKeys must list entries/ keys');
  if (
    index.versions !== undefined &&
    !(Array.isArray(index.versions) && index.versions.every((v) => typeof v?.id === 'string' && Number.isInteger(v.version) && v.version >= 0 && typeof v.sha256 === 'string'))
  )
    bad('versions', 'versions must list an id, a non-negative integer version and a sha256 each');
  if (index.sequence !== undefined && !(Number.isInteger(index.sequence) && index.sequence >= 0)) bad('sequence', 'sequence must be a non-negative integer');
  return { index, etag: object.etag };
}

function parseJson(bytes: Uint8Array, key: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new FormatError('BAD_JSON', `${key} is not valid JSON: ${(error as Error).message}`, { field: key });
  }
}
