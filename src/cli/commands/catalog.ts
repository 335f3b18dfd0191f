/** `learnware-dock catalog build|add`: write a static catalog directory (docs/catalog-format.md). */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildCatalog, CATALOG_INDEX, catalogMembers, InputError, type BuildResult, type CatalogIndex } from '../../engine/index.js';
import { parseArgs, usage } from '../args.js';
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
       index is replaced last in one rename, so a failed add leaves the catalog as it was.`;

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
  writeCatalog(out, result);
  process.stdout.write(`catalog ${out}: ${learnwareCount(result.index)} learnwares in ${result.index.islands.length} islands\n`);
  reportLinks(result.index);
}

async function add(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, []);
  if (args.positionals.length !== 2) throw usage('catalog add needs <catalog-dir> <bundle.zip>');
  const [root, bundleFile] = args.positionals;
  const indexPath = join(root, CATALOG_INDEX);
  if (!existsSync(indexPath)) throw new InputError('NO_CATALOG', `${root} has no ${CATALOG_INDEX}`);
  const index = readJson(indexPath) as CatalogIndex;
  const shards = new Map(index.islands.flatMap((i) => (i.shard ? [[i.shard.file, readInput(join(root, i.shard.file))] as const] : [])));
  const members = catalogMembers(index, shards);
  const result = await buildCatalog([{ file: bundleFile, bytes: readInput(bundleFile, 256 * 2 ** 20) }], members);
  reportRejected(result);
  if (result.rejected.length > 0) throw new InputError('NOT_USABLE', `${bundleFile} is ${result.rejected[0].result.status}; the catalog is unchanged`);
  writeCatalog(root, result);
  // shards no longer referenced by the new index
  const live = new Set(result.index.islands.map((i) => i.shard?.file));
  for (const island of index.islands) if (island.shard && !live.has(island.shard.file)) rmSync(join(root, island.shard.file), { force: true });
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

/** Immutable files first (skipping ones already there: same name, same content), the index last. */
function writeCatalog(root: string, result: BuildResult): void {
  for (const [path, bytes] of result.files) {
    if (path === CATALOG_INDEX) continue;
    const target = join(root, path);
    if (existsSync(target)) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target + '.tmp', bytes);
    renameSync(target + '.tmp', target);
  }
  const indexPath = join(root, CATALOG_INDEX);
  writeFileSync(indexPath + '.tmp', result.files.get(CATALOG_INDEX)!);
  renameSync(indexPath + '.tmp', indexPath);
}

function reportRejected(result: BuildResult): void {
  for (const { file, result: r } of result.rejected) {
    process.stderr.write(`${file}: ${r.status}${r.reasons.map((x) => `; ${x.code}: ${x.message}`).join('')}\n`);
  }
}
