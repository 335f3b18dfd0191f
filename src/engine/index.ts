/**
 * Public API of the Learnware Dock engine: the one import path for workers/, src/app and src/cli.
 * Framework-free: no DOM, no Node built-ins, no network.
 */
export * from './core/errors.js';
export * from './core/progress.js';
export { Prng } from './core/prng.js';
export type { BackendName, ComputeBackend, ResidentMatrix, KernelRowStats, NearestResult } from './kernels/backend.js';
export { BACKEND_NAMES, LANE_BLOCK_ROWS } from './kernels/backend.js';
export { TsBackend } from './kernels/backend-ts.js';
export { guardedLane, LaneServer, PoolBackend, poolBlocks, type KernelLane, type LaneBackendInfo } from './kernels/pool.js';
export { resolveBackend, type BackendSettings, type BackendAttempt, type ResolvedBackend } from './kernels/resolve.js';
export { parseCsv, parseCsvBytes, type Table, type Column, type CsvOptions } from './data/csv.js';
export { parseParquetBytes, startsWithParquetMagic, type ParquetOptions } from './data/parquet.js';
export { parseTableFile, type TableFileOptions } from './data/table-file.js';
export { tableLoader, textLoader, type ParsedTexts, registerDataLoader, dataLoaders, loaderFor, type DataLoader, type DataLimits, type ParsedTable } from './data/loaders.js';
export { toFeatureMatrix, labelValues, gatherRows, type FeatureMatrix, type SelectOptions } from './data/table.js';
export { categoriesOf, planEncoding, encodeColumn, applyEncoding, MAX_CATEGORIES, type ColumnEncoding, type EncodingKind } from './data/encode.js';
export type * from './spec/spec-type.js';
export { registerSpecType, specType, specTypes, specTypesFor, parseStatSpec, serializeStatSpec, type AnySpecType } from './spec/registry.js';
export { tableDataset, isTableDataset, TABLE_DATASET, type TableDataset } from './data/dataset.js';
// texts (docs/text.md): the dataset kind and tokenizer, readers, the embedder, languages, token ids
export * from './data/text.js';
export { textsFromFiles, textsFromZip, textsFromJsonLines, textsFromTable, textColumns, type NamedFile } from './data/text-file.js';
export * from './data/embedder.js';
export * from './data/language.js';
export * from './data/token-ids.js';
export * from './model/naive-bayes.js';
export { textSpecType, MAX_TEXT_LENGTH, type TextSpecOptions } from './spec/text/index.js';
export { RKME_TEXT_TYPE, REFERENCE_EMBEDDER, type RkmeTextSpec } from './spec/text/types.js';
// the table RKME plug-in (spec/table/): its own API, for the table journey, the CLI's table commands, tests and benches
export * from './spec/table/types.js';
export { tableSpecType, tableIsland, settingsScale, MAX_TABLE_D, type TableIslandSettings } from './spec/table/index.js';
export { parseTableSpec } from './spec/table/stat-json.js';
export { buildTableRkme, effectiveK, MAX_K, type TableSpecOptions, type TableSpecReport } from './spec/table/build.js';
export { solveSimplexQp, type SimplexQpResult } from './spec/qp.js';
export { innerProduct, squaredMmd, squaredMmdToData, type CompareOptions, type MmdToDataOptions, type MmdToDataResult } from './spec/table/mmd.js';
export { herdSamples, type HerdingOptions } from './spec/table/herding.js';
export { sketchFrequencies, sketchSpec } from './spec/table/sketch.js';
export { pooledScale } from './spec/table/pooled-scale.js';
export { encodeShard, decodeShard } from './spec/table/shard.js';
export { matchPicture } from './spec/table/picture.js';
export { imputeColumnMeans } from './data/impute.js';
export { sha256Hex } from './core/hash.js';
export { checkJsonDepth, jsonDepth, MAX_JSON_DEPTH } from './core/json.js';
export { exportDenseOnnx, exportTokenNaiveBayes, type DenseLayer, type DenseModel } from './model/onnx-export.js';
export { OnnxModel, ModelError, fixedWidth, plainOrtMessage, type ModelIo, type ModelOutput } from './model/onnx-runner.js';
export { inThreadHost, loadModel, MODEL_LIMITS, modelHost, setModelHost, timeoutError, type HostedModel, type HostOptions, type ModelHost, type RunLimits } from './model/host.js';
export { assertModelFootprint, formatBytes, modelFootprint, type ModelFootprint } from './model/onnx-inspect.js';
export type { ModelFeed } from './model/feed.js';
export { chooseExecutionProvider, runnerOptions, wasmThreadsFor, type ExecutionProvider, type ProviderChoice, type ProviderRequest } from './model/execution-provider.js';
export { readZip, writeZip, IntegrityError, DEFAULT_ZIP_LIMITS, type ZipLimits } from './core/zip.js';
export { checkSemanticSpec, SEMANTIC_VOCABULARY, type SemanticSpec, type Problem } from './bundle/semantic.js';
export { checkManifest, MANIFEST_FILE, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, type Manifest, type OutputKind } from './bundle/manifest.js';
export { packBundle, type PackInput } from './bundle/pack.js';
export { packLearnware, defaultSpecType, slug, readModelShape, modelMismatches, type ModelShape, type PackLearnwareInput, type PackedLearnware } from './bundle/pack-learnware.js';
export { describeBundle, MODEL_CARD_FILE, type BundleDescription } from './bundle/describe.js';
export {
  checkBundle,
  inspectBundle,
  checkOutputs,
  type InspectedBundle,
  type CheckResult,
  type CheckReason,
  type CheckStatus,
  type CheckOptions,
  type PassedCheck,
} from './bundle/checker.js';
export {
  buildCatalog,
  catalogMembers,
  CATALOG_INDEX,
  CATALOG_FORMAT,
  CATALOG_FORMAT_VERSION,
  type CatalogIndex,
  type CatalogEntry,
  type CatalogCard,
  type CatalogBuildOptions,
  SKETCH_LAYOUT_BYTES,
  type Island,
  type FileRef,
  type Member,
  type BuildResult,
  type IslandColumn,
  type IslandLink,
} from './catalog/catalog.js';
export { linkIslands, LINK_PAIR_CONFIDENCE, LINK_SHARE, LINK_ALL_PAIRS } from './catalog/links.js';
export {
  fetchValidated,
  loadCatalogIndex,
  loadShard,
  checkCatalogIndex,
  memoryFileCache,
  resolveUrl,
  type FetchLike,
  type FileKind,
  type FetchExpectation,
  type FileCache,
} from './catalog/fetch.js';
export { catalogCoverage, describeCoverage, namesAnOutput, suggestColumns, type ColumnSuggestion, type IslandCoverage } from './catalog/coverage.js';
export { fetchBundles, MAX_BUNDLE_BYTES } from './catalog/bundles.js';
export {
  buildSketchIndex,
  assembleSketchIndex,
  sketchMember,
  specFileBytes,
  allocateSketches,
  islandSketchParams,
  sketchingType,
  quantizeSketch,
  DEFAULT_SKETCH_SEED,
  type SketchedMembers,
  encodeHead,
  decodeHead,
  encodeList,
  decodeList,
  listPath,
  specPath,
  cardPath,
  DEFAULT_SKETCH_PAIRS,
  type SketchHead,
  type SketchRecord,
  type SketchBuildInput,
  type SketchBuildOptions,
} from './catalog/sketch-index.js';
export { s3Store, type ObjectStore, type S3Target, type PutOptions, type StoredObject, type RequestFetch } from './publish/store.js';
export { publishBundle, compact, readPublishedCatalog, repairCatalog, type PublishResult, type PublishOptions, type PublishedIndex, type EntryObject } from './publish/publish.js';
export { referenceScores, absoluteScore, mmdNoise, queryNoise } from './search/score.js';
export { greedyMixture, autoMixture, withoutWeightless, MIN_MIXTURE_WEIGHT, type Mixture, type MixtureInput } from './search/mixture.js';
export { searchIsland, type StatisticalResult, type SingleResult, type MixtureResult, type StatisticalOptions } from './search/statistical.js';
export { semanticSearch, tokenize, type SemanticQuery, type SemanticHit } from './search/semantic.js';
export { searchCatalog, reachableIslands, withUnitMaps, MAX_ISLANDS, type CatalogSearchInput, type CatalogSearchIsland } from './search/catalog-search.js';
export { matchIslands, userColumns, looksLikeIdentifier, islandMatchColumns, type IslandMatch, type IslandMatchOptions } from './search/island-match.js';
export { matchColumns, prepareIsland, hungarian, pairScore, MIN_PAIR_SCORE, type MatchColumn, type UserColumn, type GivenPair, type PreparedIsland } from './search/columns.js';
export { nameSimilarity, nameWords, prepareName } from './search/column-names.js';
export { estimateUnits, UNIT_CONVERSIONS, type UnitConversion } from './search/units.js';
export { marginalSignature, tableSignatures, signatureSimilarity, SIGNATURE_LEVELS, type MarginalSignature } from './data/marginals.js';
export { mapRows, mappedPositions, mappingCoverage, isIdentityMapping, parseMapOverride, type ColumnMapping, type ColumnPair, type Coverage } from './data/column-map.js';
export { searchSketchIsland, DEFAULT_PROBE, DEFAULT_RERANK, type SketchSearchOptions, type SketchSearchResult } from './search/sketch-search.js';
export {
  fromModelOutput,
  predictionsCsv,
  csvCell,
  toClasses,
  commonTask,
  predictedLabels,
  encodeTargets,
  predictionError,
  logLoss,
  selectRows,
  type Predictions,
  type TaskKind,
  type PredictionContext,
} from './reuse/predictions.js';
export { solveLinear, fitRidge, fitRidgeLoo, fitSoftmaxCv, predictRidge, fitSoftmax, predictSoftmax, type RidgeModel, type SoftmaxModel, type SoftmaxOptions } from './reuse/fit.js';
export type { ReuseMethodPlugin, ReuseMethodDescriptor, RecommendContext, LearnwareChoice, LearnwareRef, FitInput, Fitted, PredictInput, MethodRows } from './reuse/method.js';
export {
  reuseMethods,
  reuseMethod,
  isReuseMethod,
  reuseMethodDescriptors,
  recommendedReuseMethod,
  defaultLearnwares,
  REUSE_METHODS,
  LABELLED_METHODS,
  type ReuseMethod,
} from './reuse/registry.js';
export { alignOutputs } from './reuse/predictions.js';
export { averageOutputs } from './reuse/methods/average.js';
export { trainJobSelector, routeRows, applyJobSelector, type JobSelector } from './reuse/methods/job-selector.js';
export { pruneEnsemble, type PrunedEnsemble } from './reuse/methods/ensemble-pruning.js';
export { fitLinearHead, applyLinearHead, type LinearHead } from './reuse/methods/feature-augment.js';
export { samplesFromSpec } from './reuse/spec-samples.js';
export {
  exactNameAligner,
  defaultAligner,
  columnsByName,
  mappingAligner,
  mappingGaps,
  type ColumnAligner,
  type RowMapping,
  type InputSchema,
  type MappingAlignerOptions,
} from './reuse/align.js';
export {
  evaluateReuse,
  splitRows,
  trivialBaseline,
  describeEvaluation,
  evaluatedLabel,
  FAR_WORSE_RATIO,
  type EvaluationInput,
  type Evaluation,
  type EvaluationRow,
  type EvaluatedMethod,
  type EvaluationReading,
} from './reuse/evaluate.js';
export { loadLearnware, learnwareTask, learnwareFeatures, alignColumns, alignRows, predictLearnware, type Learnware, type PredictOptions } from './reuse/learnware.js';
export { packComposite, loadComposite, predictComposite, compositeColumns, COMPOSITE_FORMAT, COMPOSITE_FILE, type CompositeSpec, type Composite } from './reuse/composite.js';
export { userTable, type UserTable, type UserTableOptions } from './reuse/user-table.js';
export { reuseLearnwares, reuseAligners, labelledTargets, evaluateTable, type ReuseInput, type ReuseResult, type TableEvaluationInput } from './reuse/reuse.js';
export {
  prepareReuse,
  chooseLearnwares,
  reusableIsland,
  reuseMapping,
  reuseOffer,
  refsFromIndex,
  type PrepareReuseInput,
  type PreparedReuse,
  type ReuseOffer,
} from './reuse/prepare.js';
// images (docs/image.md): the dataset kind, decoding, the one resize, folders/zips, IDX, the feature network
export * from './data/image.js';
export { decodeImage, imageHeader, isPng, isJpeg, type ImageFormat, type ImageHeader } from './data/image-decode.js';
export { resizeImage, specPixels, modelPixels, type PixelSize } from './data/image-resize.js';
export { imagesFromFiles, imagesFromZip, IMAGE_FILE } from './data/image-file.js';
export { imageLoader, isImageZip, zipEntryNames, type ParsedImages } from './data/loaders.js';
export { readIdx, IDX_MAX_VALUES, type IdxArray } from './data/idx.js';
export { IMAGE_NETWORK, IMAGE_FEATURE_DIM, IMAGE_GAMMA, imageFeatures, imageFeaturesSync, imageFeatureNames, pixelFeatures } from './spec/image/features.js';
export { exportImageConvNet, convNetShapes, type ImageConvNet } from './model/onnx-export.js';
export { forwardImageConvNet, type ConvNetForward } from './model/conv-net.js';
export { imageRows } from './reuse/reuse.js';
export {
  imageSpecType,
  buildImageRkme,
  chooseImages,
  imageNetwork,
  tableView as imageTableView,
  IMAGE_SPEC_LIMITS,
  REFERENCE_NETWORK,
  RKME_IMAGE_TYPE,
  type RkmeImageSpec,
  type ImageSpecOptions,
} from './spec/image/index.js';
