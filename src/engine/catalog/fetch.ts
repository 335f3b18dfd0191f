/**
 * Fetching catalog files as hostile input. Every file is validated before it is used: HTTP
 * status, content type (an HTML page — the SPA fallback of many static hosts, answered with 200 —
 * is refused), size limit, magic bytes, and the size and SHA-256 the index promises. The fetch
 * function is passed in (the engine never reaches the network by itself).
 */
import { SIGNATURE_LEVELS } from '../data/marginals.js';
import { FormatError, InputError, NetworkError, throwIfCancelled, type ErrorCode } from '../core/errors.js';
import { classNameProblems } from '../bundle/manifest.js';
import { checkSemanticSpec } from '../bundle/semantic.js';
import { sha256Hex } from '../core/hash.js';
import { checkJsonDepth } from '../core/json.js';
import { CATALOG_FORMAT, CATALOG_FORMAT_VERSION, CATALOG_INDEX, type CatalogEntry, type CatalogIndex, type FileRef, type Island } from './catalog.js';
import { SKETCH_HEAD_MAGIC, SKETCH_LIST_MAGIC } from './sketch-index.js';
import { specType, specTypes } from '../spec/registry.js';
import type { StatSpec } from '../spec/spec-type.js';

export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export type FileKind = 'json' | 'zip' | 'shard' | 'sketch' | 'list';

/** Validated, content-addressed files by SHA-256 (memory here; IndexedDB in the app). */
export interface FileCache {
  get(sha256: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  set(sha256: string, bytes: Uint8Array): void | Promise<void>;
}

/** An in-memory FileCache that forgets the least recently used files beyond `maxBytes`. */
export function memoryFileCache(maxBytes = 256 * 2 ** 20): FileCache & { bytes(): number } {
  const files = new Map<string, Uint8Array>();
  let total = 0;
  return {
    get(sha256) {
      const bytes = files.get(sha256);
      if (bytes) {
        files.delete(sha256);
        files.set(sha256, bytes);
      }
      return bytes;
    },
    set(sha256, bytes) {
      if (files.has(sha256) || bytes.length > maxBytes) return;
      files.set(sha256, bytes);
      total += bytes.length;
      for (const [key, old] of files) {
        if (total <= maxBytes) break;
        files.delete(key);
        total -= old.length;
      }
    },
    bytes: () => total,
  };
}

const MAGIC: Record<FileKind, (b: Uint8Array) => boolean> = {
  json: (b) => {
    // a UTF-8 byte order mark (Windows editors write one) is allowed before the JSON; TextDecoder drops it
    let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
    while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
    return b[i] === 0x7b; // '{'
  },
  zip: (b) => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04,
  shard: (b) => specTypes().some((t) => t.shardMagic.every((m, i) => b[i] === m)),
  sketch: (b) => SKETCH_HEAD_MAGIC.every((m, i) => b[i] === m),
  list: (b) => SKETCH_LIST_MAGIC.every((m, i) => b[i] === m),
};

export interface FetchExpectation {
  kind: FileKind;
  maxBytes: number;
  /** the full SHA-256, or its first 32 hex digits (128 bits) for sketch-index spec and card files */
  sha256?: string;
  /** validated files are looked up and stored here by hash (needs sha256) */
  cache?: FileCache;
  size?: number;
  signal?: AbortSignal;
}

export async function fetchValidated(fetchFn: FetchLike, url: string, expected: FetchExpectation): Promise<Uint8Array> {
  if (expected.sha256 !== undefined && !/^[0-9a-f]{32}([0-9a-f]{32})?$/.test(expected.sha256)) {
    throw new FormatError('BAD_HASH', `the expected hash of ${url} is not 32 or 64 hex digits`, { field: 'sha256' });
  }
  const cached = expected.cache && expected.sha256 ? await expected.cache.get(expected.sha256) : undefined;
  if (cached) return cached;
  let response: Response;
  try {
    response = await fetchFn(url, { signal: expected.signal });
  } catch (error) {
    throwIfCancelled(expected.signal);
    throw new NetworkError('UNREACHABLE', `cannot reach ${url}: ${(error as Error).message}`, { url });
  }
  if (response.status !== 200) throw new NetworkError('HTTP_STATUS', `${url} answered HTTP ${response.status}`, { url, status: response.status });
  const type = response.headers.get('content-type') ?? '';
  if (/text\/html/i.test(type)) {
    throw new NetworkError('HTML_RESPONSE', `${url} returned an HTML page instead of a ${expected.kind} file (missing file behind a static-site fallback?)`, { url });
  }
  const declared = Number(response.headers.get('content-length'));
  if (declared > expected.maxBytes) throw new NetworkError('TOO_LARGE', `${url} is ${declared} bytes; the limit is ${expected.maxBytes}`, { url });
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throwIfCancelled(expected.signal);
    throw new NetworkError('UNREACHABLE', `${url} broke off while downloading: ${(error as Error).message}`, { url });
  }
  if (bytes.length > expected.maxBytes) throw new NetworkError('TOO_LARGE', `${url} is ${bytes.length} bytes; the limit is ${expected.maxBytes}`, { url });
  if (!MAGIC[expected.kind](bytes)) throw new NetworkError('BAD_MAGIC', `${url} is not a ${expected.kind} file`, { url });
  if (expected.size !== undefined && bytes.length !== expected.size) {
    throw new NetworkError('SIZE_MISMATCH', `${url} is ${bytes.length} bytes, the index says ${expected.size}`, { url });
  }
  if (expected.sha256 !== undefined && !(await sha256Hex(bytes)).startsWith(expected.sha256)) {
    throw new NetworkError('HASH_MISMATCH', `${url} does not match its SHA-256 in the index`, { url });
  }
  if (expected.cache && expected.sha256) await expected.cache.set(expected.sha256, bytes);
  return bytes;
}

