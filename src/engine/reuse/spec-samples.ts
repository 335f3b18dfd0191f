/**
 * Rows drawn from a learnware's statistical specification, for the reuse methods that learn from
 * specs instead of data (the job selector). The one place the reuse code samples a spec: the
 * sampling belongs to the spec's type (its `samples`, kernel herding for the table RKME), reached
 * through the spec-type registry, so no reuse module names a spec type.
 */
import { specType } from '../spec/registry.js';
import type { Learnware } from './learnware.js';

/** `count` pseudo-rows (row-major, in the model's input space and feature order), seeded. */
export function samplesFromSpec(spec: Learnware['spec'], count: number, seed: number): Float64Array {
  return specType(spec.type).samples(spec, count, seed);
}
