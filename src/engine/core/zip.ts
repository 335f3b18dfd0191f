/**
 * Zip reading and writing for bundles (and reading the zips users drop), on fflate. Every zip is hostile input. The reader takes the
 * central directory as the list of entries and requires every local header to agree with it (name,
 * method, flags, sizes, CRC), the entries to lie back to back from offset 0 to the directory (no
 * hidden, overlapping or trailing records that another tool would read), and both names to be
 * plain relative paths (no absolute paths, no `..`, no backslashes, no directories, no
 * duplicates). It enforces limits on archive size and entry count, on the declared sizes before
 * anything is inflated, and on the bytes actually inflated: counted while inflating in small
 * slices, so an entry that inflates past its declared size, past the total limit or past the
 * ratio limit (inflated ÷ compressed bytes consumed so far) is stopped as a zip bomb at once,
 * before it is held in memory. Entries written with data descriptors (flag bit 3) are read from
 * the central directory's sizes, and the descriptor must agree. Zip64, encryption and methods
 * other than stored/deflate are refused.
 */
import { Inflate, zipSync } from 'fflate';
import { IntegrityError } from './errors.js';

// defined with the other error classes (so it survives the worker boundary); re-exported for importers
export { IntegrityError } from './errors.js';

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

/**
 * How entry names are judged. 'plain' (bundles, composites): plain ASCII relative paths only.
 * 'user' (a user's zip of texts or images, made by any tool): any UTF-8 relative path without
 * control characters, backslashes, drive letters, '.' or '..' segments; directory entries and the
 * metadata that archivers add (__MACOSX/, files or folders whose name starts with '.') are skipped.
 */
export interface ZipReadOptions extends ZipLimits {
  names: 'plain' | 'user';
  /** what the archive is, in messages: "bundle", "texts.zip" */
  noun: string;
}

const DEFAULT_READ: ZipReadOptions = { ...DEFAULT_ZIP_LIMITS, names: 'plain', noun: 'bundle' };

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const DESCRIPTOR = 0x08074b50;
/** compressed bytes handed to the inflater at a time (at most ~1032× that comes out of one push) */
const SLICE = 16 * 1024;
/** below this many inflated bytes an entry is not judged by its ratio (small files compress well) */
const RATIO_FLOOR = 2 ** 20;

interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

export function readZip(archive: Uint8Array, limits: Partial<ZipReadOptions> = {}): Map<string, Uint8Array> {
  const l: ZipReadOptions = { ...DEFAULT_READ, ...limits };
  if (archive.length > l.maxArchiveBytes) {
    throw new IntegrityError('ARCHIVE_TOO_LARGE', `${l.noun} is ${archive.length} bytes; the limit is ${l.maxArchiveBytes}`);
  }
  if (archive.length < 22 || u32(archive, 0) !== LOCAL) throw new IntegrityError('NOT_A_ZIP', `${l.noun} is not a zip archive`);
  const entries = centralDirectory(archive, l);

  // declared sizes first: a bomb that admits what it is is refused before anything is inflated
  let declared = 0;
  for (const e of entries) {
    declared += e.size;
    if (declared > l.maxTotalBytes) throw new IntegrityError('ZIP_BOMB', `${l.noun} declares more than ${l.maxTotalBytes} inflated bytes`, { entry: e.name });
    if (e.size > RATIO_FLOOR && e.size / Math.max(e.compressed, 1) > l.maxRatio) {
      throw new IntegrityError('ZIP_BOMB', `${l.noun} entry ${e.name} inflates more than ${l.maxRatio}× its compressed size`, { entry: e.name });
    }
  }

  const files = new Map<string, Uint8Array>();
  let expectedOffset = 0;
  let total = 0;
  for (const e of entries) {
    if (e.offset !== expectedOffset) {
      throw new IntegrityError(
        'CORRUPT_ZIP',
        `${l.noun} entry ${e.name}: its local header is at byte ${e.offset}, the previous entry ends at ${expectedOffset} (hidden or overlapping data)`,
        {
          entry: e.name,
        },
      );
    }
    const dataStart = localHeader(archive, e, l);
    const dataEnd = dataStart + e.compressed;
    const data = archive.subarray(dataStart, dataEnd);
    const bytes = e.method === 0 ? data.slice() : inflateEntry(data, e, l, total);
    total += bytes.length;
    if (bytes.length !== e.size)
      throw new IntegrityError('CORRUPT_ENTRY', `${l.noun} entry ${e.name} inflates to ${bytes.length} bytes, the directory says ${e.size}`, { entry: e.name });
    if (crc32(bytes) !== e.crc) throw new IntegrityError('CORRUPT_ENTRY', `${l.noun} entry ${e.name} does not match its CRC-32`, { entry: e.name });
    expectedOffset = dataEnd + ((e.flags & 8) !== 0 ? dataDescriptor(archive, dataEnd, e, l) : 0);
    if (l.names === 'plain' || !skippedUserEntry(e.name)) files.set(e.name, bytes);
  }
  if (expectedOffset !== centralStart(archive, l)) {
    throw new IntegrityError('CORRUPT_ZIP', `${l.noun} has ${centralStart(archive, l) - expectedOffset} bytes between its last entry and its central directory`);
  }
  return files;
}

