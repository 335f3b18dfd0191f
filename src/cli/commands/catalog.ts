/** `learnware-dock catalog build|add`: write a static catalog directory (docs/catalog-format.md). */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  buildCatalog,
  CATALOG_INDEX,
  catalogMembers,
  checkBundle,
  checkCatalogIndex,
  InputError,
  sha256Hex,
  type BuildResult,
  type CatalogIndex,
  type Member,
} from '../../engine/index.js';
import { parseArgs, usage } from '../args.js';
import { insideCatalog, withCatalogLock } from '../catalog-files.js';
import { readInput, readJson } from '../files.js';

export const CATALOG_HELP = `learnware-dock catalog build <bundles-dir> --out <catalog-dir> [--skip-unusable] [--layout auto|shard|sketch]
learnware-dock catalog add <catalog-dir> <bundle.zip>

build  checks every *.zip in <bundles-dir> and writes a static catalog: catalog.json (index),
       bundles/<sha256>.zip (content-addressed), shards/<island>-<hash>.bin (packed specs).
       Any bundle that is not USABLE stops the build (nothing is written) unless --skip-unusable.
       --layout sketch gives islands a sketch index (sketch/, specs/, cards/) searched by
       downloading small parts; auto (default) does so for islands with over 16 MiB of specs.
       Islands whose columns correspond (other names, other units) are linked; each link is
       printed, one line per pair of islands (docs/catalog-format.md, "Links").
add    checks one bundle and adds it to an existing catalog. New files are written first and the
       index is replaced last in one rename, so a failed add leaves the catalog as it was.
       build and add hold <catalog-dir>/.learnware-dock.lock while they write: concurrent adds
       wait for each other (LEARNWARE_DOCK_LOCK_TIMEOUT_MS, default 120000) and none is lost.
       The index is validated like a downloaded one: no path in it reaches outside the catalog.`;

export async function catalogCommand(argv: readonly string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action === 'build') return build(rest);
  if (action === 'add') return add(rest);
  throw usage(`catalog needs build or add, got ${JSON.stringify(action ?? '')}`);
}

async function build(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, ['out', 'layout'], ['skip-unusable']);
  const layout = args.options.get('layout') ?? 'auto';
  if (layout !== 'auto' && layout !== 'shard' && layout !== 'sketch') throw usage(`--layout must be auto, shard or sketch, got ${JSON.stringify(layout)}`);
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
  const result = await buildCatalog(
    names.map((name) => ({ file: name, bytes: readInput(join(dir, name), 256 * 2 ** 20) })),
    [],
    { layout },
  );
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
    process.stderr.write(`${bundleFile}: ${check.status}${check.reasons.map((x) => `; ${x.code}: ${x.message}`).join('')}\n`);
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
  for (const { file, result: r } of result.rejected) {
    process.stderr.write(`${file}: ${r.status}${r.reasons.map((x) => `; ${x.code}: ${x.message}`).join('')}\n`);
  }
}
