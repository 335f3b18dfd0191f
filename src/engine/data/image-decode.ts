/**
 * Decoding one PNG or JPEG file into 8-bit pixels (docs/image.md §1), the same in Node and every
 * browser: PNG by the decoder below over fflate's inflate, JPEG by jpeg-js (pure JS). The header is
 * read first and an image larger than the limits is refused before anything is allocated or
 * inflated. Alpha is dropped, 16-bit samples keep their high byte, low bit depths are scaled to
 * 0–255, palettes are expanded (to grey when every palette entry is grey). Every file is hostile:
 * chunk CRCs, the zlib stream's exact length, filter types and palette indices are checked.
 * Imports core and data only.
 */
import { Unzlib } from 'fflate';
import jpeg from 'jpeg-js';
import { InputError } from '../core/errors.js';
import { crc32 } from '../core/zip.js';
import { IMAGE_LIMITS, type DecodedImage, type ImageLimits } from './image.js';

export type ImageFormat = 'png' | 'jpeg';

/** What an image file's header says, read without decoding. */
export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
  /** the channels decodeImage returns: 1 (grey) or 3 (colour; a palette of greys counts as grey only once decoded) */
  channels: 1 | 3;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** compressed bytes handed to the inflater at a time (bounds what one push can produce) */
const SLICE = 16 * 1024;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** The header of a PNG or JPEG file, checked against the limits (IMAGE_TOO_LARGE) before any pixel is decoded. */
export function imageHeader(bytes: Uint8Array, fileName: string, limits: ImageLimits = {}): ImageHeader {
  checkFileBytes(bytes, fileName, limits);
  const header = isPng(bytes) ? pngHeader(bytes, fileName).header : isJpeg(bytes) ? jpegHeader(bytes, fileName).header : notImage(bytes, fileName);
  checkSize(header, fileName, limits);
  return header;
}

/** Decodes a PNG or JPEG file (recognised by its bytes, not its name) into 8-bit grey or RGB pixels. */
export function decodeImage(bytes: Uint8Array, fileName: string, limits: ImageLimits = {}): DecodedImage {
  checkFileBytes(bytes, fileName, limits);
  if (isPng(bytes)) {
    const png = pngHeader(bytes, fileName);
    checkSize(png.header, fileName, limits);
    return decodePng(bytes, fileName, png.ihdr);
  }
  if (isJpeg(bytes)) {
    const header = jpegHeader(bytes, fileName);
    checkSize(header.header, fileName, limits);
    return decodeJpeg(bytes, fileName, header.header, header.components);
  }
  return notImage(bytes, fileName);
}

function checkFileBytes(bytes: Uint8Array, fileName: string, limits: ImageLimits): void {
  const maxFile = limits.maxFileBytes ?? IMAGE_LIMITS.maxFileBytes;
  if (bytes.length > maxFile)
    throw new InputError('IMAGE_TOO_LARGE', `${fileName} is ${bytes.length} bytes; the limit for one image file is ${maxFile} bytes (maxFileBytes)`, {
      file: fileName,
      limit: maxFile,
    });
}

function notImage(bytes: Uint8Array, fileName: string): never {
  const what =
    bytes.length >= 6 && bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46
      ? 'a GIF image'
      : bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d
        ? 'a BMP image'
        : bytes.length >= 12 && bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[8] === 0x57 && bytes[9] === 0x45
          ? 'a WebP image'
          : bytes.length === 0
            ? 'empty'
            : 'neither a PNG nor a JPEG file';
  throw new InputError('NOT_IMAGE', `${fileName} is ${what}; images must be PNG or JPEG`, { file: fileName });
}

function bad(fileName: string, message: string): InputError {
  return new InputError('BAD_IMAGE', `${fileName} is damaged: ${message}`, { file: fileName });
}

function unsupported(fileName: string, message: string): InputError {
  return new InputError('UNSUPPORTED_IMAGE', `${fileName}: ${message} is not supported (save it as an ordinary 8-bit PNG or a baseline JPEG)`, { file: fileName });
}

