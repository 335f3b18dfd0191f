/**
 * The plug-in contract of a reuse method (docs/reuse.md, "Methods"). A method owns everything
 * that depends on it: its name and one-line description for people, whether it needs the user's
 * labels, when it is the one to preselect, which learnwares of a search result it takes, how it
 * fits on the learnwares' outputs and the user's rows, how it predicts from what it fitted, and
 * how that fitted state is written into a composite learnware and read back. reuse.ts,
 * composite.ts, evaluate.ts, the CLI and the UI (through the reuse worker) only go through this
 * contract and the registry (registry.ts), never through a switch on method names.
 */
import type { FileRef } from '../catalog/catalog.js';
import type { CatalogSearchIsland } from '../search/catalog-search.js';
import type { CompositeSpec } from './composite.js';
import type { Learnware } from './learnware.js';
import type { Predictions, TaskKind } from './predictions.js';

/** A learnware of the catalog, by id and bundle reference. */
export interface LearnwareRef {
  id: string;
  bundle: FileRef;
}

/** The learnwares a reuse takes, best first, with their mixture weights (equal when absent). */
export interface LearnwareChoice {
  refs: LearnwareRef[];
  weights?: number[];
}

/** What decides the method to preselect. */
export interface RecommendContext {
  /** what the search recommends: one learnware, or a mixture of several */
  recommended: CatalogSearchIsland['recommended'];
  /** whether the user chose a label column */
  hasLabels: boolean;
}

/** The rows a method sees: every learnware's predictions for them, and the rows themselves. */
export interface MethodRows {
  /** each learnware's predictions, on the learnwares' common class list (alignOutputs), best first */
  outputs: readonly Predictions[];
  rows: number;
  /** the rows in the learnwares' feature order, row-major rows × d (built on first call: most methods never need them) */
  x(): Float64Array;
  d: number;
}

export interface FitInput extends MethodRows {
  /** the learnwares' statistical specs (the job selector learns from them) */
  specs: readonly Learnware['spec'][];
  /** mixture weights from the search, one per learnware (undefined: equal) */
  weights?: readonly number[];
  /** the labelled rows (indices into the rows) and their encoded targets (predictions.ts encodeTargets) */
  labels?: { rows: Int32Array; targets: Float64Array };
  task: { kind: TaskKind; classes: string[] | null };
  seed?: number;
}

export interface Fitted<State> {
  state: State;
  /** the components of the composite: indices into the learnwares (default: all of them) */
  members?: number[];
  /** a weight per component (members) */
  weights: number[];
  /** the component each row went to, when the method routes rows */
  routed?: Int32Array;
}

export interface PredictInput extends MethodRows {
  /** the components' weights (outputs are the components' predictions, in order) */
  weights: readonly number[];
}

/** A method as people see it: what the UI and the CLI's help list (plain data, crosses worker boundaries). */
export interface ReuseMethodDescriptor {
  id: string;
  /** e.g. "Best single learnware" (the method picker) */
  label: string;
  /** e.g. "best single" (the evaluation chart) */
  shortLabel: string;
  /** one line: what it does */
  description: string;
  needsLabels: boolean;
}

export interface ReuseMethodPlugin<Id extends string = string, State = unknown> extends ReuseMethodDescriptor {
  readonly id: Id;
  /** learns from the user's labelled rows (refused without them: NO_LABELS) */
  readonly needsLabels: boolean;
  /** needs learnwares that take the same features in the same order (one island) */
  readonly sameFeatures: boolean;
  /** whether this is the method to preselect in this context (the registry asks in its order) */
  recommended(context: RecommendContext): boolean;
  /** the learnwares it reuses by default, from a search result */
  chooseLearnwares(island: CatalogSearchIsland): LearnwareChoice;
  fit(input: FitInput): Fitted<State>;
  /** predictions of the fitted method on rows (those it was fitted on, or new ones) */
  predict(state: State, input: PredictInput): Predictions;
  /** the composite.json fields that keep the fitted state ({} when the weights are all it needs) */
  save(state: State): Partial<CompositeSpec>;
  /**
   * The fitted state from a composite.json (hostile input: composite.ts has checked the common
   * fields), or the problem that makes it unusable, reported as BAD_COMPOSITE.
   */
  restore(spec: CompositeSpec): { state: State } | { problem: string };
}

/** Keeps the literal id of a method module (for the ReuseMethod union) while checking it against the contract. */
export function defineReuseMethod<Id extends string, State>(plugin: ReuseMethodPlugin<Id, State>): ReuseMethodPlugin<Id, State> {
  return plugin;
}
