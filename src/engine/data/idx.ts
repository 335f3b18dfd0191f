/**
 * IDX files (the MNIST / Fashion-MNIST format; docs/image.md §1), raw or gzipped: a 4-byte magic
 * (0x00 0x00, the type 0x08 = unsigned bytes, the number of dimensions), one big-endian 32-bit size
 * per dimension, then the values. Only unsigned-byte files are read. Hostile: the declared sizes must
 * be within the limit and match the bytes exactly; a gzip stream is inflated in slices and stopped as
 * soon as it passes the declared size. Imports core only.
 */
import { Gunzip } from 'fflate';
import { InputError } from '../core/errors.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** values an IDX file may declare (default 256 Mi: Fashion-MNIST's training images are 47 M) */
export const IDX_MAX_VALUES = 256 * 2 ** 20;

const SLICE = 64 * 1024;

function bad(message: string): InputError {
  return new InputError('BAD_IDX', `the IDX file ${message}`);
}

/** The header of raw IDX bytes, or null while fewer bytes than it needs are there. */
function header(bytes: Uint8Array, maxValues: number): { dims: number[]; size: number; offset: number } | null {
  if (bytes.length < 4) return null;
  if (bytes[0] !== 0 || bytes[1] !== 0) throw bad('does not start with the IDX magic 0x0000');
  if (bytes[2] !== 0x08) throw bad(`holds values of type 0x${bytes[2].toString(16).padStart(2, '0')}; only unsigned bytes (0x08) are read`);
  const n = bytes[3];
  if (n === 0) throw bad('declares no dimensions');
  const offset = 4 + 4 * n;
  if (bytes.length < offset) return null;
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < n; i++) {
    const d = ((bytes[4 + 4 * i] << 24) | (bytes[5 + 4 * i] << 16) | (bytes[6 + 4 * i] << 8) | bytes[7 + 4 * i]) >>> 0;
    dims.push(d);
    size *= d;
    if (size > maxValues) throw bad(`declares dimensions ${dims.join('×')}… (more than ${maxValues} values, the limit)`);
  }
  return { dims, size, offset };
}

/** Reads an IDX file of unsigned bytes (gzipped when it starts with the gzip magic). */
export function readIdx(bytes: Uint8Array, maxValues = IDX_MAX_VALUES): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return readGzipped(bytes, maxValues);
  const h = header(bytes, maxValues);
  if (!h) throw bad(`ends inside its header (${bytes.length} bytes)`);
  if (bytes.length !== h.offset + h.size)
    throw bad(`declares ${h.dims.join('×')} = ${h.size} values but holds ${bytes.length - h.offset}${bytes.length < h.offset + h.size ? ' (truncated)' : ''}`);
  return { dims: h.dims, data: bytes.slice(h.offset) };
}

function readGzipped(bytes: Uint8Array, maxValues: number): IdxArray {
  let head = new Uint8Array(0);
  let h: ReturnType<typeof header> = null;
  let data: Uint8Array | null = null;
  let filled = 0;
  let failure: InputError | null = null;
  const gunzip = new Gunzip((chunk) => {
    let c = chunk;
    if (!h) {
      const joined = new Uint8Array(head.length + c.length);
      joined.set(head);
      joined.set(c, head.length);
      try {
        h = header(joined, maxValues);
      } catch (error) {
        failure = error as InputError;
        throw error;
      }
      if (!h) {
        head = joined;
        return;
      }
      data = new Uint8Array(h.size);
      c = joined.subarray(h.offset);
    }
    if (filled + c.length > data!.length) {
      failure = bad(`declares ${h.dims.join('×')} = ${h.size} values but holds more`);
      throw failure;
    }
    data!.set(c, filled);
    filled += c.length;
  });
  try {
    for (let s = 0; s < bytes.length; s += SLICE) gunzip.push(bytes.subarray(s, s + SLICE), s + SLICE >= bytes.length);
  } catch (error) {
    throw failure ?? bad(`cannot be inflated (${(error as Error).message})`);
  }
  const got = h as ReturnType<typeof header>;
  if (!got || !data) throw bad('ends inside its header');
  if (filled !== got.size) throw bad(`declares ${got.dims.join('×')} = ${got.size} values but holds ${filled} (truncated)`);
  return { dims: got.dims, data };
}
