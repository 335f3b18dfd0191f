/** `learnware-dock catalog build|merge|add`: write a static catalog directory (docs/catalog-format.md). */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import {
  buildCatalog,
  CATALOG_INDEX,
  catalogMembers,
  checkBundle,
  checkCatalogIndex,
  inspectBundle,
  InputError,
  sha256Hex,
  type BuildResult,
  type CatalogIndex,
  type Member,
} from '../../engine/index.js';
import { buildCheckedCatalog, type CheckedBundle } from '../../engine/catalog/catalog.js';
import { parseArgs, usage, type ParsedArgs } from '../args.js';
import { insideCatalog, withCatalogLock } from '../catalog-files.js';
import { CHECK_DEADLINE_MS, checkInThreads } from '../check-pool.js';
import { readInput, readJson } from '../files.js';
import { threadsOption } from '../node-backend.js';

/** More check threads than this would only crowd the machine (each brings a model host's thread too). */
const MAX_THREADS = 256;
/** a check thread's start (the TypeScript loader, the checker, onnxruntime: 1–2 s of CPU) costs about as much as checking this many table bundles */
const BUNDLES_PER_DEFAULT_THREAD = 128;

export const CATALOG_HELP = `learnware-dock catalog build <bundles-dir> --out <catalog-dir> [--threads N] [--skip-unusable] [--layout auto|shard|sketch]
learnware-dock catalog build <bundles-dir> --part <i>/<n> --out <part-dir> [--threads N]
learnware-dock catalog merge <part-dir>... --out <catalog-dir> [--skip-unusable] [--layout auto|shard|sketch]
learnware-dock catalog add <catalog-dir> <bundle.zip>

build  checks every *.zip in <bundles-dir> and writes a static catalog: catalog.json (index),
       bundles/<sha256>.zip (content-addressed), shards/<island>-<hash>.bin (packed specs).
       Any bundle that is not USABLE stops the build (nothing is written) unless --skip-unusable.
       --layout sketch gives islands a sketch index (sketch/, specs/, cards/) searched by
       downloading small parts; auto (default) does so for islands with over 16 MiB of specs.
       Islands whose columns correspond (other names, other units) are linked; each link is
       printed, one line per pair of islands (docs/catalog-format.md, "Links").
       --threads N checks N bundles at a time, each on a worker thread of its own (default: one
       per core, at most one per ${BUNDLES_PER_DEFAULT_THREAD} bundles; 1: on the main thread). The catalog is the
       same, byte for byte, whatever N. A bundle whose check crashes its thread or runs past
       ${CHECK_DEADLINE_MS / 1000} s is INVALID (CHECK_CRASHED, CHECK_TIMEOUT).
       --part i/n checks only the i-th of n shares of the bundles (every n-th in name order) and
       writes a part (part.json and the USABLE bundles) for merge; n parts can run on n machines.
merge  combines the n parts of one bundles directory into the catalog a single build writes
       (the same bytes when SOURCE_DATE_EPOCH fixes the creation time); the bundles are not run again.
       SOURCE_DATE_EPOCH (seconds) sets the index's createdAt for build and merge.
add    checks one bundle and adds it to an existing catalog. New files are written first and the
       index is replaced last in one rename, so a failed add leaves the catalog as it was.
       build and add hold <catalog-dir>/.learnware-dock.lock while they write: concurrent adds
       wait for each other (LEARNWARE_DOCK_LOCK_TIMEOUT_MS, default 120000) and none is lost.
       The index is validated like a downloaded one: no path in it reaches outside the catalog.`;

export async function catalogCommand(argv: readonly string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action === 'build') return build(rest);
  if (action === 'merge') return merge(rest);
  if (action === 'add') return add(rest);
  throw usage(`catalog needs build, merge or add, got ${JSON.stringify(action ?? '')}`);
}

