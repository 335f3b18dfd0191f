/**
 * Zip reading and writing for bundles, on fflate. Every zip is hostile input: the reader enforces
 * limits on archive size, entry count, names (no absolute paths, no `..`, no backslashes, no
 * duplicates, no directories beyond plain files) and on the bytes actually inflated — counted
 * while streaming, so an entry that lies about its size in the header (a zip bomb) is stopped as
 * soon as it passes the limit, before it is held in memory.
 */
import { Unzip, UnzipInflate, UnzipPassThrough, zipSync, type UnzipFile } from 'fflate';
import { IntegrityError } from '../core/errors.js';

// defined with the other error classes (so it survives the worker boundary); re-exported for importers
export { IntegrityError } from '../core/errors.js';

export interface ZipLimits {
  /** archive bytes (default 256 MiB) */
  maxArchiveBytes: number;
  /** entries (default 64) */
  maxEntries: number;
  /** inflated bytes over all entries (default 512 MiB) */
  maxTotalBytes: number;
  /** inflated ÷ compressed bytes per entry larger than 1 MiB (default 200) */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxArchiveBytes: 256 * 2 ** 20,
  maxEntries: 64,
  maxTotalBytes: 512 * 2 ** 20,
  maxRatio: 200,
};

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export function readZip(archive: Uint8Array, limits: Partial<ZipLimits> = {}): Map<string, Uint8Array> {
  const l = { ...DEFAULT_ZIP_LIMITS, ...limits };
  if (archive.length > l.maxArchiveBytes) {
    throw new IntegrityError('ARCHIVE_TOO_LARGE', `bundle is ${archive.length} bytes; the limit is ${l.maxArchiveBytes}`);
  }
  if (archive.length < 22 || archive[0] !== 0x50 || archive[1] !== 0x4b || archive[2] !== 0x03 || archive[3] !== 0x04) {
    throw new IntegrityError('NOT_A_ZIP', 'bundle is not a zip archive');
  }
  const files = new Map<string, Uint8Array>();
  const complete = new Set<string>();
  let total = 0;
  let entries = 0;
  let failure: IntegrityError | null = null;
  const fail = (error: IntegrityError) => {
    failure ??= error;
  };
  const unzip = new Unzip((file: UnzipFile) => {
    if (failure) return;
    entries++;
    const name = file.name;
    if (entries > l.maxEntries) return fail(new IntegrityError('TOO_MANY_ENTRIES', `bundle has more than ${l.maxEntries} entries`));
    if (!SAFE_NAME.test(name) || name.split('/').some((part) => part === '..' || part === '.')) {
      return fail(new IntegrityError('UNSAFE_PATH', `bundle entry ${JSON.stringify(name)} is not a safe relative path`, { entry: name }));
    }
    if (files.has(name)) return fail(new IntegrityError('DUPLICATE_ENTRY', `bundle holds ${JSON.stringify(name)} twice`, { entry: name }));
    const chunks: Uint8Array[] = [];
    let size = 0;
    files.set(name, new Uint8Array(0));
    file.ondata = (error, chunk, final) => {
      if (failure) return;
      if (error) return fail(new IntegrityError('CORRUPT_ENTRY', `bundle entry ${name} cannot be inflated: ${error.message}`, { entry: name }));
      size += chunk.length;
      total += chunk.length;
      const compressed = Math.max(file.size ?? 0, 1);
      if (total > l.maxTotalBytes) {
        file.terminate();
        return fail(new IntegrityError('ZIP_BOMB', `bundle inflates past ${l.maxTotalBytes} bytes`, { entry: name }));
      }
      if (size > 2 ** 20 && size / compressed > l.maxRatio) {
        file.terminate();
        return fail(new IntegrityError('ZIP_BOMB', `bundle entry ${name} inflates more than ${l.maxRatio}× its compressed size`, { entry: name }));
      }
      chunks.push(chunk);
      if (final) {
        files.set(name, concat(chunks, size));
        complete.add(name);
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);
  try {
    // Push in slices so a runaway entry is cut off early instead of inflating the whole archive.
    const slice = 64 * 1024;
    for (let offset = 0; offset < archive.length && !failure; offset += slice) {
      const end = Math.min(archive.length, offset + slice);
      unzip.push(archive.subarray(offset, end), end === archive.length);
    }
  } catch (error) {
    fail(new IntegrityError('CORRUPT_ZIP', `bundle cannot be read: ${(error as Error).message}`));
  }
  if (failure) throw failure;
  for (const name of files.keys()) {
    if (!complete.has(name)) throw new IntegrityError('CORRUPT_ZIP', `bundle entry ${name} is truncated`, { entry: name });
  }
  return files;
}

/** Writes a deflated zip with entries in the given order (deterministic bytes for equal input). */
export function writeZip(files: ReadonlyMap<string, Uint8Array> | [string, Uint8Array][]): Uint8Array {
  const entries = files instanceof Map ? [...files] : files;
  const input: Record<string, [Uint8Array, { level: 6; mtime: Date }]> = {};
  for (const [name, bytes] of entries) {
    if (!SAFE_NAME.test(name)) throw new IntegrityError('UNSAFE_PATH', `cannot write entry ${JSON.stringify(name)}`);
    input[name] = [bytes, { level: 6, mtime: new Date('2000-01-01T00:00:00Z') }];
  }
  return zipSync(input);
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