/** Fetches and validates a catalog index; `base` is the catalog's URL, ending in '/'. */
export async function loadCatalogIndex(fetchFn: FetchLike, base: string, signal?: AbortSignal): Promise<CatalogIndex> {
  const bytes = await fetchValidated(fetchFn, resolveUrl(base, CATALOG_INDEX), { kind: 'json', maxBytes: 64 * 2 ** 20, signal });
  let value: unknown;
  const text = new TextDecoder().decode(bytes);
  checkJsonDepth(text, CATALOG_INDEX);
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FormatError('BAD_INDEX', `${CATALOG_INDEX} is not valid JSON: ${(error as Error).message}`, { field: '' });
  }
  return checkCatalogIndex(value);
}

/** Fetches one island's shard, checks its hash, and decodes its specs. */
export async function loadShard(fetchFn: FetchLike, base: string, island: Island, signal?: AbortSignal, cache?: FileCache): Promise<StatSpec[]> {
  if (!island.shard) throw new InputError('NO_SHARD', `island ${island.id} has the sketch layout: search it with its sketch index`);
  const bytes = await fetchValidated(fetchFn, resolveUrl(base, island.shard.file), {
    kind: 'shard',
    maxBytes: 512 * 2 ** 20,
    sha256: island.shard.sha256,
    size: island.shard.size,
    signal,
    cache,
  });
  const specs = specType(island.type).decodeShard(bytes);
  if (specs.length !== island.count) throw new FormatError('BAD_SHARD', `shard of ${island.id} holds ${specs.length} specs, the index says ${island.count}`, { field: 'islands' });
  return specs;
}

const SAFE_PATH = /^(bundles\/[0-9a-f]{64}\.zip|(shards|sketch)\/[A-Za-z0-9._-]+\.bin)$/;