async function build(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, ['out', 'layout', 'part', 'threads'], ['skip-unusable']);
  const layout = layoutOption(args);
  // how many bundles are checked at a time; undefined when not given (checkAll chooses)
  const threads = threadsOption(args, MAX_THREADS);
  if (args.positionals.length !== 1) throw usage('catalog build needs one bundles directory');
  const out = args.options.get('out');
  if (typeof out !== 'string') throw usage('catalog build needs --out <catalog-dir>');
  const dir = args.positionals[0];
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.zip'))
      .sort();
  } catch {
    throw new InputError('FILE_NOT_FOUND', `cannot read the directory ${dir}`);
  }
  if (names.length === 0) throw new InputError('NO_BUNDLES', `${dir} holds no .zip bundles`);
  const part = args.options.get('part');
  if (part !== undefined) return buildPart(dir, names, String(part), out, threads);
  const bundles = names.map((name) => ({ file: name, bytes: readInput(join(dir, name), MAX_BUNDLE_BYTES) }));
  const result = await buildCheckedCatalog(await checkAll(bundles, threads), [], { layout, createdAt: sourceDate() });
  reportRejected(result);
  if (result.rejected.length > 0 && !args.options.has('skip-unusable')) {
    throw new InputError('NOT_USABLE', `${result.rejected.length} of ${names.length} bundles are not USABLE (listed above); nothing written`);
  }
  if (result.index.islands.length === 0) throw new InputError('NO_BUNDLES', 'no USABLE bundle to put in the catalog');
  mkdirSync(out, { recursive: true });
  await withCatalogLock(out, async () => writeCatalog(out, result));
  process.stdout.write(`catalog ${out}: ${learnwareCount(result.index)} learnwares in ${result.index.islands.length} islands\n`);
  reportLinks(result.index);
}

const MAX_BUNDLE_BYTES = 256 * 2 ** 20;
const PART_FILE = 'part.json';
const PART_FORMAT = 'learnware-dock/catalog-part';

/** What a part records (docs/catalog-format.md, "Building in parts"). */
interface CatalogPart {
  format: typeof PART_FORMAT;
  formatVersion: 1;
  part: number;
  parts: number;
  /** SHA-256 of the whole directory's bundle names (sorted, one per line): the parts of one build share it */
  names: string;
  usable: { file: string; sha256: string; size: number }[];
  rejected: { file: string; status: string; reasons: { code: string; message: string }[] }[];
}

