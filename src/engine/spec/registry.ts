/**
 * The spec-type registry: every statistical specification type the engine reads, keyed by the
 * reference's `type` string (spec/spec-type.ts). The table RKME is built in; further types (image,
 * text, or a test's own) register themselves. Names read from files are looked up as own
 * properties only, so "constructor" or "__proto__" in a hostile stat.json is just unknown.
 */
import { FormatError, InputError } from '../core/errors.js';
import type { Dataset, StatSpec, SpecType } from './spec-type.js';
import { tableSpecType } from './table/index.js';
import { textSpecType } from './text/index.js';
import { imageSpecType } from './image/index.js';

/** A registered type, seen through the generic contract (its own spec and data types erased). */
export type AnySpecType = SpecType<StatSpec, Dataset, object>;

const registry = new Map<string, AnySpecType>();

/** Types the reference defines that this version cannot read yet. */
const KNOWN_UNSUPPORTED = ['HeteroMapTableSpecification'];

/** Adds a spec type; returns a function that removes it again (tests register their own). */
export function registerSpecType<S extends StatSpec, D extends Dataset, O extends object>(type: SpecType<S, D, O>): () => void {
  const generic = type as unknown as AnySpecType;
  if (registry.has(generic.type)) throw new InputError('DUPLICATE_SPEC_TYPE', `spec type "${generic.type}" is already registered`);
  registry.set(generic.type, generic);
  return () => void registry.delete(generic.type);
}

registerSpecType(tableSpecType);
registerSpecType(textSpecType);
registerSpecType(imageSpecType);

export function specTypes(): AnySpecType[] {
  return [...registry.values()];
}

/** The registered type of that name; a FormatError (field "type") for any other string. */
export function specType(type: string): AnySpecType {
  const found = registry.get(type);
  if (!found) {
    const hint = KNOWN_UNSUPPORTED.includes(type) ? 'not supported yet' : `unknown (known: ${[...registry.keys()].join(', ')})`;
    throw new FormatError('UNSUPPORTED_SPEC_TYPE', `stat.json: spec type "${type}" is ${hint}`, { field: 'type', type });
  }
  return found;
}

/** The spec types that build from a kind of data ('table'). */
export function specTypesFor(dataKind: string): AnySpecType[] {
  return specTypes().filter((t) => t.dataKind === dataKind);
}

/** Parses a stat.json text of any registered spec type. */
export function parseStatSpec(text: string): StatSpec {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new FormatError('BAD_JSON', `stat.json is not valid JSON: ${(error as Error).message}`, { field: '' });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new FormatError('BAD_STAT_JSON', 'stat.json must be a JSON object', { field: '' });
  }
  const type = Object.hasOwn(data, 'type') ? (data as Record<string, unknown>).type : undefined;
  if (typeof type !== 'string') throw new FormatError('BAD_STAT_JSON', 'stat.json: missing or non-string field "type"', { field: 'type' });
  return specType(type).fromObject(data as Record<string, unknown>);
}

export function serializeStatSpec(spec: StatSpec): string {
  return specType(spec.type).toJson(spec);
}