function corrupt(l: ZipReadOptions, message: string, entry?: string): IntegrityError {
  return new IntegrityError('CORRUPT_ZIP', `${l.noun} cannot be read: ${message}`, entry === undefined ? {} : { entry });
}

function endRecord(archive: Uint8Array, l: ZipReadOptions): number {
  // the end record is the last 22 bytes plus a comment of at most 65,535 bytes that must reach the end
  for (let at = archive.length - 22; at >= Math.max(0, archive.length - 22 - 0xffff); at--) {
    if (u32(archive, at) === END && at + 22 + u16(archive, at + 20) === archive.length) return at;
  }
  throw corrupt(l, 'no end of central directory record');
}

function centralStart(archive: Uint8Array, l: ZipReadOptions): number {
  return u32(archive, endRecord(archive, l) + 16);
}

function centralDirectory(archive: Uint8Array, l: ZipReadOptions): CentralEntry[] {
  const end = endRecord(archive, l);
  const disk = u16(archive, end + 4);
  const cdDisk = u16(archive, end + 6);
  const onDisk = u16(archive, end + 8);
  const count = u16(archive, end + 10);
  const cdSize = u32(archive, end + 12);
  const cdOffset = u32(archive, end + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw corrupt(l, 'zip64 archives are not supported');
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count) throw corrupt(l, 'multi-disk archives are not supported');
  if (count > l.maxEntries) throw new IntegrityError('TOO_MANY_ENTRIES', `${l.noun} has more than ${l.maxEntries} entries`);
  if (cdOffset + cdSize !== end) throw corrupt(l, `the central directory (${cdSize} bytes at ${cdOffset}) does not end where its end record begins (${end})`);
  const entries: CentralEntry[] = [];
  const names = new Set<string>();
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || u32(archive, at) !== CENTRAL) throw corrupt(l, `central directory record ${i + 1} of ${count} is missing or damaged`);
    const nameLength = u16(archive, at + 28);
    const next = at + 46 + nameLength + u16(archive, at + 30) + u16(archive, at + 32);
    if (next > end) throw corrupt(l, `central directory record ${i + 1} runs past the directory`);
    const name = entryName(archive.subarray(at + 46, at + 46 + nameLength), l);
    if (names.has(name)) throw new IntegrityError('DUPLICATE_ENTRY', `${l.noun} holds ${JSON.stringify(name)} twice`, { entry: name });
    names.add(name);
    const entry: CentralEntry = {
      name,
      flags: u16(archive, at + 8),
      method: u16(archive, at + 10),
      crc: u32(archive, at + 16),
      compressed: u32(archive, at + 20),
      size: u32(archive, at + 24),
      offset: u32(archive, at + 42),
    };
    if (entry.compressed === 0xffffffff || entry.size === 0xffffffff || entry.offset === 0xffffffff) throw corrupt(l, 'zip64 entries are not supported', name);
    checkEntryKind(entry, l);
    entries.push(entry);
    at = next;
  }
  if (at !== end) throw corrupt(l, `the central directory holds ${end - at} bytes beyond its ${count} records`);
  // the order of the data in the file (the directory may list them in any order)
  return entries.sort((a, b) => a.offset - b.offset);
}

