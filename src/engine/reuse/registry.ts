/**
 * The reuse methods (method.ts), in the order people see them: the one list that reuse.ts,
 * composite.ts, evaluate.ts, the CLI (`reuse --method`, help) and the UI (through the reuse
 * worker) read. A new method is a module under methods/ and one line here.
 */
import { InputError } from '../core/errors.js';
import type { CatalogSearchIsland } from '../search/catalog-search.js';
import type { LearnwareChoice, RecommendContext, ReuseMethodDescriptor, ReuseMethodPlugin } from './method.js';
import { average } from './methods/average.js';
import { ensemblePruning } from './methods/ensemble-pruning.js';
import { featureAugment } from './methods/feature-augment.js';
import { jobSelector } from './methods/job-selector.js';
import { single } from './methods/single.js';
import { topSingles } from './methods/choose.js';

const METHODS = [single, average, jobSelector, ensemblePruning, featureAugment] as const;

/** A method's id: single | average | job-selector | ensemble-pruning | feature-augment. */
export type ReuseMethod = (typeof METHODS)[number]['id'];

/** Every reuse method, in display order. */
export const reuseMethods: readonly ReuseMethodPlugin[] = METHODS;

/** Their ids, in display order. */
export const REUSE_METHODS: readonly ReuseMethod[] = METHODS.map((m) => m.id);

/** The ids of the methods that learn from the user's labelled rows. */
export const LABELLED_METHODS: readonly ReuseMethod[] = METHODS.filter((m) => m.needsLabels).map((m) => m.id);

const byId: Readonly<Record<string, ReuseMethodPlugin>> = Object.fromEntries(reuseMethods.map((m) => [m.id, m]));

export function isReuseMethod(id: unknown): id is ReuseMethod {
  return typeof id === 'string' && Object.prototype.hasOwnProperty.call(byId, id);
}

/** The method of that id (own properties only: "constructor" is not a method); UNKNOWN_METHOD names the known ones. */
export function reuseMethod(id: string): ReuseMethodPlugin {
  if (!isReuseMethod(id)) throw new InputError('UNKNOWN_METHOD', `unknown reuse method ${JSON.stringify(id)}: choose one of ${REUSE_METHODS.join(', ')}`, { method: id });
  return byId[id];
}

/** What people see of every method (plain data: the reuse worker hands it to the page). */
export function reuseMethodDescriptors(): ReuseMethodDescriptor[] {
  return reuseMethods.map(({ id, label, shortLabel, description, needsLabels }) => ({ id, label, shortLabel, description, needsLabels }));
}

/** The method to preselect: the first (in display order) that says so; a method that needs labels only when there are some. */
export function recommendedReuseMethod(context: RecommendContext): ReuseMethod {
  const found = reuseMethods.find((m) => (!m.needsLabels || context.hasLabels) && m.recommended(context));
  return (found?.id ?? single.id) as ReuseMethod;
}

/**
 * The learnwares a method reuses by default, from a search result (the method's rule), or for the
 * evaluation, which compares every method on the 5 best singles.
 */
export function defaultLearnwares(island: CatalogSearchIsland, method: ReuseMethod | 'evaluate'): LearnwareChoice {
  if (island.singles.length === 0) throw new InputError('NO_LEARNWARES', 'the search found no learnware to reuse');
  return method === 'evaluate' ? topSingles(island, 5) : reuseMethod(method).chooseLearnwares(island);
}
