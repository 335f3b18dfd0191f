/**
 * The image RKME's stat.json (docs/image.md §3): the reference's layout —
 *   {"type": "RKMEImageSpecification", "z": [K][C][32][32], "beta": [K], "num_points": n,
 *    "RKME_IMAGE_VERSION": 1, "msg": null, "n_models": 16, "model_config": {...}}
 * — plus our keys "network" (the feature network ψ), "gamma" and "pixels": "0-1" (Z holds pixels / 255),
 * and optionally "provenance". A spec without "network" is the reference's (Z in its standardised pixel
 * space, compared by its ConvNet NNGP kernel): it loads, with network REFERENCE_NETWORK, and is never
 * compared with ours. Anything else wrong is a FormatError naming the field.
 */
import { FormatError } from '../../core/errors.js';
import { SPEC_IMAGE_SIZE } from '../../data/image.js';
import type { SpecProvenance } from '../table/types.js';
import { IMAGE_GAMMA } from './features.js';
import { IMAGE_SPEC_LIMITS, REFERENCE_NETWORK, RKME_IMAGE_TYPE, type RkmeImageSpec } from './types.js';

const REFERENCE_KEYS = ['type', 'z', 'beta', 'num_points', 'RKME_IMAGE_VERSION', 'msg', 'n_models', 'model_config'] as const;
const OUR_KEYS = ['network', 'gamma', 'pixels', 'provenance'] as const;
const KNOWN_KEYS = new Set<string>([...REFERENCE_KEYS, ...OUR_KEYS]);

/** The reference's defaults of the fields we do not use (docs/image.md §3), written on our specs too. */
export const REFERENCE_DEFAULTS = {
  version: 1,
  msg: null,
  nModels: 16,
  modelConfig: { k: 2, mu: 0, sigma: null, net_width: 128, net_depth: 3 },
};

export function imageSpecToJson(spec: RkmeImageSpec): string {
  const side = SPEC_IMAGE_SIZE;
  const z: number[][][][] = [];
  for (let i = 0; i < spec.K; i++) {
    const image: number[][][] = [];
    for (let c = 0; c < spec.channels; c++) {
      const plane: number[][] = [];
      for (let y = 0; y < side; y++) {
        const o = ((i * spec.channels + c) * side + y) * side;
        plane.push(Array.from(spec.z.subarray(o, o + side)));
      }
      image.push(plane);
    }
    z.push(image);
  }
  const out: Record<string, unknown> = {
    type: RKME_IMAGE_TYPE,
    z,
    beta: Array.from(spec.beta),
    num_points: spec.numPoints,
    RKME_IMAGE_VERSION: spec.reference.version,
    msg: spec.reference.msg,
    n_models: spec.reference.nModels,
    model_config: spec.reference.modelConfig,
  };
  if (spec.network !== REFERENCE_NETWORK) {
    out.network = spec.network;
    out.gamma = spec.gamma;
    out.pixels = spec.pixels;
  }
  if (spec.provenance) out.provenance = spec.provenance;
  return JSON.stringify(out);
}

