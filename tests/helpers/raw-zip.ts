/**
 * A zip writer for hostile tests: every field of the local header, the data descriptor and the
 * central directory record can be set apart, so a test can make them lie or disagree.
 */
import { deflateSync } from 'fflate';
import { crc32 } from '../../src/engine/core/zip.js';

export interface RawEntry {
  name: string;
  /** the uncompressed content */
  data: Uint8Array;
  /** 8 = deflate (default), 0 = stored */
  method?: 0 | 8;
  /** the name in the local header (default: name) */
  localName?: string;
  /** write sizes and CRC in a data descriptor after the data (flag bit 3); local sizes 0 */
  descriptor?: boolean;
  /** lie in the data descriptor: these values replace the true ones */
  descriptorValues?: Partial<Sizes>;
  /** lie in the local header / central directory: these replace the true values */
  local?: Partial<Sizes>;
  central?: Partial<Sizes>;
  /** bytes appended after the compressed data (inside the compressed size when `padInside`) */
  padding?: number;
  padInside?: boolean;
  /** leave this entry out of the central directory (a hidden local record) */
  hidden?: boolean;
}

interface Sizes {
  crc: number;
  compressed: number;
  size: number;
}

export function rawZipBytes(entries: RawEntry[], options: { repeatCentral?: number } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const push = (b: Uint8Array) => {
    parts.push(b);
    offset += b.length;
  };
  for (const e of entries) {
    const method = e.method ?? 8;
    let body = method === 8 ? deflateSync(e.data) : e.data;
    const padding = new Uint8Array(e.padding ?? 0);
    if (e.padInside) body = cat([body, padding]);
    const truth: Sizes = { crc: crc32(e.data), compressed: body.length, size: e.data.length };
    const flags = e.descriptor ? 8 : 0;
    const local = e.descriptor ? { crc: 0, compressed: 0, size: 0, ...e.local } : { ...truth, ...e.local };
    const localName = new TextEncoder().encode(e.localName ?? e.name);
    const at = offset;
    push(header(0x04034b50, [20, flags, method, 0, 0], [local.crc, local.compressed, local.size], [localName.length, 0], localName));
    push(body);
    if (!e.padInside && padding.length > 0) push(padding);
    if (e.descriptor) {
      const d = { ...truth, ...e.descriptorValues };
      const bytes = new Uint8Array(16);
      const view = new DataView(bytes.buffer);
      view.setUint32(0, 0x08074b50, true);
      view.setUint32(4, d.crc, true);
      view.setUint32(8, d.compressed, true);
      view.setUint32(12, d.size, true);
      push(bytes);
    }
    if (e.hidden) continue;
    const c = { ...truth, ...e.central };
    const name = new TextEncoder().encode(e.name);
    const record = new Uint8Array(46 + name.length);
    const view = new DataView(record.buffer);
    view.setUint32(0, 0x02014b50, true);
    view.setUint16(4, 20, true);
    view.setUint16(6, 20, true);
    view.setUint16(8, flags, true);
    view.setUint16(10, method, true);
    view.setUint32(16, c.crc, true);
    view.setUint32(20, c.compressed, true);
    view.setUint32(24, c.size, true);
    view.setUint16(28, name.length, true);
    view.setUint32(42, at, true);
    record.set(name, 46);
    for (let i = 0; i < (options.repeatCentral ?? 1); i++) central.push(record);
  }
  const cdOffset = offset;
  const cd = cat(central);
  push(cd);
  const end = new Uint8Array(22);
  const view = new DataView(end.buffer);
  view.setUint32(0, 0x06054b50, true);
  view.setUint16(8, central.length, true);
  view.setUint16(10, central.length, true);
  view.setUint32(12, cd.length, true);
  view.setUint32(16, cdOffset, true);
  push(end);
  return cat(parts);
}

function header(signature: number, shorts: number[], longs: number[], lengths: number[], name: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(30 + name.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, signature, true);
  shorts.forEach((v, i) => view.setUint16(4 + 2 * i, v, true));
  longs.forEach((v, i) => view.setUint32(14 + 4 * i, v, true));
  lengths.forEach((v, i) => view.setUint16(26 + 2 * i, v, true));
  bytes.set(name, 30);
  return bytes;
}

function cat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
