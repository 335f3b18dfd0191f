/**
 * Hostile-input suite: zip archives (issue 17, defect 9). Limits per verdict: 30 s and 1.5 GB
 * (each case here takes well under 2 s; the bomb case measures its own time and heap).
 * Every archive is written by hand (tests/helpers/raw-zip.ts) so its headers can lie.
 */
import { deflateSync } from 'fflate';
import { describe, expect, it, vi } from 'vitest';
import { checkBundle, readZip } from '../../src/engine/index.js';
import { makeBundle } from '../helpers/bundles.js';
import { rawZipBytes, type RawEntry } from '../helpers/raw-zip.js';

// the suite's limit per verdict (memory: the zip bomb case measures its own; nothing here holds more than ~100 MB)
vi.setConfig({ testTimeout: 30_000 });

const text = (s: string) => new TextEncoder().encode(s);
const codeOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'NO ERROR';
};

describe('hostile zips: the central directory must agree with the local headers', () => {
  it('reads a well-formed hand-written zip (stored and deflated)', () => {
    const files = readZip(
      rawZipBytes([
        { name: 'a.txt', data: text('hello') },
        { name: 'b/c.bin', data: new Uint8Array([1, 2, 3]), method: 0 },
      ]),
    );
    expect([...files.keys()]).toEqual(['a.txt', 'b/c.bin']);
    expect(new TextDecoder().decode(files.get('a.txt'))).toBe('hello');
  });

  it('a central directory naming ../../../evil.sh is refused even when the local header is harmless', () => {
    const zip = rawZipBytes([{ name: '../../../evil.sh', localName: 'evil.sh', data: text('rm -rf ~') }]);
    expect(codeOf(() => readZip(zip))).toBe('UNSAFE_PATH');
  });

  it('a local header naming a traversal path is refused even when the directory is harmless', () => {
    const zip = rawZipBytes([{ name: 'evil.sh', localName: '../evil.sh', data: text('x') }]);
    expect(codeOf(() => readZip(zip))).toBe('UNSAFE_PATH');
  });

  it('names, sizes and offsets that disagree are CORRUPT_ZIP', () => {
    expect(codeOf(() => readZip(rawZipBytes([{ name: 'a.txt', localName: 'b.txt', data: text('x') }])))).toBe('CORRUPT_ZIP');
    expect(codeOf(() => readZip(rawZipBytes([{ name: 'a.txt', data: text('hello hello'), local: { size: 5 } }])))).toBe('CORRUPT_ZIP');
    expect(codeOf(() => readZip(rawZipBytes([{ name: 'a.txt', data: text('hello'), central: { compressed: 1 } }])))).toBe('CORRUPT_ZIP');
    // a local record the directory does not list (another tool reading local headers would extract it)
    const hidden = rawZipBytes([
      { name: 'payload.js', data: text('alert(1)'), hidden: true },
      { name: 'a.txt', data: text('x') },
    ]);
    expect(codeOf(() => readZip(hidden))).toBe('CORRUPT_ZIP');
    // bytes smuggled after the data, inside no entry
    expect(codeOf(() => readZip(rawZipBytes([{ name: 'a.txt', data: text('x'), padding: 100 }])))).toBe('CORRUPT_ZIP');
  });

  it('a name listed twice in the directory is DUPLICATE_ENTRY; a wrong CRC is CORRUPT_ENTRY', () => {
    expect(codeOf(() => readZip(rawZipBytes([{ name: 'a.txt', data: text('x') }], { repeatCentral: 2 })))).toBe('DUPLICATE_ENTRY');
    expect(codeOf(() => readZip(rawZipBytes([{ name: 'a.txt', data: text('x'), local: { crc: 7 }, central: { crc: 7 } }])))).toBe('CORRUPT_ENTRY');
  });

  it('a zip written with data descriptors (flag bit 3) is read; a lying descriptor is refused', async () => {
    const { bundle } = await makeBundle();
    const entries: RawEntry[] = [...readZip(bundle)].map(([name, data]) => ({ name, data, descriptor: true }));
    const streamed = rawZipBytes(entries);
    expect([...readZip(streamed).keys()]).toEqual([...readZip(bundle).keys()]);
    const result = await checkBundle(streamed);
    expect(result.reasons).toEqual([]);
    expect(result.status).toBe('USABLE');
    const lying = rawZipBytes([{ name: 'a.txt', data: text('hello'), descriptor: true, descriptorValues: { size: 4 } }]);
    expect(codeOf(() => readZip(lying))).toBe('CORRUPT_ZIP');
  });

  it('a lying compressed size is cut off as a bomb at once, counted on what is actually inflated', () => {
    const inflated = 32 * 2 ** 20;
    const stream = deflateSync(new Uint8Array(inflated), { level: 9 });
    // the declared sizes look harmless (ratio 180 < 200): the compressed size counts padding after the stream
    const padding = Math.ceil(inflated / 180) - stream.length;
    const bomb = bombZip(stream, inflated, padding);
    const heapBefore = process.memoryUsage().rss;
    const started = performance.now();
    expect(codeOf(() => readZip(bomb))).toBe('ZIP_BOMB');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage().rss - heapBefore).toBeLessThan(64 * 2 ** 20);
  });

  it('an entry inflating past its own declared size is a bomb, not CORRUPT_ZIP after the fact', () => {
    const stream = deflateSync(new Uint8Array(16 * 2 ** 20));
    const bomb = bombZip(stream, 1000, 0);
    expect(codeOf(() => readZip(bomb))).toBe('ZIP_BOMB');
  });
});

/** One deflated entry whose stream is given and whose declared inflated size is `size`. */
function bombZip(stream: Uint8Array, size: number, padding: number): Uint8Array {
  const body = new Uint8Array(stream.length + padding);
  body.set(stream);
  const name = new TextEncoder().encode('model.onnx');
  const local = new Uint8Array(30 + name.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(4, 20, true);
  lv.setUint16(8, 8, true);
  lv.setUint32(18, body.length, true);
  lv.setUint32(22, size, true);
  lv.setUint16(26, name.length, true);
  local.set(name, 30);
  const cd = new Uint8Array(46 + name.length);
  const cv = new DataView(cd.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(10, 8, true);
  cv.setUint32(20, body.length, true);
  cv.setUint32(24, size, true);
  cv.setUint16(28, name.length, true);
  cd.set(name, 46);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, 1, true);
  ev.setUint16(10, 1, true);
  ev.setUint32(12, cd.length, true);
  ev.setUint32(16, local.length + body.length, true);
  const out = new Uint8Array(local.length + body.length + cd.length + end.length);
  out.set(local, 0);
  out.set(body, local.length);
  out.set(cd, local.length + body.length);
  out.set(end, local.length + body.length + cd.length);
  return out;
}
