/**
 * The static catalog (docs/catalog-format.md): content-addressed bundles, an index with the
 * semantic entries grouped into islands (spec type + feature schema), and one binary spec shard
 * per island. Pure functions from bundles to files; the CLI and the browser publisher write them.
 */
import { InputError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import { checkBundle, type CheckOptions, type CheckResult } from '../bundle/checker.js';
import { buildSketchIndex, type SketchBuildOptions } from './sketch-index.js';
import type { Manifest, OutputKind } from '../bundle/manifest.js';
import type { SemanticSpec } from '../bundle/semantic.js';
import type { RkmeTableSpec } from '../spec/types.js';
import { decodeShard, encodeShard } from './shard.js';

export const CATALOG_FORMAT = 'learnware-dock/catalog';
export const CATALOG_FORMAT_VERSION = 1;
export const CATALOG_INDEX = 'catalog.json';

export interface FileRef {
  file: string;
  sha256: string;
  size: number;
}

export interface Island {
  /** `<type>-d<d>-<12 hex of sha256(feature names)>` */
  id: string;
  type: string;
  d: number;
  features: string[];
  gamma: number;
  /** common per-feature scale: pooled standard deviation of the members' data (estimated from their specs) */
  scale: number[];
  /** shard layout: every spec in one file, the entries inline in the index */
  shard?: FileRef;
  /** sketch layout (large islands): the sketch index head; entries live in cards/ (sketch-index.ts) */
  sketch?: FileRef;
  count: number;
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
  spec: RkmeTableSpec;
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

/**
 * Checks every bundle and builds a catalog of the USABLE ones. `existing` members (from a current
 * catalog) are kept without re-checking. Entry ids must be unique.
 */
export async function buildCatalog(
  bundles: { file: string; bytes: Uint8Array }[],
  existing: Member[] = [],
  options: CatalogBuildOptions = {},
): Promise<BuildResult> {
  const members = [...existing];
  const files = new Map<string, Uint8Array>();
  const rejected: BuildResult['rejected'] = [];
  for (const { file, bytes } of bundles) {
    const result = await checkBundle(bytes, options);
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
    const d = group[0].spec.d;
    const base = { id, type: group[0].spec.type, d, features: group[0].manifest.model.input.features, gamma: group[0].spec.gamma, scale: pooledScale(group.map((m) => m.spec)), count: group.length };
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
    const specBytes = group.reduce((s, m) => s + 24 + 8 * (m.spec.K * (d + 1) + (m.spec.scale ? d : 0)), 16);
    const layout = options.layout ?? 'auto';
    if (layout === 'sketch' || (layout === 'auto' && specBytes > SKETCH_LAYOUT_BYTES)) {
      const encoder = new TextEncoder();
      const head = await buildSketchIndex(
        {
          count: group.length,
          d,
          gamma: base.gamma,
          scale: new Float64Array(base.scale),
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
    const { bytes, offsets } = encodeShard(group.map((m) => m.spec), d);
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
    islands,
    entries,
  };
  files.set(CATALOG_INDEX, new TextEncoder().encode(JSON.stringify(index) + '\n'));
  return { index, files, rejected };
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
    const specs = decodeShard(bytes);
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

async function islandId(m: Member): Promise<string> {
  const features = m.manifest.model.input.features;
  const hash = await sha256Hex(new TextEncoder().encode(features.join('\u0000')));
  return `${m.spec.type}-d${m.spec.d}-${hash.slice(0, 12)}`;
}

/**
 * Pooled per-feature standard deviation of the members' data, estimated from each spec: the
 * weighted mean Σβz and the spec's own scale (or the spread of its points when unscaled),
 * combined with the between-member spread of the means, weighted by the rows each summarises.
 */
export function pooledScale(specs: readonly RkmeTableSpec[]): number[] {
  const d = specs[0].d;
  let totalPoints = 0;
  const grand = new Float64Array(d);
  const means = specs.map((s) => {
    const mean = new Float64Array(d);
    for (let i = 0; i < s.K; i++) for (let f = 0; f < d; f++) mean[f] += s.beta[i] * s.z[i * d + f];
    for (let f = 0; f < d; f++) grand[f] += s.numPoints * mean[f];
    totalPoints += s.numPoints;
    return mean;
  });
  for (let f = 0; f < d; f++) grand[f] /= totalPoints;
  const variance = new Float64Array(d);
  specs.forEach((s, k) => {
    for (let f = 0; f < d; f++) {
      let within = 0;
      if (s.scale) within = s.scale[f] ** 2;
      else for (let i = 0; i < s.K; i++) within += s.beta[i] * (s.z[i * d + f] - means[k][f]) ** 2;
      variance[f] += s.numPoints * (within + (means[k][f] - grand[f]) ** 2);
    }
  });
  return Array.from(variance, (v) => {
    const std = Math.sqrt(v / totalPoints);
    return std > 0 && Number.isFinite(std) ? std : 1;
  });
}
