/**
 * The table view of an image spec (docs/image.md §3): the table RKME (ψ(Z), β, γ, raw units) that
 * comparing, sampling, sketching and the match picture run on, as spec/text wraps its `rkme`. A
 * built spec and a decoded shard carry theirs; a spec read from stat.json gets it computed once,
 * in plain TypeScript (imageFeaturesSync), so it is the same on every machine.
 */
import { RKME_TABLE_TYPE, type RkmeTableSpec } from '../table/types.js';
import { IMAGE_FEATURE_DIM, imageFeatureNames, imageFeaturesSync } from './features.js';
import type { RkmeImageSpec } from './types.js';

/** The table RKME an image spec wraps (like spec/text's `rkme`). */
export type TableView = RkmeTableSpec;

const views = new WeakMap<RkmeImageSpec, TableView>();

/**
 * ψ of reduced images recently computed, found again by the images' values: a bundle's stat.json is
 * parsed by packing, by its check and by the catalog build, each a new spec object of the same Z.
 * A hit compares every value, so a spec only ever gets ψ of its own Z.
 */
const recent = new Map<number, { z: Float32Array; channels: 1 | 3; psi: Float64Array }>();
const RECENT_LIMIT = 64;

function fingerprint(z: Float32Array, channels: number): number {
  const bits = new Uint32Array(z.buffer, z.byteOffset, z.length);
  let h = 0x811c9dc5 ^ channels;
  for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i], 0x01000193);
  return h >>> 0;
}

/** ψ(Z) of K reduced images [K, C, 32, 32] (plain TS, the same on every machine), from the recent ones when Z is one of them. */
export function reducedFeatures(z: Float32Array, K: number, channels: 1 | 3): Float64Array {
  const key = fingerprint(z, channels);
  const hit = recent.get(key);
  if (hit && hit.channels === channels && hit.z.length === z.length && hit.z.every((v, i) => Object.is(v, z[i]))) return hit.psi;
  const psi = imageFeaturesSync(z, K, channels);
  if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value!);
  recent.set(key, { z: Float32Array.from(z), channels, psi });
  return psi;
}

/** The table RKME of ψ(Z) (its type field stays the table's; it is never written on its own). */
export function tableView(spec: RkmeImageSpec): TableView {
  let view = views.get(spec);
  if (!view) {
    view = makeView(spec, reducedFeatures(Float32Array.from(spec.z), spec.K, spec.channels));
    views.set(spec, view);
  }
  return view;
}

/** The view of ψ(Z) values already computed (a build, a shard). */
export function makeView(spec: RkmeImageSpec, psiZ: Float64Array): TableView {
  return {
    type: RKME_TABLE_TYPE,
    z: psiZ,
    beta: spec.beta,
    K: spec.K,
    d: IMAGE_FEATURE_DIM,
    gamma: spec.gamma,
    numPoints: spec.numPoints,
    scale: null,
    scaleSource: null,
    featureNames: imageFeatureNames(spec.channels, spec.network),
    provenance: null,
  };
}

export function setTableView(spec: RkmeImageSpec, view: TableView): void {
  views.set(spec, view);
}
