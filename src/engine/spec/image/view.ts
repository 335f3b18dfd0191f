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

/** The table RKME of ψ(Z) (its type field stays the table's; it is never written on its own). */
export function tableView(spec: RkmeImageSpec): TableView {
  let view = views.get(spec);
  if (!view) {
    view = makeView(spec, imageFeaturesSync(Float32Array.from(spec.z), spec.K, spec.channels));
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