/** Structural check of an index from the network: every path relative and safe, every reference resolvable. */
export function checkCatalogIndex(value: unknown): CatalogIndex {
  const fail = (field: string, message: string, code: ErrorCode = 'BAD_INDEX'): never => {
    throw new FormatError(code, `${CATALOG_INDEX}: ${message}`, { field });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('', 'the index must be a JSON object');
  const index = value as CatalogIndex;
  if (index.format !== CATALOG_FORMAT) fail('format', `format must be "${CATALOG_FORMAT}"`);
  if (index.formatVersion !== CATALOG_FORMAT_VERSION && index.formatVersion !== 1) fail('formatVersion', `formatVersion ${JSON.stringify(index.formatVersion)} is not supported`);
  if (!Array.isArray(index.islands) || !Array.isArray(index.entries)) fail('entries', 'islands and entries must be arrays');
  const fileRef = (ref: FileRef, field: string) => {
    if (!ref || typeof ref.file !== 'string' || !SAFE_PATH.test(ref.file)) fail(field, `${field} must be a relative bundles/, shards/ or sketch/ path`);
    if (!/^[0-9a-f]{64}$/.test(ref.sha256) || !Number.isInteger(ref.size) || ref.size < 0) fail(field, `${field} needs a sha256 and a size`);
  };
  const islands = new Map<string, Island>();
  index.islands.forEach((island, i) => {
    if (typeof island?.id !== 'string' || islands.has(island.id)) fail(`islands[${i}].id`, 'island ids must be unique strings');
    if (!Number.isInteger(island.d) || island.d < 1) fail(`islands[${i}].d`, 'd must be a positive integer');
    if (!Array.isArray(island.features) || island.features.some((f) => typeof f !== 'string')) fail(`islands[${i}].features`, 'features must be a list of names');
    if (island.features.length !== island.d) fail(`islands[${i}].features`, `island ${island.id} has d = ${island.d} but ${island.features.length} feature names`);
    const twice = island.features.find((f, j) => island.features.indexOf(f) !== j);
    if (twice !== undefined) fail(`islands[${i}].features`, `island ${island.id} names the feature ${JSON.stringify(twice)} twice`, 'DUPLICATE_COLUMN');
    if (typeof island.type !== 'string') fail(`islands[${i}].type`, 'type must name a spec type');
    let type;
    try {
      type = specType(island.type);
    } catch {
      fail(`islands[${i}].type`, `island ${island.id} has the spec type "${island.type}", which this version cannot read`);
    }
    if (index.formatVersion === 1) upgradeIsland(island);
    const problem = type!.checkSettings(island.settings, island);
    if (problem) fail(`islands[${i}].settings`, `island ${island.id}: ${problem}`);
    if (!Number.isInteger(island.count) || island.count < 0) fail(`islands[${i}].count`, 'count must be a non-negative integer');
    if ((island.shard === undefined) === (island.sketch === undefined)) fail(`islands[${i}]`, 'an island has either a shard or a sketch index');
    if (island.shard) fileRef(island.shard, `islands[${i}].shard`);
    if (island.sketch) fileRef(island.sketch, `islands[${i}].sketch`);
    if (island.columns !== undefined) checkColumns(island, `islands[${i}].columns`, fail);
    islands.set(island.id, island);
  });
  index.islands.forEach((island, i) => {
    if (island.links === undefined) return;
    const field = `islands[${i}].links`;
    if (!Array.isArray(island.links)) fail(field, 'links must be a list');
    for (const link of island.links) {
      const other = typeof link?.island === 'string' && islands.has(link.island) ? islands.get(link.island)! : fail(field, 'a link must name another island of the index');
      if (!Array.isArray(link.pairs) || link.pairs.length === 0) fail(field, 'a link needs its column pairs');
      for (const p of link.pairs) {
        const ok =
          typeof p?.from === 'string' &&
          island.features.includes(p.from) &&
          typeof p.to === 'string' &&
          other.features.includes(p.to) &&
          Number.isFinite(p.factor) &&
          p.factor !== 0 &&
          Number.isFinite(p.offset) &&
          typeof p.confidence === 'number' &&
          p.confidence >= 0 &&
          p.confidence <= 1;
        if (!ok)
          fail(field, `link ${island.id} → ${other.id}: each pair needs from (a column here), to (a column there), a finite non-zero factor, an offset and a confidence in [0, 1]`);
      }
    }
  });
  // Maps, never `in` or plain objects: an id such as "constructor" or "__proto__" is only a string here
  const ids = new Map<string, number>();
  const bundles = new Map<string, string>();
  const slots = new Map<string, string>();
  index.entries.forEach((entry, i) => {
    if (typeof entry?.id !== 'string' || typeof entry.name !== 'string') fail(`entries[${i}]`, 'entries need an id and a name');
    if (ids.has(entry.id)) fail(`entries[${i}].id`, `the id ${JSON.stringify(entry.id)} is listed twice (entries ${ids.get(entry.id)} and ${i})`, 'DUPLICATE_ID');
    ids.set(entry.id, i);
    fileRef(entry.bundle, `entries[${i}].bundle`);
    if (entry.bundle.file !== `bundles/${entry.bundle.sha256}.zip`) fail(`entries[${i}].bundle`, 'bundles are content-addressed: bundles/<sha256>.zip');
    const owner = bundles.get(entry.bundle.sha256);
    if (owner !== undefined) fail(`entries[${i}].bundle`, `entry ${entry.id} names the bundle of entry ${owner} (it would run that model)`, 'DUPLICATE_BUNDLE');
    bundles.set(entry.bundle.sha256, entry.id);
    const island = islands.get(entry.island);
    if (!island) fail(`entries[${i}].island`, `entry ${entry.id} points to an unknown island`);
    if (!island!.shard) fail(`entries[${i}].island`, `entry ${entry.id} is listed inline but its island has the sketch layout`);
    if (!Number.isInteger(entry.shardIndex) || entry.shardIndex < 0 || entry.shardIndex >= island!.count) fail(`entries[${i}].shardIndex`, 'shardIndex is out of range');
    if (!Number.isInteger(entry.shardOffset) || entry.shardOffset < 0 || entry.shardOffset >= island!.shard!.size) {
      fail(`entries[${i}].shardOffset`, `shardOffset ${JSON.stringify(entry.shardOffset)} is not a byte offset inside the ${island!.shard!.size}-byte shard`);
    }
    const slot = `${island!.id}#${entry.shardIndex}`;
    if (slots.has(slot)) fail(`entries[${i}].shardIndex`, `entries ${slots.get(slot)} and ${entry.id} share the spec ${entry.shardIndex} of island ${island!.id}`);
    slots.set(slot, entry.id);
    checkEntryFields(entry, `entries[${i}]`, fail);
  });
  for (const island of index.islands) {
    if (island.shard && [...slots.keys()].filter((s) => s.startsWith(`${island.id}#`)).length !== island.count) {
      fail('entries', `island ${island.id} has ${island.count} specs but ${[...slots.keys()].filter((s) => s.startsWith(`${island.id}#`)).length} entries`);
    }
  }
  index.formatVersion = CATALOG_FORMAT_VERSION;
  return index;
}

/** The fields of an entry the search, the cards and reuse read: a valid semantic spec, the output contract, counts. */
function checkEntryFields(entry: CatalogEntry, field: string, fail: (field: string, message: string, code?: ErrorCode) => never): void {
  const problems = checkSemanticSpec(entry.semantic);
  if (problems.length > 0)
    fail(`${field}.semantic`, `entry ${entry.id}: semantic${problems[0].field === 'semantic' ? '' : `.${problems[0].field}`}: ${problems[0].message}`, 'MISSING_FIELD');
  const output = entry.output as Partial<CatalogEntry['output']> | null | undefined;
  if (typeof output !== 'object' || output === null) return void fail(`${field}.output`, `entry ${entry.id} has no output`, 'MISSING_FIELD');
  if (output.kind !== 'probabilities' && output.kind !== 'labels' && output.kind !== 'regression')
    fail(`${field}.output.kind`, `entry ${entry.id}: output.kind must be probabilities, labels or regression`, 'MISSING_FIELD');
  if (!Number.isInteger(output.width) || output.width! < 1) fail(`${field}.output.width`, `entry ${entry.id}: output.width must be a positive integer`, 'MISSING_FIELD');
  if (output.kind === 'regression') {
    if (output.classes !== null) fail(`${field}.output.classes`, `entry ${entry.id}: a regression entry has classes: null`);
  } else {
    if (!Array.isArray(output.classes) || output.classes.length < 2 || output.classes.some((c) => typeof c !== 'string'))
      fail(`${field}.output.classes`, `entry ${entry.id}: a classifier entry lists at least two class names`, 'MISSING_FIELD');
    const bad = classNameProblems(output.classes!);
    if (bad.length > 0) fail(`${field}.output.classes`, `entry ${entry.id}: ${bad[0].message}`, bad[0].code);
  }
  if (!Number.isInteger(entry.numPoints) || entry.numPoints < 0 || !Number.isInteger(entry.K) || entry.K < 1)
    fail(field, `entry ${entry.id}: numPoints and K must be counts`, 'MISSING_FIELD');
}

/** An island's `columns`: one per feature, in order, each with a finite signature or none. */
function checkColumns(island: Island, field: string, fail: (field: string, message: string) => never): void {
  const columns = island.columns;
  if (!Array.isArray(columns) || columns.length !== island.features.length) fail(field, 'columns must list every feature of the island');
  columns!.forEach((c, j) => {
    if (c?.name !== island.features[j]) fail(field, `columns[${j}] must be the feature "${island.features[j]}"`);
    if (c.description !== null && typeof c.description !== 'string') fail(field, `columns[${j}].description must be text or null`);
    const s = c.signature;
    if (s === null) return;
    const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
    const ok =
      typeof s === 'object' &&
      [s.mean, s.std, s.skew, s.kurt, s.min, s.max].every(finite) &&
      s.std > 0 &&
      Array.isArray(s.q) &&
      s.q.length === SIGNATURE_LEVELS.length &&
      s.q.every(finite) &&
      (s.integer === null || (finite(s.integer) && s.integer >= 0 && s.integer <= 1));
    if (!ok) fail(field, `columns[${j}].signature must hold a finite mean, a positive std, ${SIGNATURE_LEVELS.length} quantiles, skew, kurt, min, max and integer (a share or null)`);
  });
}

/** Version 1 indexes (table islands only) kept γ and the scale beside the island's other fields. */
function upgradeIsland(island: Island): void {
  const old = island as Island & { gamma?: unknown; scale?: unknown };
  island.settings = { gamma: old.gamma, scale: old.scale };
  delete old.gamma;
  delete old.scale;
}

export function resolveUrl(base: string, path: string): string {
  return base.endsWith('/') ? base + path : `${base}/${path}`;
}