/** The index's creation time: SOURCE_DATE_EPOCH (seconds, the reproducible-builds convention) when set, else now. */
function sourceDate(): Date | undefined {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return undefined;
  if (!/^\d{1,12}$/.test(epoch)) throw usage(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got ${JSON.stringify(epoch)}`);
  return new Date(Number(epoch) * 1000);
}

/** `build --part i/n`: checks every n-th bundle from the i-th and writes the USABLE ones and the verdicts to <part-dir>. */
async function buildPart(dir: string, names: string[], spec: string, out: string, threads: number | undefined): Promise<void> {
  const match = /^(\d{1,6})\/(\d{1,6})$/.exec(spec);
  const [i, n] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!match || n < 1 || i < 1 || i > n) throw usage(`--part must be i/n with 1 ≤ i ≤ n, got ${JSON.stringify(spec)}`);
  const part: CatalogPart = { format: PART_FORMAT, formatVersion: 1, part: i, parts: n, names: await namesDigest(names), usable: [], rejected: [] };
  const share = names.filter((_, k) => k % n === i - 1).map((name) => ({ file: name, bytes: readInput(join(dir, name), MAX_BUNDLE_BYTES) }));
  const bundles = new Map<string, Uint8Array>();
  for (const { file, bytes, result } of await checkAll(share, threads)) {
    if (result.status === 'USABLE') {
      part.usable.push({ file, sha256: result.sha256, size: bytes.length });
      bundles.set(`bundles/${result.sha256}.zip`, bytes);
    } else {
      part.rejected.push({ file, status: result.status, reasons: result.reasons.map((r) => ({ code: r.code, message: r.message })) });
    }
  }
  for (const r of part.rejected) reportVerdict(r.file, r.status, r.reasons);
  mkdirSync(join(out, 'bundles'), { recursive: true });
  for (const [path, bytes] of bundles) writeFileSync(join(out, path), bytes);
  writeFileSync(join(out, PART_FILE), JSON.stringify(part) + '\n');
  process.stdout.write(`part ${i}/${n} ${out}: ${part.usable.length} USABLE, ${part.rejected.length} not, of ${names.length} bundles in ${dir}\n`);
}

/**
 * The verdict on every bundle, in the bundles' order: checked on this thread (`--threads 1`) or on
 * a pool of check threads. `threads` undefined: one per core, but no more than one per
 * BUNDLES_PER_DEFAULT_THREAD bundles, so a small build stays on this thread.
 */
async function checkAll(bundles: { file: string; bytes: Uint8Array }[], threads: number | undefined): Promise<CheckedBundle[]> {
  const lanes = threads ?? Math.max(1, Math.min(availableParallelism(), Math.floor(bundles.length / BUNDLES_PER_DEFAULT_THREAD)));
  if (lanes === 1) {
    const checked: CheckedBundle[] = [];
    for (const { file, bytes } of bundles) checked.push({ file, bytes, result: await checkBundle(bytes) });
    return checked;
  }
  const results = await checkInThreads(
    bundles.map((b) => b.bytes),
    lanes,
  );
  return bundles.map((b, k) => ({ ...b, result: results[k] }));
}

async function namesDigest(names: readonly string[]): Promise<string> {
  return sha256Hex(new TextEncoder().encode(names.map((name) => `${name}\n`).join('')));
}

/** A part.json, checked field by field (it is read from a directory another machine wrote). */
function readPart(dir: string): CatalogPart {
  const value = readJson(join(dir, PART_FILE)) as Partial<CatalogPart> | null;
  const bad = (what: string): never => {
    throw new InputError('BAD_PART', `${join(dir, PART_FILE)} is not a catalog part: ${what}`);
  };
  if (typeof value !== 'object' || value === null || value.format !== PART_FORMAT || value.formatVersion !== 1) bad(`format ${PART_FORMAT} version 1 expected`);
  const { part, parts, names, usable, rejected } = value!;
  if (!Number.isInteger(parts) || parts! < 1 || !Number.isInteger(part) || part! < 1 || part! > parts!) bad('part must be i of n with 1 ≤ i ≤ n');
  if (typeof names !== 'string' || !/^[0-9a-f]{64}$/.test(names)) bad('names must be a SHA-256');
  if (!Array.isArray(usable) || !Array.isArray(rejected)) bad('usable and rejected must be lists');
  for (const u of usable!) {
    if (typeof u?.file !== 'string' || typeof u.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(u.sha256) || !Number.isInteger(u.size))
      bad('every usable bundle needs file, sha256 and size');
  }
  for (const r of rejected!) if (typeof r?.file !== 'string' || typeof r.status !== 'string' || !Array.isArray(r.reasons)) bad('every rejected bundle needs file, status and reasons');
  return value as CatalogPart;
}

/** `merge`: the n parts of one build → the catalog that build writes, without running the bundles again. */
async function merge(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, ['out', 'layout'], ['skip-unusable']);
  const layout = layoutOption(args);
  const out = args.options.get('out');
  if (typeof out !== 'string') throw usage('catalog merge needs --out <catalog-dir>');
  if (args.positionals.length === 0) throw usage('catalog merge needs the part directories');
  const parts = args.positionals.map((dir) => ({ dir, part: readPart(dir) }));
  const { parts: n, names } = parts[0].part;
  const seen = new Set<number>();
  for (const { dir, part } of parts) {
    if (part.parts !== n || part.names !== names) throw new InputError('PART_MISMATCH', `${dir} is part ${part.part}/${part.parts} of another build than ${parts[0].dir}`);
    if (seen.has(part.part)) throw new InputError('PART_MISMATCH', `part ${part.part}/${n} is given twice`);
    seen.add(part.part);
  }
  const missing = Array.from({ length: n }, (_, k) => k + 1).filter((k) => !seen.has(k));
  if (missing.length > 0) throw new InputError('PART_MISSING', `parts ${missing.map((k) => `${k}/${n}`).join(', ')} are missing; nothing written`);
  const rejected = parts.flatMap(({ part }) => part.rejected);
  for (const r of rejected) reportVerdict(r.file, r.status, r.reasons);
  if (rejected.length > 0 && !args.options.has('skip-unusable')) throw new InputError('NOT_USABLE', `${rejected.length} bundles are not USABLE (listed above); nothing written`);
  const members: Member[] = [];
  const files = new Map<string, Uint8Array>();
  for (const { dir, part } of parts) {
    for (const u of part.usable) {
      const path = `bundles/${u.sha256}.zip`;
      const bytes = readInput(insideCatalog(dir, path), MAX_BUNDLE_BYTES);
      // the part's verdict stands for these bytes only: the same hash, and every check but the model run again
      const inspected = await inspectBundle(bytes);
      if ('status' in inspected || inspected.sha256 !== u.sha256 || bytes.length !== u.size) {
        throw new InputError('HASH_MISMATCH', `${join(dir, path)} is not the bundle ${u.file} that part ${part.part}/${n} checked; nothing written`);
      }
      members.push({ manifest: inspected.manifest, spec: inspected.spec, bundle: { file: path, sha256: u.sha256, size: bytes.length } });
      files.set(path, bytes);
    }
  }
  const result = await buildCatalog([], members, { layout, createdAt: sourceDate() });
  if (result.index.islands.length === 0) throw new InputError('NO_BUNDLES', 'no USABLE bundle to put in the catalog');
  for (const [path, bytes] of files) result.files.set(path, bytes);
  mkdirSync(out, { recursive: true });
  await withCatalogLock(out, async () => writeCatalog(out, result));
  process.stdout.write(`catalog ${out}: ${learnwareCount(result.index)} learnwares in ${result.index.islands.length} islands, from ${n} parts\n`);
  reportLinks(result.index);
}

async function add(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, []);
  if (args.positionals.length !== 2) throw usage('catalog add needs <catalog-dir> <bundle.zip>');
  const [root, bundleFile] = args.positionals;
  const indexPath = join(root, CATALOG_INDEX);
  if (!existsSync(indexPath)) throw new InputError('NO_CATALOG', `${root} has no ${CATALOG_INDEX}`);
  const bundle = readInput(bundleFile, 256 * 2 ** 20);
  // the check (which runs the model) happens before the lock is taken: other adds need not wait for it
  const check = await checkBundle(bundle);
  if (check.status !== 'USABLE') {
    reportVerdict(bundleFile, check.status, check.reasons);
    throw new InputError('NOT_USABLE', `${bundleFile} is ${check.status}; the catalog is unchanged`);
  }
  const added: Member = { manifest: check.manifest!, spec: check.spec!, bundle: { file: `bundles/${check.sha256}.zip`, sha256: check.sha256, size: bundle.length } };
  // one writer at a time: the index is read, extended and replaced under the lock, so a concurrent
  // add cannot replace it with one that lacks this entry (or this one lack the other's)
  const { index, result } = await withCatalogLock(root, async () => {
    const index = await readCatalog(root);
    const shards = new Map<string, Uint8Array>();
    for (const island of index.islands) if (island.shard) shards.set(island.shard.file, await readShard(root, island.shard));
    const result = await buildCatalog([], [...catalogMembers(index, shards), added]);
    result.files.set(added.bundle.file, bundle);
    writeCatalog(root, result);
    // shards no longer referenced by the new index (each checked to lie inside the catalog)
    const live = new Set(result.index.islands.map((i) => i.shard?.file));
    for (const island of index.islands) if (island.shard && !live.has(island.shard.file)) rmSync(insideCatalog(root, island.shard.file), { force: true });
    return { index, result };
  });
  process.stdout.write(`catalog ${root}: ${learnwareCount(result.index)} learnwares in ${result.index.islands.length} islands\n`);
  reportLinks(result.index, index);
}

/**
 * One line per link the index holds (each pair of islands once; for `add`, the links the old
 * index did not have as they are): the columns paired, this = factor · that + offset
 * (docs/catalog-format.md "Links").
 */
function reportLinks(index: CatalogIndex, before?: CatalogIndex): void {
  const old = new Set((before?.islands ?? []).flatMap((i) => (i.links ?? []).map((l) => `${i.id} ${JSON.stringify(l)}`)));
  for (const island of index.islands) {
    for (const link of island.links ?? []) {
      if (link.island < island.id || old.has(`${island.id} ${JSON.stringify(link)}`)) continue;
      const pairs = link.pairs.map((p) => `${p.from} = ${affine(p.factor, p.offset, p.to)}`).join(', ');
      const sure = Math.min(...link.pairs.map((p) => p.confidence));
      process.stdout.write(`link ${island.id} ↔ ${link.island}: ${pairs} (${link.pairs.length} of ${island.features.length} columns, confidence ≥ ${sure})\n`);
    }
  }
}

function affine(factor: number, offset: number, column: string): string {
  const scaled = factor === 1 ? column : `${factor} × ${column}`;
  return offset === 0 ? scaled : `${scaled} ${offset < 0 ? '−' : '+'} ${Math.abs(offset)}`;
}

function learnwareCount(index: CatalogIndex): number {
  return index.islands.reduce((s, i) => s + i.count, 0);
}

/** The catalog's index, validated as a downloaded one is (fetch.ts): safe relative paths only. */
async function readCatalog(root: string): Promise<CatalogIndex> {
  return checkCatalogIndex(readJson(insideCatalog(root, CATALOG_INDEX)));
}

/** A shard the index points to: inside the catalog, with the size and SHA-256 the index gives. */
async function readShard(root: string, ref: { file: string; sha256: string; size: number }): Promise<Uint8Array> {
  const bytes = readInput(insideCatalog(root, ref.file));
  if (bytes.length !== ref.size || (await sha256Hex(bytes)) !== ref.sha256) {
    throw new InputError('HASH_MISMATCH', `${join(root, ref.file)} does not match its size and SHA-256 in ${CATALOG_INDEX}; the catalog is unchanged`, { file: ref.file });
  }
  return bytes;
}

/** Immutable files first (skipping ones already there with the same content, rewriting ones that differ), the index last. */
function writeCatalog(root: string, result: BuildResult): void {
  const replace = (target: string, bytes: Uint8Array) => {
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, target);
  };
  for (const [path, bytes] of result.files) {
    if (path === CATALOG_INDEX) continue;
    const target = insideCatalog(root, path);
    if (existsSync(target)) {
      // content-addressed names: a file already there is kept only when it holds exactly these bytes
      if (Buffer.from(bytes).equals(readFileSync(target))) continue;
      process.stderr.write(`warning[REPAIRED]: ${target} did not hold the bytes its name stands for (corrupted or replaced); rewritten\n`);
    }
    mkdirSync(dirname(target), { recursive: true });
    replace(target, bytes);
  }
  replace(insideCatalog(root, CATALOG_INDEX), result.files.get(CATALOG_INDEX)!);
}

function reportRejected(result: BuildResult): void {
  for (const { file, result: r } of result.rejected) reportVerdict(file, r.status, r.reasons);
}

/** One stderr line per bundle that is not USABLE: its file, status and every reason. */
function reportVerdict(file: string, status: string, reasons: readonly { code: string; message: string }[]): void {
  process.stderr.write(`${file}: ${status}${reasons.map((x) => `; ${x.code}: ${x.message}`).join('')}\n`);
}

/** --layout of build and merge (docs/catalog-format.md, "Sketch layout"). */
function layoutOption(args: ParsedArgs): 'auto' | 'shard' | 'sketch' {
  const layout = args.options.get('layout') ?? 'auto';
  if (layout !== 'auto' && layout !== 'shard' && layout !== 'sketch') throw usage(`--layout must be auto, shard or sketch, got ${JSON.stringify(layout)}`);
  return layout;
}
