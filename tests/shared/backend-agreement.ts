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

export async function measureAgreement(candidate: ComputeBackend): Promise<AgreementReport> {
  const reference = new TsBackend();
  const n = 3000;
  const d = 6;
  const m = 40;
  const x = gaussianMixture(n, d, 5, 17, 1.5);
  const centers = gaussianMixture(m, d, 5, 18, 1.5);

  const refX = await reference.upload(x, n, d);
  const candX = await candidate.upload(x, n, d);
  try {
    const a = await reference.kernelRowStats(centers, m, refX, 0.1, true);
    const b = await candidate.kernelRowStats(centers, m, candX, 0.1, true);
    let rowSums = 0;
    for (let i = 0; i < m; i++) rowSums = Math.max(rowSums, Math.abs(a.sums[i] - b.sums[i]) / a.sums[i]);
    const weightedScale = Math.max(...a.weighted!.map(Math.abs));
    let weighted = 0;
    for (let j = 0; j < a.weighted!.length; j++) weighted = Math.max(weighted, Math.abs(a.weighted![j] - b.weighted![j]) / weightedScale);

    const ga = await reference.gram(centers, m, x.subarray(0, 200 * d), 200, d, 0.1);
    const gb = await candidate.gram(centers, m, x.subarray(0, 200 * d), 200, d, 0.1);
    let gram = 0;
    for (let j = 0; j < ga.length; j++) gram = Math.max(gram, Math.abs(ga[j] - gb[j]));

    const na = await reference.nearestCenters(refX, centers, m);
    const nb = await candidate.nearestCenters(candX, centers, m);
    let mismatched = 0;
    for (let l = 0; l < n; l++) {
      if (na.index[l] !== nb.index[l]) mismatched++;
    }

    const options = { K: 50, seed: 3, scale: 'std' as const };
    const specA = (await buildTableRkme(reference, x, n, d, options)).spec;
    const specB = (await buildTableRkme(candidate, x, n, d, options)).spec;
    const fitA = (await squaredMmdToData(reference, specA, x, n, d)).value;
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
    refX.dispose();
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
