/**
 * The text RKME's stat.json (docs/text.md §5): the reference's layout — the table RKME's fields
 * with `"type": "RKMETextSpecification"` and `"language": [codes]` — plus our key `"embedder"`
 * ({id, version, dim, tokenizer}). A spec without it was made by the reference's sentence embedder
 * (REFERENCE_EMBEDDER): it loads, and search says it cannot be compared with ours.
 */
import { FormatError } from '../../core/errors.js';
import type { EmbedderRef } from '../../data/text.js';
import { tableSpecFromObject, tableSpecToJson } from '../table/stat-json.js';
import { RKME_TABLE_TYPE } from '../table/types.js';
import { REFERENCE_EMBEDDER, RKME_TEXT_TYPE, type RkmeTextSpec } from './types.js';

const MAX_LANGUAGES = 200;

export function textSpecToJson(spec: RkmeTextSpec): string {
  const table = JSON.parse(tableSpecToJson(spec.rkme)) as Record<string, unknown>;
  return JSON.stringify({ ...table, type: RKME_TEXT_TYPE, language: spec.language, embedder: spec.embedder });
}

export function textSpecFromObject(data: Record<string, unknown>): RkmeTextSpec {
  if (data.type !== RKME_TEXT_TYPE) fail('type', `type must be "${RKME_TEXT_TYPE}", got ${JSON.stringify(data.type)}`);
  const language = readLanguages(Object.hasOwn(data, 'language') ? data.language : []);
  const embedder = Object.hasOwn(data, 'embedder') ? readEmbedder(data.embedder) : REFERENCE_EMBEDDER;
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) if (key !== 'language' && key !== 'embedder') rest[key] = value;
  const rkme = tableSpecFromObject({ ...rest, type: RKME_TABLE_TYPE });
  if (rkme.d !== embedder.dim) fail('z[0]', `the reduced points have ${rkme.d} dimensions, the embedder ${embedder.id} gives ${embedder.dim}`);
  return { type: RKME_TEXT_TYPE, K: rkme.K, numPoints: rkme.numPoints, rkme, language, embedder };
}

export function readLanguages(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > MAX_LANGUAGES || value.some((l) => typeof l !== 'string' || !/^[a-z]{2,3}(-[a-z0-9]{2,8})?$/i.test(l))) {
    fail('language', '"language" must be a list of language codes such as "en" or "zh-cn"');
  }
  return (value as string[]).map((l) => l.toLowerCase());
}

export function readEmbedder(value: unknown): EmbedderRef {
  const e = value as Record<string, unknown> | null;
  if (typeof e !== 'object' || e === null || Array.isArray(e)) fail('embedder', '"embedder" must be an object {id, version, dim, tokenizer}');
  const text = (key: string) => {
    const v = Object.hasOwn(e, key) ? e[key] : undefined;
    if (typeof v !== 'string' || v === '' || v.length > 200) fail(`embedder.${key}`, `"embedder.${key}" must be a non-empty string`);
    return v;
  };
  const dim = Object.hasOwn(e, 'dim') ? e.dim : undefined;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1 || dim > 4096) fail('embedder.dim', '"embedder.dim" must be an integer in 1..4096');
  return { id: text('id'), version: text('version'), dim, tokenizer: text('tokenizer') };
}

function fail(field: string, message: string): never {
  throw new FormatError('BAD_STAT_JSON', `stat.json: ${message}`, { field });
}