function checkEntryKind(e: CentralEntry, l: ZipReadOptions): void {
  if ((e.flags & 1) !== 0 || (e.flags & 0x40) !== 0) throw new IntegrityError('CORRUPT_ENTRY', `${l.noun} entry ${e.name} is encrypted`, { entry: e.name });
  if (e.method !== 0 && e.method !== 8)
    throw new IntegrityError('CORRUPT_ENTRY', `${l.noun} entry ${e.name} uses compression method ${e.method} (only stored and deflate are read)`, { entry: e.name });
  if (e.method === 0 && e.compressed !== e.size) throw new IntegrityError('CORRUPT_ENTRY', `${l.noun} entry ${e.name} is stored but its sizes differ`, { entry: e.name });
}

function entryName(bytes: Uint8Array, l: ZipReadOptions): string {
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new IntegrityError('UNSAFE_PATH', `${l.noun} entry name is not valid UTF-8`);
  }
  const safe = l.names === 'user' ? userName(name) : SAFE_NAME.test(name);
  if (!safe || name.split('/').some((part) => part === '..' || part === '.')) {
    throw new IntegrityError('UNSAFE_PATH', `${l.noun} entry ${JSON.stringify(name)} is not a safe relative path`, { entry: name });
  }
  return name;
}

/** A user archive's entry name: a relative path of printable UTF-8 (a directory entry ends with '/'). */
function userName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (name === '' || name.length > 1024 || /[\u0000-\u001f\u007f\\:]/.test(name) || name.startsWith('/')) return false;
  const parts = name.endsWith('/') ? name.slice(0, -1).split('/') : name.split('/');
  return parts.every((part) => part !== '');
}

/** Directory entries and archivers' metadata (__MACOSX/, .DS_Store, dot folders) carry no data of the user's. */
function skippedUserEntry(name: string): boolean {
  return name.endsWith('/') || name.split('/').some((part) => part.startsWith('.') || part === '__MACOSX');
}

/** Checks the local header against the directory; returns where the entry's data begins. */
function localHeader(archive: Uint8Array, e: CentralEntry, l: ZipReadOptions): number {
  const at = e.offset;
  if (at + 30 > archive.length || u32(archive, at) !== LOCAL) throw corrupt(l, `no local header for ${e.name} at byte ${at}`, e.name);
  const nameLength = u16(archive, at + 26);
  const dataStart = at + 30 + nameLength + u16(archive, at + 28);
  if (dataStart > archive.length) throw corrupt(l, `the local header of ${e.name} runs past the archive`, e.name);
  const raw = archive.subarray(at + 30, at + 30 + nameLength);
  let localName: string;
  try {
    localName = entryName(raw, l);
  } catch (error) {
    throw new IntegrityError('UNSAFE_PATH', `${l.noun} entry ${JSON.stringify(e.name)} has the local name ${JSON.stringify(new TextDecoder().decode(raw))}, not a safe relative path`, {
      entry: e.name,
      cause: (error as Error).message,
    });
  }
  const disagree = (what: string) => new IntegrityError('CORRUPT_ZIP', `${l.noun} entry ${e.name}: its local header and the central directory disagree on ${what}`, { entry: e.name });
  if (localName !== e.name) throw disagree(`the name (${JSON.stringify(localName)})`);
  const flags = u16(archive, at + 6);
  if ((flags & 8) !== (e.flags & 8) || (flags & 1) !== 0) throw disagree('the flags');
  if (u16(archive, at + 8) !== e.method) throw disagree('the compression method');
  const crc = u32(archive, at + 14);
  const compressed = u32(archive, at + 18);
  const size = u32(archive, at + 22);
  if ((e.flags & 8) !== 0) {
    // sizes follow the data; a writer may still fill them in, and then they must agree
    if ((crc !== 0 && crc !== e.crc) || (compressed !== 0 && compressed !== e.compressed) || (size !== 0 && size !== e.size)) throw disagree('the sizes');
  } else if (crc !== e.crc || compressed !== e.compressed || size !== e.size) throw disagree('the sizes or the CRC-32');
  if (dataStart + e.compressed > archive.length) throw corrupt(l, `${e.name} claims ${e.compressed} compressed bytes, more than the archive holds`, e.name);
  return dataStart;
}