export function imageSpecFromObject(data: Record<string, unknown>): RkmeImageSpec {
  for (const key of Object.keys(data)) if (!KNOWN_KEYS.has(key)) fail(key, `unknown field "${key}" (known: ${[...KNOWN_KEYS].join(', ')})`);
  const has = (key: string) => Object.hasOwn(data, key);
  if (data.type !== RKME_IMAGE_TYPE) fail('type', `type must be "${RKME_IMAGE_TYPE}", got ${JSON.stringify(data.type)}`);
  for (const key of ['z', 'beta'] as const) if (!has(key)) fail(key, `missing field "${key}"`);

  const ours = has('network');
  let network = REFERENCE_NETWORK;
  if (ours) {
    const n = data.network;
    if (typeof n !== 'string' || !/^[A-Za-z0-9._-]{1,64}@[0-9]{1,6}$/.test(n)) fail('network', '"network" must be a network id such as "conv3-16-32-64@1"');
    network = n;
  } else {
    for (const key of ['gamma', 'pixels'] as const) if (has(key)) fail(key, `"${key}" without "network"`);
  }

  const zImages = data.z;
  if (!Array.isArray(zImages) || zImages.length === 0) fail('z', '"z" must be a non-empty array of images [C][32][32]');
  const K = zImages.length;
  if (K > IMAGE_SPEC_LIMITS.K) throw new FormatError('SPEC_LIMIT', `the spec has K = ${K}; at most K = ${IMAGE_SPEC_LIMITS.K} are read`, { field: 'z' });
  const first = zImages[0] as unknown;
  const C = Array.isArray(first) ? first.length : 0;
  if (C !== 1 && C !== 3) fail('z[0]', '"z" images must have 1 or 3 channels of 32×32 numbers ([K][C][32][32])');
  const side = SPEC_IMAGE_SIZE;
  const z = new Float64Array(K * C * side * side);
  const low = ours ? 0 : -Infinity;
  const high = ours ? 1 : Infinity;
  zImages.forEach((image: unknown, i: number) => {
    if (!Array.isArray(image) || image.length !== C) fail(`z[${i}]`, `image ${i} of "z" must have ${C} channels`);
    image.forEach((plane: unknown, c: number) => {
      if (!Array.isArray(plane) || plane.length !== side) fail(`z[${i}][${c}]`, `z[${i}][${c}] must hold ${side} rows`);
      plane.forEach((row: unknown, y: number) => {
        if (!Array.isArray(row) || row.length !== side) fail(`z[${i}][${c}][${y}]`, `z[${i}][${c}][${y}] must hold ${side} numbers`);
        const o = ((i * C + c) * side + y) * side;
        row.forEach((v: unknown, x: number) => {
          if (typeof v !== 'number' || !Number.isFinite(v) || v < low || v > high)
            fail(`z[${i}][${c}][${y}][${x}]`, `z[${i}][${c}][${y}][${x}] must be a finite number${ours ? ' in [0, 1] (pixels / 255)' : ''}, got ${JSON.stringify(v)}`);
          z[o + x] = v;
        });
      });
    });
  });

  const betaValues = data.beta;
  if (!Array.isArray(betaValues) || betaValues.length !== K) fail('beta', `"beta" must be an array of ${K} numbers`);
  const beta = new Float64Array(K);
  betaValues.forEach((v: unknown, i: number) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`beta[${i}]`, `beta[${i}] must be a finite number, got ${JSON.stringify(v)}`);
    beta[i] = v;
  });

  // the reference's own specs may lack num_points: K then stands in (they are never compared)
  const numPoints = has('num_points') ? data.num_points : ours ? undefined : K;
  if (typeof numPoints !== 'number' || !Number.isInteger(numPoints) || numPoints < 1) fail('num_points', `"num_points" must be a positive integer, got ${JSON.stringify(numPoints)}`);

  let gamma = IMAGE_GAMMA;
  if (ours) {
    if (!has('gamma')) fail('gamma', 'missing field "gamma"');
    const g = data.gamma;
    if (typeof g !== 'number' || !(g >= 1e-30) || !(g <= 1e30)) fail('gamma', `"gamma" must be a positive number, got ${JSON.stringify(g)}`);
    gamma = g;
    if (data.pixels !== '0-1') fail('pixels', `"pixels" must be "0-1" (the reduced images hold pixels / 255), got ${JSON.stringify(data.pixels)}`);
  }

  const version = has('RKME_IMAGE_VERSION') ? data.RKME_IMAGE_VERSION : REFERENCE_DEFAULTS.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) fail('RKME_IMAGE_VERSION', '"RKME_IMAGE_VERSION" must be a positive integer');
  const nModels = has('n_models') ? data.n_models : REFERENCE_DEFAULTS.nModels;
  if (typeof nModels !== 'number' || !Number.isInteger(nModels) || nModels < 0) fail('n_models', '"n_models" must be a non-negative integer');
  const modelConfig = has('model_config') ? data.model_config : REFERENCE_DEFAULTS.modelConfig;
  if (modelConfig !== null && (typeof modelConfig !== 'object' || Array.isArray(modelConfig))) fail('model_config', '"model_config" must be an object');
  const msg = has('msg') ? data.msg : null;

  let provenance: SpecProvenance | null = null;
  if (has('provenance') && data.provenance !== null) {
    const p = data.provenance;
    if (typeof p !== 'object' || Array.isArray(p)) fail('provenance', '"provenance" must be an object');
    provenance = p as unknown as SpecProvenance;
  }

  return {
    type: RKME_IMAGE_TYPE,
    K,
    numPoints,
    channels: C,
    z,
    beta,
    gamma,
    network,
    pixels: ours ? '0-1' : 'standardised',
    reference: { version, msg, nModels, modelConfig },
    provenance,
  };
}

function fail(field: string, message: string): never {
  throw new FormatError('BAD_STAT_JSON', `stat.json: ${message}`, { field });
}
