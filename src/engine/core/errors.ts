/**
 * Typed errors of the engine. Every error carries a stable `code` the UI and CLI can switch on,
 * and `details` naming what was wrong (field path, column, row, backend attempts).
 * Imports nothing.
 */

export type ErrorDetails = Record<string, unknown>;

export class DockError extends Error {
  readonly code: string;
  readonly details: ErrorDetails;
  constructor(code: string, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
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
export const ERROR_CLASSES = { DockError, InputError, FormatError, BackendError, NetworkError, CancelledError } as const;

/** Plain-data form of an error for structured clone (postMessage drops custom fields). */
export interface SerializedError {
  name: string;
  code: string;
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
