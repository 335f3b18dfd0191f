import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CancelledError, DockError, ERROR_CLASSES, deserializeError, serializeError, type ErrorCode } from '../../src/engine/core/errors.js';
import { ModelError } from '../../src/engine/model/onnx-runner.js';
import { IntegrityError } from '../../src/engine/core/zip.js';

/** What a worker does with a thrown error: serialise, post (structured clone), rebuild on the page. */
function acrossWorkerBoundary(error: unknown): DockError {
  return deserializeError(structuredClone(serializeError(error)));
}

describe('errors across the worker boundary', () => {
  const details = { field: 'files.model.onnx', row: 7, attempts: [{ name: 'webgpu', ok: false, reason: 'no adapter' }] };

  for (const [name, Class] of Object.entries(ERROR_CLASSES)) {
    it(`${name} keeps its class, code, message and details`, () => {
      const original = Class === CancelledError ? new CancelledError('stopped by the user') : new (Class as typeof DockError)('BAD_SHAPE', `a ${name}`, details);
      const back = acrossWorkerBoundary(original);
      expect(back).toBeInstanceOf(Class);
      expect(back).toBeInstanceOf(DockError);
      expect(back.constructor).toBe(Class);
      expect(back.name).toBe(name);
      expect(back.code).toBe(original.code);
      expect(back.message).toBe(original.message);
      expect(back.details).toEqual(original.details);
    });
  }

  it('lists every DockError subclass the engine defines, including the model and zip errors', () => {
    expect(ERROR_CLASSES.ModelError).toBe(ModelError);
    expect(ERROR_CLASSES.IntegrityError).toBe(IntegrityError);
    expect(acrossWorkerBoundary(new IntegrityError('ZIP_BOMB', 'entry inflates past the limit', { entry: 'model.onnx' }))).toBeInstanceOf(IntegrityError);
    expect(acrossWorkerBoundary(new ModelError('MODEL_RUN', 'the model failed'))).toBeInstanceOf(ModelError);
  });

  it('a CancelledError keeps the CANCELLED code', () => {
    const back = acrossWorkerBoundary(new CancelledError());
    expect(back).toBeInstanceOf(CancelledError);
    expect(back.code).toBe('CANCELLED' satisfies ErrorCode);
  });

  it('a value that is not a DockError arrives as INTERNAL with its message', () => {
    const back = acrossWorkerBoundary(new TypeError('x is undefined'));
    expect(back.constructor).toBe(DockError);
    expect(back.code).toBe('INTERNAL');
    expect(back.message).toBe('x is undefined');
  });

  it('details that cannot be cloned are dropped rather than failing the transfer', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const back = acrossWorkerBoundary(new DockError('BAD_SPEC', 'cyclic details', cyclic));
    expect(back.code).toBe('BAD_SPEC');
    expect(back.details).toEqual({});
  });
});

describe('error codes in the page', () => {
  it('compares codes through ErrorCode, so a misspelt code fails the type check', () => {
    const app = fileURLToPath(new URL('../../src/app', import.meta.url));
    const untyped = readdirSync(app)
      .filter((name) => /\.(ts|svelte)$/.test(name))
      .filter((name) => /Error\s*&\s*\{\s*code\??:\s*string/.test(readFileSync(join(app, name), 'utf8')));
    expect(untyped).toEqual([]);
  });
});
