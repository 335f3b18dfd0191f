/**
 * The static catalog (docs/catalog-format.md): content-addressed bundles, an index with the
 * semantic entries grouped into islands (spec type + input schema), and one binary spec shard
 * per island. Pure functions from bundles to files; the CLI and the browser publisher write them.
 * What an island records and how its specs are stored belong to the island's spec type
 * (spec/registry.ts); this module only groups, lays out and addresses.
 */
import { InputError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import { checkBundle, type CheckOptions, type CheckResult } from '../bundle/checker.js';
import { linkIslands } from './links.js';
import { buildSketchIndex, type SketchBuildOptions } from './sketch-index.js';
import type { Manifest, OutputKind } from '../bundle/manifest.js';
import type { SemanticSpec } from '../bundle/semantic.js';
import { specType } from '../spec/registry.js';
import type { IslandSettings, StatSpec } from '../spec/spec-type.js';
import type { MarginalSignature } from '../data/marginals.js';

export const CATALOG_FORMAT = 'learnware-dock/catalog';
/** 2: island comparison settings under `settings` (version 1 had table-only `gamma`, `scale`; still read) */
export const CATALOG_FORMAT_VERSION = 2;
export const CATALOG_INDEX = 'catalog.json';

export interface FileRef {
  file: string;
  sha256: string;
  size: number;
}

export interface Island {
  /** `<type>-d<d>-<12 hex of sha256(feature names)>` */
  id: string;
  /** the spec type of every member */
  type: string;
  /** dimension of the members' specs */
  d: number;
  /** the members' model input names, in order */
  features: string[];
  /** how members are compared, owned by the spec type (table RKME: γ and the pooled per-feature scale) */
  settings: IslandSettings;
  /** shard layout: every spec in one file, the entries inline in the index */
  shard?: FileRef;
  /** sketch layout (large islands): the sketch index head; entries live in cards/ (sketch-index.ts) */
  sketch?: FileRef;
  count: number;
  /**
   * What column matching needs (docs/heterogeneous.md), for spec types with named columns: per
   * feature, its semantic description and the marginal signature of the members' reduced points.
   */
  columns?: IslandColumn[];
  /** islands whose columns correspond to this one's (catalog/links.ts) */
  links?: IslandLink[];
}

export interface IslandColumn {
  name: string;
  /** the members' semantic Input description of this column (the most common one), or null */
  description: string | null;
  signature: MarginalSignature | null;
}

/** Another island whose columns correspond to some of this island's (factor: this column = factor · that column + offset). */
export interface IslandLink {
  island: string;
  pairs: { from: string; to: string; factor: number; offset: number; confidence: number }[];
}

export interface CatalogEntry {
  id: string;
  name: string;
  bundle: FileRef;
  island: string;
  /** position in the island's shard and byte offset of its record */
  shardIndex: number;
  shardOffset: number;
  semantic: SemanticSpec;
  output: { kind: OutputKind; classes: string[] | null; width: number };
  numPoints: number;
  K: number;
  createdAt: string;
}

/** The entry of a sketch-layout learnware, stored as cards/<hash>.json instead of inline. */
export type CatalogCard = Omit<CatalogEntry, 'shardIndex' | 'shardOffset'>;

export interface CatalogIndex {
  format: typeof CATALOG_FORMAT;
  formatVersion: number;
  createdAt: string;
  islands: Island[];
  entries: CatalogEntry[];
  /** catalogs published to object storage: the entry objects folded into this index */
  entryKeys?: string[];
}

export interface Member {
  manifest: Manifest;
  spec: StatSpec;
  bundle: FileRef;
}

export interface BuildResult {
  index: CatalogIndex;
  /** path (relative to the catalog root) → bytes, index last */
  files: Map<string, Uint8Array>;
  rejected: { file: string; result: CheckResult }[];
}

export interface CatalogBuildOptions extends CheckOptions {
  createdAt?: Date;
  /**
   * Island layout: 'shard' (one spec file, entries inline), 'sketch' (sketch index, cards), or
   * 'auto' (default): the sketch layout once an island's specs exceed SKETCH_LAYOUT_BYTES.
   */
  layout?: 'auto' | 'shard' | 'sketch';
  sketch?: SketchBuildOptions;
}

/** Above this many spec bytes an island gets the sketch layout ('auto'): one download stays small. */
export const SKETCH_LAYOUT_BYTES = 16 * 2 ** 20;

/** A bundle with the checker's verdict on it. */
export interface CheckedBundle {
  file: string;
  bytes: Uint8Array;
  result: CheckResult;
}

/**
 * Checks every bundle and builds a catalog of the USABLE ones. `existing` members (from a current
 * catalog) are kept without re-checking. Entry ids must be unique.
 */
export async function buildCatalog(bundles: { file: string; bytes: Uint8Array }[], existing: Member[] = [], options: CatalogBuildOptions = {}): Promise<BuildResult> {
  const checked: CheckedBundle[] = [];
  for (const { file, bytes } of bundles) checked.push({ file, bytes, result: await checkBundle(bytes, options) });
  return buildCheckedCatalog(checked, existing, options);
}

/**
 * buildCatalog for bundles checked already (the CLI checks them on several threads): the same
 * catalog, bytes and all, as long as the verdicts come in the bundles' order.
 */
export async function buildCheckedCatalog(checked: readonly CheckedBundle[], existing: Member[] = [], options: CatalogBuildOptions = {}): Promise<BuildResult> {
  const members = [...existing];
  const files = new Map<string, Uint8Array>();
  const rejected: BuildResult['rejected'] = [];
  for (const { file, bytes, result } of checked) {
    if (result.status !== 'USABLE') {
      rejected.push({ file, result });
      continue;
    }
    const path = `bundles/${result.sha256}.zip`;
    members.push({ manifest: result.manifest!, spec: result.spec!, bundle: { file: path, sha256: result.sha256, size: bytes.length } });
    files.set(path, bytes);
  }
  const ids = new Map<string, string>();
  for (const m of members) {
    const other = ids.get(m.manifest.id);
    if (other && other !== m.bundle.sha256) throw new InputError('DUPLICATE_ID', `two different bundles use the id "${m.manifest.id}"`, { id: m.manifest.id });
    ids.set(m.manifest.id, m.bundle.sha256);
  }
  const unique = members.filter((m, i) => members.findIndex((o) => o.bundle.sha256 === m.bundle.sha256) === i);
  unique.sort((a, b) => (a.manifest.id < b.manifest.id ? -1 : a.manifest.id > b.manifest.id ? 1 : 0));

  const groups = new Map<string, Member[]>();
  for (const m of unique) {
    const key = await islandId(m);
    const list = groups.get(key) ?? [];
    list.push(m);
    groups.set(key, list);
  }
  const islands: Island[] = [];
  const entries: CatalogEntry[] = [];
  for (const [id, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const type = specType(group[0].spec.type);
    const schema = type.islandSchema(group[0].spec, group[0].manifest.model.input);
    const base = {
      id,
      type: type.type,
      d: schema.d,
      features: schema.features,
      settings: type.islandSettings(
        group.map((m) => m.spec),
        schema,
      ),
      count: group.length,
      ...(type.columns ? { columns: islandColumns(type.columns.signatures(group.map((m) => m.spec)), schema.features, group) } : {}),
    };
    const card = (m: Member): CatalogCard => ({
      id: m.manifest.id,
      name: m.manifest.name,
      bundle: m.bundle,
      island: id,
      semantic: m.manifest.semantic,
      output: { kind: m.manifest.model.output.kind, classes: m.manifest.model.output.classes, width: m.manifest.model.output.shape[1] },
      numPoints: m.spec.numPoints,
      K: m.spec.K,
      createdAt: m.manifest.createdAt,
    });
    const specBytes = group.reduce((s, m) => s + type.shardRecordBytes(m.spec, schema), 16);
    const layout = options.layout ?? 'auto';
    if (type.sketch && (layout === 'sketch' || (layout === 'auto' && specBytes > SKETCH_LAYOUT_BYTES))) {
      const encoder = new TextEncoder();
      const head = await buildSketchIndex(
        {
          island: base,
          member: (i) => ({ spec: group[i].spec, card: encoder.encode(JSON.stringify(card(group[i])) + '\n') }),
          emit: (path, bytes) => void files.set(path, bytes),
        },
        options.sketch,
      );
      const sha = await sha256Hex(head);
      const sketch: FileRef = { file: `sketch/${id}-${sha.slice(0, 16)}.bin`, sha256: sha, size: head.length };
      files.set(sketch.file, head);
      islands.push({ ...base, sketch });
      continue;
    }
    if (layout === 'sketch') throw new InputError('NO_SKETCH_LAYOUT', `spec type ${type.label} has no sketch layout; build island ${id} with the shard layout`);
    const { bytes, offsets } = type.encodeShard(
      group.map((m) => m.spec),
      schema,
    );
    const sha = await sha256Hex(bytes);
    const shard: FileRef = { file: `shards/${id}-${sha.slice(0, 16)}.bin`, sha256: sha, size: bytes.length };
    files.set(shard.file, bytes);
    islands.push({ ...base, shard });
    group.forEach((m, i) => entries.push({ ...card(m), shardIndex: i, shardOffset: offsets[i] }));
  }
  const index: CatalogIndex = {
    format: CATALOG_FORMAT,
    formatVersion: CATALOG_FORMAT_VERSION,
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    // islands whose columns correspond, linked both ways (links.ts, docs/catalog-format.md "Links")
    islands: linkIslands(islands),
    entries,
  };
  files.set(CATALOG_INDEX, new TextEncoder().encode(JSON.stringify(index) + '\n'));
  return { index, files, rejected };
}

/** Signature numbers are rounded to 4 significant digits: the index stays small, matching does not notice. */
function rounded(signature: MarginalSignature | null): MarginalSignature | null {
  if (!signature) return null;
  const r = (x: number) => (x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(4)));
  return {
    ...signature,
    mean: r(signature.mean),
    std: r(signature.std),
    q: signature.q.map(r),
    skew: r(signature.skew),
    kurt: r(signature.kurt),
    min: r(signature.min),
    max: r(signature.max),
  };
}

/** The island's columns: names, the members' most common description of each, and the pooled signatures. */
function islandColumns(signatures: (MarginalSignature | null)[], features: string[], group: Member[]): IslandColumn[] {
  return features.map((name, j) => {
    const told = new Map<string, number>();
    for (const m of group) {
      const description = m.manifest.semantic.Input?.Description;
      const text = description && Object.hasOwn(description, String(j)) ? String(description[String(j)]).trim() : '';
      if (text) told.set(text, (told.get(text) ?? 0) + 1);
    }
    const description = [...told].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? null;
    return { name, description, signature: rounded(signatures[j] ?? null) };
  });
}

/** Members of an existing catalog, rebuilt from its index and shards (for `catalog add`). */
export function catalogMembers(index: CatalogIndex, shards: Map<string, Uint8Array>): Member[] {
  const members: Member[] = [];
  for (const island of index.islands) {
    if (!island.shard) {
      throw new InputError('SKETCH_LAYOUT', `island ${island.id} has the sketch layout; learnwares cannot be added to it one by one: rebuild the catalog with \`catalog build\``);
    }
    const bytes = shards.get(island.shard.file);
    if (!bytes) throw new InputError('MISSING_SHARD', `the catalog lacks ${island.shard.file}`);
    const specs = specType(island.type).decodeShard(bytes);
    for (const entry of index.entries.filter((e) => e.island === island.id)) {
      const spec = specs[entry.shardIndex];
      const manifest = {
        id: entry.id,
        name: entry.name,
        createdAt: entry.createdAt,
        semantic: entry.semantic,
        model: { input: { features: island.features }, output: { kind: entry.output.kind, classes: entry.output.classes, shape: [null, entry.output.width] } },
      } as unknown as Manifest;
      members.push({ manifest, spec, bundle: entry.bundle });
    }
  }
  return members;
}

/** Learnwares share an island when their spec type puts them in the same schema. */
async function islandId(m: Member): Promise<string> {
  const { d, features } = specType(m.spec.type).islandSchema(m.spec, m.manifest.model.input);
  const hash = await sha256Hex(new TextEncoder().encode(features.join('\u0000')));
  return `${m.spec.type}-d${d}-${hash.slice(0, 12)}`;
}
