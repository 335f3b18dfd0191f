/**
 * Publishing a bundle to a catalog on object storage without lost updates, on any S3-compatible
 * store (docs/design-notes.md §4: s3rver and some others ignore If-Match / If-None-Match):
 *  1. the bundle goes to its content address `bundles/<sha256>.zip`;
 *  2. one small immutable entry object `entries/<time>-<sha256>.json` (manifest + spec) records
 *     the publish — entry objects are the source of truth and are never rewritten;
 *  3. compaction folds every listed entry into a new index: shards under new content-addressed
 *     names, then `catalog.json` written with If-Match on the ETag read (a guard where honoured);
 *  4. the publisher re-reads `catalog.json` and lists `entries/` again: it stops only when the
 *     index covers every entry it can list, and compacts again otherwise.
 * So a publisher finishes only once its entry — and every entry written before it — is in the
 * index, even when a concurrent compactor overwrote the index with a stale listing.
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
}

export interface PublishResult {
  id: string;
  sha256: string;
  entryKey: string;
  /** compaction rounds it took (1 without contention) */
  rounds: number;
  learnwares: number;
}

export interface PublishOptions {
  maxRounds?: number;
  /** waits between rounds (tests pass a fast one); default: jittered 50–250 ms × round */
  sleep?: (round: number) => Promise<void>;
  now?: () => Date;
}

export async function publishBundle(store: ObjectStore, bundle: Uint8Array, options: PublishOptions = {}): Promise<PublishResult> {
  const check = await checkBundle(bundle);
  if (check.status !== 'USABLE') {
    throw new InputError('NOT_USABLE', `the bundle is ${check.status}: ${check.reasons.map((r) => r.message).join('; ')}`, { reasons: check.reasons });
  }
  const manifest = check.manifest!;
  const bundleKey = `bundles/${check.sha256}.zip`;
  await store.put(bundleKey, bundle, { contentType: 'application/zip', ifNoneMatch: '*' });
  const entry: EntryObject = {
    manifest,
    spec: serializeStatSpec(check.spec!),
    bundle: { file: bundleKey, sha256: check.sha256, size: bundle.length },
  };
  const stamp = String((options.now ?? (() => new Date()))().getTime()).padStart(15, '0');
  const entryKey = `entries/${stamp}-${check.sha256}.json`;
  await store.put(entryKey, new TextEncoder().encode(JSON.stringify(entry)), { contentType: 'application/json', ifNoneMatch: '*' });

  const maxRounds = options.maxRounds ?? 12;
  const sleep = options.sleep ?? ((round: number) => new Promise<void>((done) => setTimeout(done, (50 + Math.random() * 200) * round)));
  let lastProblem = 'the catalog index kept changing';
  for (let round = 1; round <= maxRounds; round++) {
    try {
      const written = await compact(store);
      const listed = await store.list('entries/');
      const current = await readIndex(store);
      const covered = new Set(current?.index.entryKeys ?? []);
      if (written && listed.every((key) => covered.has(key))) {
        return { id: manifest.id, sha256: check.sha256, entryKey, rounds: round, learnwares: current!.index.entries.length };
      }
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

/**
 * Folds every entry object into the index. Returns false when the index write lost a
 * compare-and-swap (HTTP 412); the caller re-checks and retries.
 */
export async function compact(store: ObjectStore): Promise<boolean> {
  const current = await readIndex(store);
  const keys = await store.list('entries/');
  const folded = new Set(current?.index.entryKeys ?? []);
  let members: Member[] = [];
  if (current) {
    const shards = new Map<string, Uint8Array>();
    for (const island of current.index.islands) {
      if (!island.shard) continue; // catalogMembers refuses sketch-layout islands with a clear error
      const object = await store.get(island.shard.file);
      if (!object) throw new InputError('MISSING_SHARD', `the catalog lacks ${island.shard.file}`);
      shards.set(island.shard.file, object.bytes);
    }
    members = catalogMembers(current.index, shards);
  }
  for (const key of keys) {
    if (folded.has(key)) continue;
    const object = await store.get(key);
    if (!object) continue;
    const entry = parseJson(object.bytes, key) as EntryObject;
    members = members.filter((m) => m.manifest.id !== entry.manifest.id); // a republished id replaces the older entry
    members.push({ manifest: entry.manifest, spec: parseStatSpec(entry.spec), bundle: entry.bundle });
  }
  const { index, files } = await buildCatalog([], members);
  index.entryKeys = keys;
  for (const [path, bytes] of files) {
    if (path.startsWith('shards/')) await store.put(path, bytes, { contentType: 'application/octet-stream', ifNoneMatch: '*' });
  }
  const body = new TextEncoder().encode(JSON.stringify(index) + '\n');
  return store.put(CATALOG_INDEX, body, current?.etag ? { contentType: 'application/json', ifMatch: current.etag } : { contentType: 'application/json', ifNoneMatch: '*' });
}

async function readIndex(store: ObjectStore): Promise<{ index: CatalogIndex; etag: string | null } | null> {
  const object = await store.get(CATALOG_INDEX);
  if (!object) return null;
  return { index: checkCatalogIndex(parseJson(object.bytes, CATALOG_INDEX)), etag: object.etag };
}

function parseJson(bytes: Uint8Array, key: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new FormatError('BAD_JSON', `${key} is not valid JSON: ${(error as Error).message}`, { field: key });
  }
}