/** The data descriptor after an entry's data (signature optional); returns its length. */
function dataDescriptor(archive: Uint8Array, at: number, e: CentralEntry, l: ZipReadOptions): number {
  const signed = at + 4 <= archive.length && u32(archive, at) === DESCRIPTOR;
  const start = signed ? at + 4 : at;
  if (start + 12 > archive.length) throw corrupt(l, `the data descriptor of ${e.name} is missing`, e.name);
  if (u32(archive, start) !== e.crc || u32(archive, start + 4) !== e.compressed || u32(archive, start + 8) !== e.size) {
    throw new IntegrityError('CORRUPT_ZIP', `${l.noun} entry ${e.name}: its data descriptor and the central directory disagree`, { entry: e.name });
  }
  return start + 12 - at;
}

function inflateEntry(data: Uint8Array, e: CentralEntry, l: ZipReadOptions, before: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let consumed = 0;
  let failure: IntegrityError | null = null;
  let ended = false;
  const inflater = new Inflate((chunk, final) => {
    if (failure) return;
    size += chunk.length;
    if (size > e.size) failure = new IntegrityError('ZIP_BOMB', `${l.noun} entry ${e.name} inflates past the ${e.size} bytes it declares`, { entry: e.name });
    else if (before + size > l.maxTotalBytes) failure = new IntegrityError('ZIP_BOMB', `${l.noun} inflates past ${l.maxTotalBytes} bytes`, { entry: e.name });
    else if (size > RATIO_FLOOR && size / Math.max(consumed, 1) > l.maxRatio) {
      failure = new IntegrityError('ZIP_BOMB', `${l.noun} entry ${e.name} inflates more than ${l.maxRatio}× the compressed bytes read`, { entry: e.name });
    } else chunks.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let offset = 0; offset < data.length && !failure; offset += SLICE) {
      const end = Math.min(data.length, offset + SLICE);
      consumed = end;
      inflater.push(data.subarray(offset, end), end === data.length);
    }
    if (data.length === 0) inflater.push(data, true);
  } catch (error) {
    failure ??= new IntegrityError('CORRUPT_ENTRY', `${l.noun} entry ${e.name} cannot be inflated: ${(error as Error).message}`, { entry: e.name });
  }
  if (failure) throw failure as IntegrityError;
  if (!ended) throw new IntegrityError('CORRUPT_ENTRY', `${l.noun} entry ${e.name} is truncated`, { entry: e.name });
  return concat(chunks, size);
}

/** Writes a deflated zip with entries in the given order (deterministic bytes for equal input). */
export function writeZip(files: ReadonlyMap<string, Uint8Array> | [string, Uint8Array][]): Uint8Array {
  const entries = files instanceof Map ? [...files] : files;
  const input: Record<string, [Uint8Array, { level: 6; mtime: Date }]> = {};
  for (const [name, bytes] of entries) {
    if (!SAFE_NAME.test(name)) throw new IntegrityError('UNSAFE_PATH', `cannot write entry ${JSON.stringify(name)}`);
    if (Object.hasOwn(input, name)) throw new IntegrityError('DUPLICATE_ENTRY', `cannot write ${JSON.stringify(name)} twice`);
    Object.defineProperty(input, name, { value: [bytes, { level: 6, mtime: new Date('2000-01-01T00:00:00Z') }], enumerable: true, writable: true, configurable: true });
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

function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

let CRC_TABLE: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3), as zip stores it. */
export function crc32(bytes: Uint8Array): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  const table = CRC_TABLE;
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
