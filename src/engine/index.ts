/**
 * Public API of the Learnware Dock engine: the one import path for workers/, src/app and src/cli.
 * Framework-free: no DOM, no Node built-ins, no network.
 */
export * from './core/errors.js';
export * from './core/progress.js';
export { Prng } from './core/prng.js';
export type { BackendName, ComputeBackend, ResidentMatrix, KernelRowStats, NearestResult } from './kernels/backend.js';
export { BACKEND_NAMES } from './kernels/backend.js';
export { TsBackend } from './kernels/backend-ts.js';
export { resolveBackend, type BackendSettings, type BackendAttempt, type ResolvedBackend } from './kernels/resolve.js';
export { parseCsv, parseCsvBytes, type Table, type Column, type CsvOptions } from './data/csv.js';
export { toFeatureMatrix, type FeatureMatrix, type SelectOptions } from './data/table.js';
export * from './spec/types.js';
export { buildTableRkme, effectiveK, MAX_K, type TableSpecOptions, type TableSpecReport } from './spec/rkme-table.js';
export { solveSimplexQp, type SimplexQpResult } from './spec/qp.js';
export { innerProduct, squaredMmd, squaredMmdToData, type CompareOptions, type MmdToDataOptions, type MmdToDataResult } from './spec/mmd.js';
export { herdSamples, type HerdingOptions } from './spec/herding.js';
export { parseStatSpec, serializeStatSpec } from './spec/registry.js';
export { imputeColumnMeans } from './spec/impute.js';
