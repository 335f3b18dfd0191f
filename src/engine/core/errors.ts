/**
 * Typed errors of the engine. Every error carries a stable `code` the UI and CLI can switch on,
 * and `details` naming what was wrong (field path, column, row, backend attempts).
 * Imports nothing.
 */

export type ErrorDetails = Record<string, unknown>;

/**
 * Every code the code base throws. A new code is added here first, so a typo in a `throw` or in a
 * comparison such as `error.code === 'CANCELLED'` fails the type check. Some codes are shared by
 * several areas (TOO_LARGE for files, fetches and tables); each is listed once, under its first area.
 */
export type ErrorCode =
  // control flow: a cancelled job; anything that was not a DockError when it crossed a worker boundary
  | 'CANCELLED'
  | 'INTERNAL'
  // command line and local files (src/cli)
  | 'USAGE'
  | 'FILE_NOT_FOUND'
  | 'NOT_A_FILE'
  | 'WRITE_FAILED'
  | 'SETTINGS_MISMATCH'
  | 'SPEC_TYPE_MISMATCH'
  | 'NO_BUNDLES'
  // reading tables: CSV/TSV text, Parquet, columns and the feature matrix (data/, workers/tables.ts)
  | 'EMPTY_FILE'
  | 'NOT_TEXT'
  | 'NOT_UTF8'
  | 'NOT_EMBEDDED'
  | 'NO_MAX_LENGTH'
  | 'NO_IMAGE_SIZE'
  | 'BAD_JSON_LINE'
  | 'NOT_A_TEXT_COLUMN'
  | 'NOT_A_TEXT_MODEL'
  | 'NOT_AN_IMAGE_MODEL'
  | 'NO_VOCAB'
  | 'TOO_LARGE'
  | 'BAD_DELIMITER'
  | 'NO_HEADER'
  | 'DUPLICATE_COLUMN'
  | 'EMPTY_COLUMN_NAME'
  | 'RAGGED_ROW'
  | 'UNCLOSED_QUOTE'
  | 'TOO_MANY_COLUMNS'
  | 'TOO_MANY_ROWS'
  | 'TOO_MANY_CELLS'
  | 'NO_ROWS'
  | 'NO_COLUMNS'
  | 'NOT_PARQUET'
  | 'PARQUET_DAMAGED'
  | 'PARQUET_TRUNCATED'
  | 'UNSUPPORTED_COLUMN'
  | 'UNKNOWN_COLUMN'
  | 'NON_NUMERIC_COLUMN'
  // encoding a categorical text column (data/encode.ts)
  | 'NOT_CATEGORICAL'
  | 'TOO_MANY_CATEGORIES'
  | 'UNKNOWN_CATEGORY'
  | 'ALL_MISSING_COLUMN'
  | 'NO_FEATURES'
  | 'NO_TABLE'
  | 'DUPLICATE_DATA_LOADER'
  // a text model's vocabulary (data/token-ids.ts): a line that is not one token, a token twice
  | 'BAD_VOCAB'
  | 'DUPLICATE_TOKEN'
  | 'NOT_A_TABLE'
  // reading images (data/image-decode.ts, data/image-file.ts) and IDX files (data/idx.ts)
  | 'NOT_IMAGE'
  | 'BAD_IMAGE'
  | 'UNSUPPORTED_IMAGE'
  | 'IMAGE_TOO_LARGE'
  | 'BAD_IDX'
  // building, reading and comparing specifications (spec/)
  | 'BAD_K'
  | 'BAD_GAMMA'
  | 'BAD_SCALE'
  | 'BAD_SEED'
  | 'BAD_STEPS'
  | 'BAD_STEP_SIZE'
  | 'BAD_SHAPE'
  | 'BAD_COUNT'
  | 'BAD_SPEC'
  | 'BAD_JSON'
  // JSON nested deeper than core/json.ts reads (a recursive walk would overflow the stack)
  | 'TOO_DEEP'
  // a table value so large that squared distances overflow (|v| > 1e100)
  | 'VALUE_TOO_LARGE'
  | 'BAD_STAT_JSON'
  | 'DIMENSION_MISMATCH'
  | 'GAMMA_MISMATCH'
  | 'SCALE_MISMATCH'
  | 'UNSUPPORTED_SPEC_TYPE'
  | 'DUPLICATE_SPEC_TYPE'
  | 'SPEC_LIMIT'
  | 'NO_SPEC_TYPE'
  // compute backends (kernels/)
  | 'NO_BACKEND'
  /** a worker of a compute pool (kernels/pool.ts) failed, stopped, or did not start */
  | 'POOL_LANE'
  // models: ONNX export, loading and running (model/, the checker's time limit)
  | 'BAD_MODEL'
  | 'MODEL_LOAD'
  | 'MODEL_RUN'
  | 'MODEL_OUTPUT'
  | 'MODEL_TIMEOUT'
  // a model whose run would allocate more than a model run may (model/onnx-inspect.ts, the isolated hosts' memory cap)
  | 'MODEL_MEMORY'
  // an isolated model host (a worker) that failed for another reason than the model: it could not start, or died
  | 'MODEL_HOST'
  | 'NON_FINITE_INPUT'
  // bundles: the hardened zip reader, the manifest, the usability check (bundle/)
  | 'NOT_A_ZIP'
  | 'CORRUPT_ZIP'
  | 'CORRUPT_ENTRY'
  | 'DUPLICATE_ENTRY'
  | 'UNSAFE_PATH'
  | 'ZIP_BOMB'
  | 'ARCHIVE_TOO_LARGE'
  | 'TOO_MANY_ENTRIES'
  | 'BAD_MANIFEST'
  // a manifest field another one needs (semantic Input/Output), class names unfit for CSV and tables, a class twice
  | 'MISSING_FIELD'
  | 'BAD_CLASS_NAME'
  | 'DUPLICATE_CLASS'
  | 'INVALID_BUNDLE'
  | 'NOT_USABLE'
  | 'NO_CLASSES'
  // catalogs: index, shards, sketch index (catalog/)
  | 'NO_CATALOG'
  | 'CATALOG_LOCKED'
  | 'BAD_INDEX'
  | 'BAD_MAP'
  | 'BAD_SHARD'
  | 'SHARD_DIMENSION'
  | 'MISSING_SHARD'
  | 'NO_SKETCH_LAYOUT'
  | 'NO_SHARD'
  | 'DUPLICATE_ID'
  // two catalog entries naming one bundle (one would run the other's model)
  | 'DUPLICATE_BUNDLE'
  // a catalog entry whose bundle holds another learnware (reuse/prepare.ts)
  | 'BUNDLE_MISMATCH'
  | 'BAD_SKETCH'
  | 'BAD_CARD'
  | 'NO_SKETCH'
  | 'NO_SKETCH_LAYOUT'
  | 'SKETCH_LAYOUT'
  | 'EMPTY_ISLAND'
  // catalogs built in parts (cli catalog build --part, catalog merge)
  | 'BAD_PART'
  | 'PART_MISMATCH'
  | 'PART_MISSING'
  // fetching remote files and validating what came back (catalog/fetch.ts, publish/store.ts)
  | 'UNREACHABLE'
  | 'HTTP_STATUS'
  | 'HTML_RESPONSE'
  | 'BAD_MAGIC'
  | 'BAD_HASH'
  | 'HASH_MISMATCH'
  | 'SIZE_MISMATCH'
  // publishing to object storage (publish/, workers/publish.worker.ts)
  | 'ACCESS_DENIED'
  | 'PUBLISH_CONTENTION'
  | 'BAD_TARGET'
  // search (search/)
  | 'NO_ISLAND'
  | 'NO_MATCH'
  // reuse: methods, labels, learnwares, composites (reuse/, workers/reuse.worker.ts)
  | 'UNKNOWN_METHOD'
  | 'UNKNOWN_LEARNWARE'
  | 'NO_LEARNWARES'
  | 'NO_LABELS'
  | 'TOO_FEW_LABELS'
  | 'TOO_FEW_ROWS'
  | 'BAD_LABEL'
  | 'BAD_OUTPUT'
  | 'BAD_WEIGHTS'
  | 'MISSING_COLUMNS'
  | 'MIXED_FEATURES'
  | 'MIXED_TASKS'
  | 'BAD_COMPOSITE'
  | 'MISSING_COMPONENT'
  | 'NO_COMPOSITE'
  // the word vectors of the text embedder (data/embedder.ts): a damaged file, another tokenizer's vectors
  | 'BAD_WORD_VECTORS'
  | 'TOKENIZER_MISMATCH'
  // a search, reuse result or opened composite the worker no longer keeps (workers/held.ts)
  | 'UNKNOWN_RESULT'
  | 'NOTHING_TO_SAVE';

