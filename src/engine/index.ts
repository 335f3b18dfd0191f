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
export { toFeatureMatrix, labelValues, type FeatureMatrix, type SelectOptions } from './data/table.js';
export * from './spec/types.js';
export { buildTableRkme, effectiveK, MAX_K, type TableSpecOptions, type TableSpecReport } from './spec/rkme-table.js';
export { solveSimplexQp, type SimplexQpResult } from './spec/qp.js';
export { innerProduct, squaredMmd, squaredMmdToData, type CompareOptions, type MmdToDataOptions, type MmdToDataResult } from './spec/mmd.js';
export { herdSamples, type HerdingOptions } from './spec/herding.js';
export { sketchFrequencies, sketchSpec, quantizeSketch, type SketchParams } from './spec/sketch.js';
export { parseStatSpec, serializeStatSpec } from './spec/registry.js';
export { imputeColumnMeans } from './spec/impute.js';
export { sha256Hex } from './core/hash.js';
export { exportDenseOnnx, type DenseLayer, type DenseModel } from './model/onnx-export.js';
export { OnnxModel, ModelError, type ModelOutput } from './model/onnx-runner.js';
export { readZip, writeZip, IntegrityError, DEFAULT_ZIP_LIMITS, type ZipLimits } from './bundle/zip.js';
export { checkSemanticSpec, SEMANTIC_VOCABULARY, type SemanticSpec, type Problem } from './bundle/semantic.js';
export { checkManifest, MANIFEST_FILE, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, type Manifest, type OutputKind } from './bundle/manifest.js';
export { packBundle, type PackInput } from './bundle/pack.js';
export { checkBundle, checkOutputs, type CheckResult, type CheckReason, type CheckStatus, type CheckOptions } from './bundle/checker.js';
export { buildCatalog, catalogMembers, pooledScale, CATALOG_INDEX, CATALOG_FORMAT, CATALOG_FORMAT_VERSION, type CatalogIndex, type CatalogEntry, type CatalogCard, type CatalogBuildOptions, SKETCH_LAYOUT_BYTES, type Island, type FileRef, type Member, type BuildResult } from './catalog/catalog.js';
export { encodeShard, decodeShard } from './catalog/shard.js';
export { fetchValidated, loadCatalogIndex, loadShard, checkCatalogIndex, memoryFileCache, resolveUrl, type FetchLike, type FileKind, type FetchExpectation, type FileCache } from './catalog/fetch.js';
export { buildSketchIndex, assembleSketchIndex, sketchMember, allocateSketches, islandSketchParams, DEFAULT_SKETCH_SEED, type SketchedMembers, encodeHead, decodeHead, encodeList, decodeList, listPath, specPath, cardPath, DEFAULT_SKETCH_PAIRS, type SketchHead, type SketchRecord, type SketchBuildInput, type SketchBuildOptions } from './catalog/sketch-index.js';
export { s3Store, type ObjectStore, type S3Target, type PutOptions, type StoredObject, type RequestFetch } from './publish/store.js';
export { publishBundle, compact, type PublishResult, type PublishOptions, type EntryObject } from './publish/publish.js';
export { referenceScores, absoluteScore, mmdNoise } from './search/score.js';
export { greedyMixture, autoMixture, type Mixture, type MixtureInput } from './search/mixture.js';
export { searchIsland, type StatisticalResult, type SingleResult, type MixtureResult, type StatisticalOptions } from './search/statistical.js';
export { semanticSearch, tokenize, type SemanticQuery, type SemanticHit } from './search/semantic.js';
export { searchCatalog, type CatalogSearchInput, type CatalogSearchIsland } from './search/catalog-search.js';
export { searchSketchIsland, DEFAULT_PROBE, DEFAULT_RERANK, type SketchSearchOptions, type SketchSearchResult } from './search/sketch-search.js';
export { matchPicture, type MatchPicture, type PicturePoint } from './search/picture.js';
export { fromModelOutput, predictionsCsv, toClasses, commonTask, predictedLabels, encodeTargets, predictionError, logLoss, selectRows, type Predictions, type TaskKind } from './reuse/predictions.js';
export { fitRidge, fitRidgeLoo, fitSoftmaxCv, predictRidge, fitSoftmax, predictSoftmax, type RidgeModel, type SoftmaxModel, type SoftmaxOptions } from './reuse/fit.js';
export { REUSE_METHODS, LABELLED_METHODS, alignOutputs, averageOutputs, trainJobSelector, routeRows, applyJobSelector, pruneEnsemble, fitLinearHead, applyLinearHead, type ReuseMethod, type JobSelector, type PrunedEnsemble, type LinearHead } from './reuse/methods.js';
export { evaluateReuse, splitRows, type EvaluationInput, type Evaluation, type EvaluationRow } from './reuse/evaluate.js';
export { loadLearnware, learnwareTask, alignColumns, alignRows, predictLearnware, type Learnware, type PredictOptions } from './reuse/learnware.js';
export { packComposite, loadComposite, predictComposite, COMPOSITE_FORMAT, COMPOSITE_FILE, type CompositeSpec, type Composite } from './reuse/composite.js';
export { fetchBundles, reuseLearnwares, defaultLearnwares, labelledTargets, evaluateTable, type ReuseInput, type ReuseResult, type TableEvaluationInput } from './reuse/reuse.js';
