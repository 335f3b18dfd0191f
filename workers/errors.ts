/**
 * Comlink transfer handler that carries DockError's `code` and `details` across the worker
 * boundary (comlink's default keeps only name, message and stack). Registered on both sides.
 */
import * as Comlink from 'comlink';
import { deserializeError, serializeError, type SerializedError } from '../src/engine/core/errors.js';

interface ThrownValue {
  value: unknown;
}

export function registerErrorTransfer(): void {
  const original = Comlink.transferHandlers.get('throw')!;
  Comlink.transferHandlers.set('throw', {
    canHandle: original.canHandle,
    serialize(thrown: unknown) {
      const { value } = thrown as ThrownValue;
      return [{ isError: true, value: serializeError(value) }, []];
    },
    deserialize(data: unknown) {
      const { value } = data as { value: SerializedError };
      throw deserializeError(value);
    },
  } as Comlink.TransferHandler<unknown, unknown>);
}