export class DockError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** Bad user data or arguments: the caller can fix the input. */
export class InputError extends DockError {}

/** A file in a known format (stat.json, manifest) is malformed; `details.field` names the field. */
export class FormatError extends DockError {}

/** No compute backend could run; `details.attempts` lists each backend tried and why it failed. */
export class BackendError extends DockError {}

/** A remote file could not be fetched or is not what was expected (status, type, bytes, hash). */
export class NetworkError extends DockError {}

/** An ONNX model could not be loaded or run, or its output is not what its manifest promises. */
export class ModelError extends DockError {}

/** Integrity or safety failure of an archive (zip bomb, unsafe path, corrupt entry…); `code` says which rule. */
export class IntegrityError extends DockError {}

/** The job was cancelled through its AbortSignal. */
export class CancelledError extends DockError {
  constructor(message = 'cancelled') {
    super('CANCELLED', message);
  }
}

/** Throws CancelledError if the signal has fired; called between iterations of long loops. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Error classes by name, so errors that crossed a worker boundary can be rebuilt. */
export const ERROR_CLASSES = { DockError, InputError, FormatError, BackendError, NetworkError, ModelError, IntegrityError, CancelledError } as const;

/** Plain-data form of an error for structured clone (postMessage drops custom fields). */
export interface SerializedError {
  name: string;
  code: ErrorCode;
  message: string;
  details: ErrorDetails;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof DockError) {
    return { name: error.name, code: error.code, message: error.message, details: jsonSafe(error.details) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name: 'DockError', code: 'INTERNAL', message, details: {} };
}

export function deserializeError(data: SerializedError): DockError {
  if (data.name === 'CancelledError') return new CancelledError(data.message);
  const Class = ERROR_CLASSES[data.name as keyof typeof ERROR_CLASSES] ?? DockError;
  return new (Class as typeof DockError)(data.code, data.message, data.details);
}

function jsonSafe(details: ErrorDetails): ErrorDetails {
  try {
    return JSON.parse(JSON.stringify(details)) as ErrorDetails;
  } catch {
    return {};
  }
}