function checkSize(h: ImageHeader, fileName: string, limits: ImageLimits): void {
  const maxSide = limits.maxSide ?? IMAGE_LIMITS.maxSide;
  const maxPixels = limits.maxPixelsPerImage ?? IMAGE_LIMITS.maxPixelsPerImage;
  if (h.width > maxSide || h.height > maxSide)
    throw new InputError('IMAGE_TOO_LARGE', `${fileName} is ${h.width}×${h.height} pixels; the limit is ${maxSide} pixels a side (maxSide)`, {
      file: fileName,
      width: h.width,
      height: h.height,
      limit: maxSide,
    });
  if (h.width * h.height > maxPixels)
    throw new InputError('IMAGE_TOO_LARGE', `${fileName} is ${h.width}×${h.height} pixels; the limit is ${maxPixels} pixels an image (maxPixelsPerImage)`, {
      file: fileName,
      width: h.width,
      height: h.height,
      limit: maxPixels,
    });
}

// ---------------------------------------------------------------- PNG

interface Ihdr {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlace: number;
}

/** samples per pixel of each PNG colour type */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

function u32be(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function chunkType(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

function pngHeader(bytes: Uint8Array, fileName: string): { header: ImageHeader; ihdr: Ihdr } {
  if (bytes.length < 33) throw bad(fileName, 'it ends inside its PNG header');
  if (u32be(bytes, 8) !== 13 || chunkType(bytes, 12) !== 'IHDR') throw bad(fileName, 'its first PNG chunk is not a 13-byte IHDR');
  if (crc32(bytes.subarray(12, 29)) !== u32be(bytes, 29)) throw bad(fileName, 'the IHDR chunk does not match its CRC');
  const ihdr: Ihdr = { width: u32be(bytes, 16), height: u32be(bytes, 20), bitDepth: bytes[24], colourType: bytes[25], interlace: bytes[28] };
  if (ihdr.width === 0 || ihdr.height === 0 || ihdr.width > 0x7fffffff || ihdr.height > 0x7fffffff) throw bad(fileName, `its size ${ihdr.width}×${ihdr.height} is not valid`);
  if (!(ihdr.colourType in DEPTHS)) throw bad(fileName, `PNG colour type ${ihdr.colourType} does not exist`);
  if (!DEPTHS[ihdr.colourType].includes(ihdr.bitDepth)) throw bad(fileName, `bit depth ${ihdr.bitDepth} is not allowed with PNG colour type ${ihdr.colourType}`);
  if (bytes[26] !== 0 || bytes[27] !== 0) throw bad(fileName, 'unknown PNG compression or filter method');
  if (ihdr.interlace > 1) throw bad(fileName, `unknown PNG interlace method ${ihdr.interlace}`);
  const channels = ihdr.colourType === 0 || ihdr.colourType === 4 ? 1 : 3;
  return { header: { format: 'png', width: ihdr.width, height: ihdr.height, channels }, ihdr };
}

interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  width: number;
  height: number;
}

const ADAM7: [number, number, number, number][] = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

function passes(h: Ihdr): Pass[] {
  if (h.interlace === 0) return [{ x0: 0, y0: 0, dx: 1, dy: 1, width: h.width, height: h.height }];
  return ADAM7.map(([x0, y0, dx, dy]) => ({ x0, y0, dx, dy, width: Math.ceil((h.width - x0) / dx), height: Math.ceil((h.height - y0) / dy) })).filter(
    (p) => p.width > 0 && p.height > 0,
  );
}

function decodePng(bytes: Uint8Array, fileName: string, h: Ihdr): DecodedImage {
  let palette: Uint8Array | null = null;
  let writer: RowWriter | null = null;
  let inflater: Unzlib | null = null;
  let failure: unknown = null;
  let at = 33;
  let ended = false;
  let idatDone = false;
  let sawIdat = false;
  while (!ended) {
    if (at + 12 > bytes.length) throw bad(fileName, 'it ends before its IEND chunk (truncated)');
    const length = u32be(bytes, at);
    const type = chunkType(bytes, at + 4);
    if (length > 0x7fffffff || at + 12 + length > bytes.length) throw bad(fileName, `its ${JSON.stringify(type)} chunk runs past the end of the file (truncated)`);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== u32be(bytes, at + 8 + length)) throw bad(fileName, `its ${JSON.stringify(type)} chunk does not match its CRC`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    at += 12 + length;
    if (type !== 'IDAT' && sawIdat) idatDone = true;
    if (type === 'IHDR') throw bad(fileName, 'it has a second IHDR chunk');
    else if (type === 'PLTE') {
      if (sawIdat) throw bad(fileName, 'its PLTE chunk comes after the image data');
      if (length % 3 !== 0 || length === 0 || length > 768) throw bad(fileName, `its palette has ${length} bytes (1 to 256 RGB entries)`);
      palette = data;
    } else if (type === 'IDAT') {
      if (idatDone) throw bad(fileName, 'its IDAT chunks are not consecutive');
      if (!sawIdat) {
        if (h.colourType === 3 && !palette) throw bad(fileName, 'a palette image without a PLTE chunk before its data');
        sawIdat = true;
        const w = new RowWriter(h, palette, fileName);
        writer = w;
        inflater = new Unzlib((chunk) => {
          try {
            w.push(chunk);
          } catch (error) {
            failure ??= error;
            throw error;
          }
        });
      }
      for (let s = 0; s < data.length; s += SLICE) pushInflate(inflater!, data.subarray(s, s + SLICE), false, fileName, () => failure);
    } else if (type === 'IEND') ended = true;
    else if ((type.charCodeAt(0) & 0x20) === 0) throw unsupported(fileName, `the critical PNG chunk ${JSON.stringify(type)}`);
    // ancillary chunks (tRNS, gAMA, text, …) carry nothing decodeImage keeps: alpha and colour management are dropped
  }
  if (!writer || !inflater) throw bad(fileName, 'it has no image data (IDAT)');
  pushInflate(inflater, new Uint8Array(0), true, fileName, () => failure);
  if (!writer.complete()) throw bad(fileName, `its image data ends early (${writer.rowsDone} of ${writer.rowsTotal} rows)`);
  return writer.image();
}

function pushInflate(inflater: Unzlib, data: Uint8Array, final: boolean, fileName: string, failure: () => unknown): void {
  try {
    inflater.push(data, final);
  } catch (error) {
    const f = failure();
    if (f instanceof InputError) throw f;
    throw bad(fileName, `its compressed image data cannot be inflated (${(error as Error).message})`);
  }
}

/** Takes the inflated, filtered scanlines as they come and writes 8-bit pixels; refuses a single byte too many. */
class RowWriter {
  readonly rowsTotal: number;
  rowsDone = 0;
  private readonly passes: Pass[];
  private pass = 0;
  private row = 0;
  private cur: Uint8Array;
  private prev: Uint8Array;
  private filled = 0;
  private readonly out: Uint8Array;
  private readonly outChannels: 1 | 3;
  private readonly samples: number;
  private readonly bpp: number;
  private readonly paletteRgb: Uint8Array | null;
  private readonly paletteGrey: boolean;

  constructor(
    private readonly h: Ihdr,
    palette: Uint8Array | null,
    private readonly fileName: string,
  ) {
    this.passes = passes(h);
    this.rowsTotal = this.passes.reduce((s, p) => s + p.height, 0);
    this.samples = SAMPLES[h.colourType];
    this.bpp = Math.max(1, (this.samples * h.bitDepth) >> 3);
    const widest = Math.max(...this.passes.map((p) => 1 + Math.ceil((p.width * this.samples * h.bitDepth) / 8)));
    this.cur = new Uint8Array(widest);
    this.prev = new Uint8Array(widest);
    this.paletteRgb = palette;
    this.paletteGrey = palette !== null && palette.every((_, i) => i % 3 !== 0 || (palette[i] === palette[i + 1] && palette[i] === palette[i + 2]));
    this.outChannels = h.colourType === 0 || h.colourType === 4 || (h.colourType === 3 && this.paletteGrey) ? 1 : 3;
    this.out = new Uint8Array(h.width * h.height * this.outChannels);
  }

  private stride(): number {
    return 1 + Math.ceil((this.passes[this.pass].width * this.samples * this.h.bitDepth) / 8);
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.pass >= this.passes.length) throw bad(this.fileName, 'its compressed image data holds more bytes than its size needs');
      const stride = this.stride();
      const take = Math.min(stride - this.filled, chunk.length - i);
      this.cur.set(chunk.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === stride) this.finishRow(stride);
    }
  }

  complete(): boolean {
    return this.pass >= this.passes.length;
  }

  image(): DecodedImage {
    return { width: this.h.width, height: this.h.height, channels: this.outChannels, pixels: this.out };
  }

  private finishRow(stride: number): void {
    const cur = this.cur;
    const prev = this.prev;
    const filter = cur[0];
    const bpp = this.bpp;
    const first = this.row === 0;
    // the row's bytes are cur[1..stride); prev holds the previous row of this pass (zeros on its first row)
    if (filter === 1) {
      for (let x = 1 + bpp; x < stride; x++) cur[x] = (cur[x] + cur[x - bpp]) & 0xff;
    } else if (filter === 2) {
      if (!first) for (let x = 1; x < stride; x++) cur[x] = (cur[x] + prev[x]) & 0xff;
    } else if (filter === 3) {
      for (let x = 1; x < stride; x++) {
        const left = x > bpp ? cur[x - bpp] : 0;
        const up = first ? 0 : prev[x];
        cur[x] = (cur[x] + ((left + up) >> 1)) & 0xff;
      }
    } else if (filter === 4) {
      for (let x = 1; x < stride; x++) {
        const a = x > bpp ? cur[x - bpp] : 0;
        const b = first ? 0 : prev[x];
        const c = x > bpp && !first ? prev[x - bpp] : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        cur[x] = (cur[x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
      }
    } else if (filter !== 0) throw bad(this.fileName, `scanline filter type ${filter} does not exist`);
    this.writePixels(cur);
    this.prev = cur;
    this.cur = prev;
    this.filled = 0;
    this.row++;
    this.rowsDone++;
    if (this.row === this.passes[this.pass].height) {
      this.pass++;
      this.row = 0;
      this.prev.fill(0);
      this.cur.fill(0);
    }
  }

  private writePixels(line: Uint8Array): void {
    const p = this.passes[this.pass];
    const { width: W } = this.h;
    const depth = this.h.bitDepth;
    const type = this.h.colourType;
    const C = this.outChannels;
    const out = this.out;
    const y = p.y0 + this.row * p.dy;
    for (let i = 0; i < p.width; i++) {
      const o = (y * W + p.x0 + i * p.dx) * C;
      if (depth < 8) {
        const bit = i * depth;
        const v = (line[1 + (bit >> 3)] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
        if (type === 0) out[o] = (v * 255) / ((1 << depth) - 1);
        else this.paletteEntry(v, o);
      } else if (depth === 8) {
        const s = 1 + i * this.samples;
        if (type === 3) this.paletteEntry(line[s], o);
        else if (C === 1) out[o] = line[s];
        else {
          out[o] = line[s];
          out[o + 1] = line[s + 1];
          out[o + 2] = line[s + 2];
        }
      } else {
        // 16 bits: the high byte of each sample (big-endian)
        const s = 1 + i * this.samples * 2;
        if (C === 1) out[o] = line[s];
        else {
          out[o] = line[s];
          out[o + 1] = line[s + 2];
          out[o + 2] = line[s + 4];
        }
      }
    }
  }

  private paletteEntry(index: number, o: number): void {
    const palette = this.paletteRgb!;
    if (index * 3 >= palette.length) throw bad(this.fileName, `palette index ${index} is past its ${palette.length / 3}-entry palette`);
    if (this.outChannels === 1) this.out[o] = palette[index * 3];
    else {
      this.out[o] = palette[index * 3];
      this.out[o + 1] = palette[index * 3 + 1];
      this.out[o + 2] = palette[index * 3 + 2];
    }
  }
}

// ---------------------------------------------------------------- JPEG

/** start-of-frame markers: 0xC0 baseline, 0xC1 extended, 0xC2 progressive (Huffman); the others (lossless, arithmetic) jpeg-js does not decode */
const SOF_SUPPORTED = new Set([0xc0, 0xc1, 0xc2]);
const SOF_OTHER = new Set([0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpegHeader(bytes: Uint8Array, fileName: string): { header: ImageHeader; components: number } {
  let at = 2;
  for (;;) {
    if (at + 4 > bytes.length) throw bad(fileName, 'it ends before its JPEG frame header (truncated)');
    if (bytes[at] !== 0xff) throw bad(fileName, `a JPEG marker is expected at byte ${at}`);
    while (bytes[at + 1] === 0xff && at + 2 < bytes.length) at++;
    const marker = bytes[at + 1];
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) throw bad(fileName, 'its JPEG data has no frame header before the image data');
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (length < 2 || at + 2 + length > bytes.length) throw bad(fileName, `a JPEG segment at byte ${at} runs past the end of the file (truncated)`);
    if (SOF_SUPPORTED.has(marker) || SOF_OTHER.has(marker)) {
      if (length < 8) throw bad(fileName, 'its JPEG frame header is too short');
      const precision = bytes[at + 4];
      const height = (bytes[at + 5] << 8) | bytes[at + 6];
      const width = (bytes[at + 7] << 8) | bytes[at + 8];
      const components = bytes[at + 9];
      if (SOF_OTHER.has(marker)) throw unsupported(fileName, marker === 0xc3 ? 'lossless JPEG' : 'a JPEG with arithmetic coding or hierarchical frames');
      if (precision !== 8) throw unsupported(fileName, `a ${precision}-bit JPEG`);
      if (height === 0) throw unsupported(fileName, 'a JPEG whose height comes after its data (DNL)');
      if (width === 0) throw bad(fileName, 'its JPEG width is 0');
      if (components !== 1 && components !== 3 && components !== 4) throw unsupported(fileName, `a JPEG with ${components} colour components`);
      if (length < 8 + 3 * components) throw bad(fileName, 'its JPEG frame header is too short for its components');
      return { header: { format: 'jpeg', width, height, channels: components === 1 ? 1 : 3 }, components };
    }
    at += 2 + length;
  }
}

function decodeJpeg(bytes: Uint8Array, fileName: string, h: ImageHeader, components: number): DecodedImage {
  const pixels = h.width * h.height;
  let raw: { width: number; height: number; data: Uint8Array };
  try {
    raw = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      // jpeg-js's own guards, set from the header: its coefficient blocks take up to ~4 bytes a sample at full resolution
      maxResolutionInMP: (pixels + 1) / 1e6, // + 1: the frame's own pixels must pass despite rounding
      maxMemoryUsageInMB: Math.ceil((pixels * (4 * components * 4 + 3)) / 2 ** 20) + 16,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/maxResolutionInMP|maxMemoryUsageInMB|allocate/.test(message))
      throw new InputError('IMAGE_TOO_LARGE', `${fileName} would need more memory to decode than its ${h.width}×${h.height} size allows (${message})`, { file: fileName });
    throw bad(fileName, `its JPEG data cannot be decoded (${message})`);
  }
  if (raw.width !== h.width || raw.height !== h.height) throw bad(fileName, `its JPEG frames disagree on its size (${raw.width}×${raw.height}, header ${h.width}×${h.height})`);
  if (h.channels === 3) return { width: h.width, height: h.height, channels: 3, pixels: raw.data };
  const grey = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) grey[i] = raw.data[i * 3];
  return { width: h.width, height: h.height, channels: 1, pixels: grey };
}
