/**
 * Spec-type registry: one codec per statistical spec type, keyed by the reference's `type`
 * string. Image and text RKME specs will be further entries here.
 */
import { FormatError } from '../core/errors.js';
import { tableSpecFromObject, tableSpecToJson } from './stat-json.js';
import { RKME_TABLE_TYPE, type StatSpec } from './types.js';

interface SpecCodec {
  fromObject(data: Record<string, unknown>): StatSpec;
  toJson(spec: StatSpec): string;
}

const CODECS: Readonly<Record<string, SpecCodec>> = Object.freeze({
  [RKME_TABLE_TYPE]: { fromObject: tableSpecFromObject, toJson: tableSpecToJson },
});

/** Types the reference defines that this version cannot read yet. */
const KNOWN_UNSUPPORTED = ['RKMEImageSpecification', 'RKMETextSpecification', 'HeteroMapTableSpecification'];

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
  const type = (data as Record<string, unknown>).type;
  if (typeof type !== 'string') throw new FormatError('BAD_STAT_JSON', 'stat.json: missing or non-string field "type"', { field: 'type' });
  const codec = CODECS[type];
  if (!codec) {
    const hint = KNOWN_UNSUPPORTED.includes(type) ? 'not supported yet' : `unknown (known: ${Object.keys(CODECS).join(', ')})`;
    throw new FormatError('UNSUPPORTED_SPEC_TYPE', `stat.json: spec type "${type}" is ${hint}`, { field: 'type', type });
  }
  return codec.fromObject(data as Record<string, unknown>);
}

export function serializeStatSpec(spec: StatSpec): string {
  return CODECS[spec.type].toJson(spec);
}
