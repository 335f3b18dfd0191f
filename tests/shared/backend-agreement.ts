/**
 * Backend agreement, shared by the Node test (ts / tfjs-cpu / tfjs-wasm) and the browser test
 * (plus tfjs-webgpu in Chromium). Measures how far a candidate backend is from the Float64
 * plain-TS reference on the primitives and on a whole spec computation.
 */
import { expect } from 'vitest';
import { buildTableRkme, squaredMmd, squaredMmdToData, TsBackend, type ComputeBackend } from '../../src/engine/index.js';
import { gaussianMixture } from './synthetic.js';

/** Stated tolerances (also in README "Backends"). */
export const TOLERANCE = {
  /** max relative error of kernel row sums Σ_l k(c_i, x_l) */
  rowSums: 1e-5,
  /** max error of the kernel-weighted sums, relative to their largest magnitude */
  weighted: 1e-5,
  /** max absolute error of Gram entries */
  gram: 2e-6,
  /** share of rows whose nearest center may differ (near-ties in Float32) */
  nearestMismatch: 0.005,
  /** squared MMD between the reference's spec and the candidate's spec, same seed */
  specDistance: 1e-8,
  /** |MMD²(candidate spec, data) − MMD²(reference spec, data)|, both evaluated in Float64 */
  specFit: 1e-6,
} as const;

export interface AgreementReport {
  rowSums: number;
  weighted: number;
  gram: number;
  nearestMismatch: number;
  specDistance: number;
  specFit: number;
  referenceFit: number;
}

const n = 3000;
const d = 6;
const m = 40;
const x = gaussianMixture(n, d, 5, 17, 1.5);
const centers = gaussianMixture(m, d, 5, 18, 1.5);
const SPEC_OPTIONS = { K: 50, seed: 3, scale: 'std' as const };

/**
 * The Float64 reference's side of every comparison: the same inputs for every candidate, so computed once per
 * file (a module-level promise) instead of once per candidate backend.
 */
let referenceRun: ReturnType<typeof runReference> | undefined;
async function runReference() {
  const reference = new TsBackend();
  const refX = await reference.upload(x, n, d);
  try {
    const rows = await reference.kernelRowStats(centers, m, refX, 0.1, true);
    const gram = await reference.gram(centers, m, x.subarray(0, 200 * d), 200, d, 0.1);
    const nearest = await reference.nearestCenters(refX, centers, m);
    const spec = (await buildTableRkme(reference, x, n, d, SPEC_OPTIONS)).spec;
    const fit = (await squaredMmdToData(reference, spec, x, n, d)).value;
    return { reference, rows, gram, nearest, spec, fit };
  } finally {
    refX.dispose();
  }
}

export async function measureAgreement(candidate: ComputeBackend): Promise<AgreementReport> {
  referenceRun ??= runReference();
  const { reference, rows: a, gram: ga, nearest: na, spec: specA, fit: fitA } = await referenceRun;
  const candX = await candidate.upload(x, n, d);
  try {
    const b = await candidate.kernelRowStats(centers, m, candX, 0.1, true);
    let rowSums = 0;
    for (let i = 0; i < m; i++) rowSums = Math.max(rowSums, Math.abs(a.sums[i] - b.sums[i]) / a.sums[i]);
    const weightedScale = Math.max(...a.weighted!.map(Math.abs));
    let weighted = 0;
    for (let j = 0; j < a.weighted!.length; j++) weighted = Math.max(weighted, Math.abs(a.weighted![j] - b.weighted![j]) / weightedScale);

    const gb = await candidate.gram(centers, m, x.subarray(0, 200 * d), 200, d, 0.1);
    let gram = 0;
    for (let j = 0; j < ga.length; j++) gram = Math.max(gram, Math.abs(ga[j] - gb[j]));

    const nb = await candidate.nearestCenters(candX, centers, m);
    let mismatched = 0;
    for (let l = 0; l < n; l++) {
      if (na.index[l] !== nb.index[l]) mismatched++;
    }

    const specB = (await buildTableRkme(candidate, x, n, d, SPEC_OPTIONS)).spec;
    const fitB = (await squaredMmdToData(reference, specB, x, n, d)).value;
    return {
      rowSums,
      weighted,
      gram,
      nearestMismatch: mismatched / n,
      specDistance: squaredMmd(specA, specB),
      specFit: Math.abs(fitA - fitB),
      referenceFit: fitA,
    };
  } finally {
    candX.dispose();
  }
}

/** Measures a backend against the reference and asserts every stated tolerance. */
export async function expectAgreement(candidate: ComputeBackend): Promise<AgreementReport> {
  const report = await measureAgreement(candidate);
  console.log(candidate.name, JSON.stringify(report));
  expect(report.rowSums).toBeLessThan(TOLERANCE.rowSums);
  expect(report.weighted).toBeLessThan(TOLERANCE.weighted);
  expect(report.gram).toBeLessThan(TOLERANCE.gram);
  expect(report.nearestMismatch).toBeLessThanOrEqual(TOLERANCE.nearestMismatch);
  expect(report.specDistance).toBeLessThan(TOLERANCE.specDistance);
  expect(report.specFit).toBeLessThan(TOLERANCE.specFit);
  return report;
}
