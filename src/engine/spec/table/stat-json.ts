/**
 * Reading and writing the `learnware` package's stat.json (docs/algorithms.md §1.9):
 *   {"z": [[...], ...], "beta": [...], "gamma": 0.1, "num_points": n, "type": "RKMETableSpecification"}
 * written compactly, like Python's json.dump(separators=(",", ":")). A spec without a feature
 * scale is written with exactly these five fields. Our optional extensions are extra top-level
 * keys, which the Python loader ignores (it copies known attributes only):
 *   "scale": [d positive numbers], "scale_source": "std" | "given",
 *   "feature_names": [d strings], "provenance": {...}.
 * Note that Python compares specs in raw units and so ignores "scale": exchange unscaled specs
 * with Python tools. Anything else (unknown key, wrong type, wrong length) is a FormatError
 * whose `details.field` names the offending field.
 */
import { FormatError } from '../../core/errors.js';
import { RKME_TABLE_TYPE, TABLE_SPEC_LIMITS, type RkmeTableSpec, type SpecProvenance } from './types.js';

const REFERENCE_KEYS = ['z', 'beta', 'gamma', 'num_points', 'type'] as const;
const EXTENSION_KEYS = ['scale', 'scale_source', 'feature_names', 'provenance'] as const;
const KNOWN_KEYS = new Set<string>([...REFERENCE_KEYS, ...EXTENSION_KEYS]);

export function tableSpecToJson(spec: RkmeTableSpec): string {
  const z: number[][] = [];
  for (let i = 0; i < spec.K; i++) z.push(Array.from(spec.z.subarray(i * spec.d, (i + 1) * spec.d)));
  const out: Record<string, unknown> = {
    z,
    beta: Array.from(spec.beta),
    gamma: spec.gamma,
    num_points: spec.numPoints,
    type: spec.type,
  };
  if (spec.scale) {
    out.scale = Array.from(spec.scale);
    out.scale_source = spec.scaleSource ?? 'given';
  }
  if (spec.featureNames) out.feature_names = spec.featureNames;
  if (spec.provenance) out.provenance = spec.provenance;
  return JSON.stringify(out);
}

/** Parses a table spec from an already-decoded JSON object. */
export function tableSpecFromObject(data: Record<string, unknown>): RkmeTableSpec {
  for (const key of Object.keys(data)) {
    if (!KNOWN_KEYS.has(key)) fail(key, `unknown field "${key}" (known: ${[...KNOWN_KEYS].join(', ')})`);
  }
  for (const key of REFERENCE_KEYS) if (!(key in data)) fail(key, `missing field "${key}"`);
  if (data.type !== RKME_TABLE_TYPE) fail('type', `type must be "${RKME_TABLE_TYPE}", got ${JSON.stringify(data.type)}`);

  const zRows = data.z;
  if (!Array.isArray(zRows) || zRows.length === 0) fail('z', '"z" must be a non-empty array of rows');
  const K = zRows.length;
  const firstRow = zRows[0];
  if (!Array.isArray(firstRow) || firstRow.length === 0) fail('z[0]', '"z" rows must be non-empty arrays of numbers (a table spec has 2-D z)');
  const d = firstRow.length;
  // the limits before anything K- or d-sized is allocated (or compared: the cost is K² · d)
  if (K > TABLE_SPEC_LIMITS.K || d > TABLE_SPEC_LIMITS.d)
    throw new FormatError('SPEC_LIMIT', `the spec has K = ${K} and d = ${d}; at most K = ${TABLE_SPEC_LIMITS.K} and d = ${TABLE_SPEC_LIMITS.d} are read`, {
      field: K > TABLE_SPEC_LIMITS.K ? 'z' : 'z[0]',
    });
  const z = new Float64Array(K * d);
  zRows.forEach((row: unknown, i: number) => {
    if (!Array.isArray(row) || row.length !== d) fail(`z[${i}]`, `row ${i} of "z" must hold ${d} numbers`);
    row.forEach((v: unknown, f: number) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(`z[${i}][${f}]`, `z[${i}][${f}] must be a finite number, got ${JSON.stringify(v)}`);
      z[i * d + f] = v;
    });
  });

  const beta = numberArray(data.beta, 'beta', K);
  const gamma = data.gamma;
  if (typeof gamma !== 'number' || !(gamma > 0) || !Number.isFinite(gamma)) fail('gamma', `"gamma" must be a positive number, got ${JSON.stringify(gamma)}`);
  const numPoints = data.num_points;
  if (typeof numPoints !== 'number' || !Number.isInteger(numPoints) || numPoints < 1) {
    fail('num_points', `"num_points" must be a positive integer, got ${JSON.stringify(numPoints)}`);
  }

  let scale: Float64Array | null = null;
  let scaleSource: RkmeTableSpec['scaleSource'] = null;
  if (data.scale !== undefined && data.scale !== null) {
    scale = numberArray(data.scale, 'scale', d);
    scale.forEach((s, f) => {
      if (!(s > 0)) fail(`scale[${f}]`, `scale[${f}] must be positive, got ${s}`);
    });
    const source = data.scale_source ?? 'given';
    if (source !== 'std' && source !== 'given') fail('scale_source', `"scale_source" must be "std" or "given", got ${JSON.stringify(source)}`);
    scaleSource = source;
  } else if (data.scale_source !== undefined) {
    fail('scale_source', '"scale_source" given without "scale"');
  }

  let featureNames: string[] | null = null;
  if (data.feature_names !== undefined && data.feature_names !== null) {
    const names = data.feature_names;
    if (!Array.isArray(names) || names.length !== d || names.some((n) => typeof n !== 'string')) {
      fail('feature_names', `"feature_names" must be an array of ${d} strings`);
    }
    featureNames = names as string[];
  }

  let provenance: SpecProvenance | null = null;
  if (data.provenance !== undefined && data.provenance !== null) {
    const p = data.provenance as Record<string, unknown>;
    if (typeof p !== 'object' || Array.isArray(p)) fail('provenance', '"provenance" must be an object');
    provenance = p as unknown as SpecProvenance;
  }

  return { type: RKME_TABLE_TYPE, z, beta, K, d, gamma, numPoints, scale, scaleSource, featureNames, provenance };
}

function numberArray(value: unknown, field: string, length: number): Float64Array {
  if (!Array.isArray(value)) fail(field, `"${field}" must be an array of ${length} numbers`);
  if (value.length !== length) fail(field, `"${field}" has ${value.length} values, expected ${length}`);
  const out = new Float64Array(length);
  value.forEach((v: unknown, i: number) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${field}[${i}]`, `${field}[${i}] must be a finite number, got ${JSON.stringify(v)}`);
    out[i] = v;
  });
  return out;
}

function fail(field: string, message: string): never {
  throw new FormatError('BAD_STAT_JSON', `stat.json: ${message}`, { field });
}

/** Parses a stat.json text that must hold a table spec (the table journey, tools and tests). */
export function parseTableSpec(text: string): RkmeTableSpec {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new FormatError('BAD_JSON', `stat.json is not valid JSON: ${(error as Error).message}`, { field: '' });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new FormatError('BAD_STAT_JSON', 'stat.json must be a JSON object', { field: '' });
  return tableSpecFromObject(data as Record<string, unknown>);
}
