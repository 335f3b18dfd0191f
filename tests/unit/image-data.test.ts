/**
 * Image data (docs/image.md §1): decoding PNG/JPEG against PIL's pixels (fixtures made by
 * scripts/fixtures/make-image-fixtures.py), hostile files, the one resize against PIL's BILINEAR and
 * the float64 definition, folders and zips of images, the loaders' routing, IDX files (Fashion-MNIST).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync, zlibSync, gzipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/engine/core/zip.js';
import { readIdx } from '../../src/engine/data/idx.js';
import { decodeImage, imageHeader } from '../../src/engine/data/image-decode.js';
import { imagesFromFiles, imagesFromZip } from '../../src/engine/data/image-file.js';
import { modelPixels, resizeImage, specPixels } from '../../src/engine/data/image-resize.js';
import { imageDataset, type DecodedImage } from '../../src/engine/data/image.js';
import { imageLoader, loaderFor, textLoader, type ParsedImages, type ParsedTexts } from '../../src/engine/data/loaders.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/images/', import.meta.url));
const FASHION = '/usr/share/datasets/fashion-mnist';

interface Expected {
  png: { file: string; width: number; height: number; channels: 1 | 3; pixels: string }[];
  jpeg: { file: string; width: number; height: number; channels: 1 | 3; pixels: string }[];
  resize: {
    name: string;
    width: number;
    height: number;
    channels: 1 | 3;
    pixels: string;
    outWidth: number;
    outHeight: number;
    pil: string;
    float64: string;
  }[];
}
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Expected;
const bytesOf = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const fixture = (file: string) => new Uint8Array(readFileSync(join(FIXTURES, file)));
const enc = (s: string) => new TextEncoder().encode(s);

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return (error as { code?: string }).code ?? `no code: ${(error as Error).message}`;
  }
  return 'no error';
}

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

// ---- a PNG writer for hostile cases (any chunks, any header fields)

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(enc(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function ihdr(width: number, height: number, depth = 8, colour = 0, interlace = 0): Uint8Array {
  const h = new Uint8Array(13);
  const view = new DataView(h.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  h.set([depth, colour, 0, 0, interlace], 8);
  return chunk('IHDR', h);
}

const SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** An 8-bit grey PNG of the given filtered scanlines (each row: filter byte + width bytes). */
function greyPng(width: number, height: number, raw: Uint8Array, extra: Uint8Array[] = []): Uint8Array {
  return concat([SIGNATURE, ihdr(width, height), ...extra, chunk('IDAT', zlibSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

function unfilteredRows(width: number, height: number, value: (x: number, y: number) => number): Uint8Array {
  const raw = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = value(x, y);
  return raw;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; mean: number } {
  expect(a.length).toBe(b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

/** channels-last pixels → channels × H × W planes */
function planar(pixels: ArrayLike<number>, channels: number, n: number): number[] {
  const out = new Array<number>(channels * n);
  for (let c = 0; c < channels; c++) for (let i = 0; i < n; i++) out[c * n + i] = pixels[i * channels + c];
  return out;
}

describe('decoding PNG: every colour type and bit depth gives exactly the pixels PIL decodes', () => {
  for (const c of expected.png) {
    it(c.file, () => {
      const image = decodeImage(fixture(c.file), c.file);
      expect([image.width, image.height, image.channels]).toEqual([c.width, c.height, c.channels]);
      expect(Array.from(image.pixels)).toEqual(Array.from(bytesOf(c.pixels)));
    });
  }

  it('the fixtures cover grey 1/2/4/8/16-bit, RGB 8/16, alpha, palettes with tRNS and Adam7', () => {
    const files = expected.png.map((c) => c.file);
    for (const f of ['grey1.png', 'grey2.png', 'grey4.png', 'grey16.png', 'rgb16.png', 'rgba8.png', 'grey-alpha8.png', 'grey-alpha16.png', 'palette4.png', 'interlaced-rgb8.png'])
      expect(files).toContain(f);
  });
});

describe('decoding JPEG with jpeg-js: within the differences measured against PIL (libjpeg)', () => {
  // measured on these fixtures: grey JPEGs differ from libjpeg by at most 1 level; colour 4:4:4 by at
  // most 3; 4:2:0 colour by up to 13 levels (mean 2.4) where colours change sharply, since libjpeg
  // upsamples chroma with a triangle filter and jpeg-js replicates it (docs/image.md §1)
  const tolerance: Record<string, { max: number; mean: number }> = {
    'grey.jpg': { max: 1, mean: 0.1 },
    'progressive-grey.jpg': { max: 1, mean: 0.1 },
    'colour444.jpg': { max: 3, mean: 0.6 },
    'colour.jpg': { max: 13, mean: 2.4 },
    'progressive.jpg': { max: 13, mean: 2.4 },
  };
  for (const c of expected.jpeg) {
    it(`${c.file} (max ≤ ${tolerance[c.file].max}, mean ≤ ${tolerance[c.file].mean})`, () => {
      const image = decodeImage(fixture(c.file), c.file);
      expect([image.width, image.height, image.channels]).toEqual([c.width, c.height, c.channels]);
      const d = maxDiff(image.pixels, bytesOf(c.pixels));
      expect(d.max).toBeLessThanOrEqual(tolerance[c.file].max);
      expect(d.mean).toBeLessThanOrEqual(tolerance[c.file].mean);
    });
  }

  it('a progressive JPEG decodes to the same pixels as PIL gives for it, as the baseline one does', () => {
    const baseline = decodeImage(fixture('colour.jpg'), 'colour.jpg');
    const progressive = decodeImage(fixture('progressive.jpg'), 'progressive.jpg');
    // same source and quality: the two encodings hold the same coefficients
    expect(maxDiff(baseline.pixels, progressive.pixels).max).toBe(0);
  });
});

describe('hostile image files', () => {
  const png = fixture('grey8.png');
  const jpg = fixture('colour.jpg');

  it('a 20,000 × 20,000 PNG header is refused from its header alone, before any allocation', () => {
    // no image data at all: a decoder that allocated first would fail on the missing IDAT instead
    const huge = concat([SIGNATURE, ihdr(20_000, 20_000, 8, 6), chunk('IEND', new Uint8Array(0))]);
    expect(codeOf(() => decodeImage(huge, 'huge.png'))).toBe('IMAGE_TOO_LARGE');
    expect(messageOf(() => decodeImage(huge, 'huge.png'))).toMatch(/huge\.png is 20000×20000 pixels; the limit is 8192 pixels a side \(maxSide\)/);
    expect(codeOf(() => imageHeader(huge, 'huge.png'))).toBe('IMAGE_TOO_LARGE');
    const many = concat([SIGNATURE, ihdr(8000, 8000), chunk('IEND', new Uint8Array(0))]);
    expect(messageOf(() => decodeImage(many, 'many.png'))).toMatch(/maxPixelsPerImage/);
  });

  it('a JPEG whose frame header says 20,000 × 20,000 is refused the same way', () => {
    const big = jpg.slice();
    let at = 2;
    while (!(big[at] === 0xff && big[at + 1] >= 0xc0 && big[at + 1] <= 0xc2)) at += 2 + ((big[at + 2] << 8) | big[at + 3]);
    big.set([20_000 >> 8, 20_000 & 0xff, 20_000 >> 8, 20_000 & 0xff], at + 5);
    expect(codeOf(() => decodeImage(big, 'big.jpg'))).toBe('IMAGE_TOO_LARGE');
  });

  it('a truncated PNG is BAD_IMAGE, wherever it is cut', () => {
    for (const cut of [20, 40, Math.floor(png.length / 2), png.length - 12, png.length - 1]) {
      const code = codeOf(() => decodeImage(png.subarray(0, cut), 'cut.png'));
      expect(code, `cut at ${cut}`).toBe('BAD_IMAGE');
    }
  });

  it('a PNG whose chunk fails its CRC, whose data inflates past its size or ends early, or with a bad filter or palette index is BAD_IMAGE', () => {
    const flipped = png.slice();
    flipped[60] ^= 0x40; // inside the first IDAT
    expect(messageOf(() => decodeImage(flipped, 'flipped.png'))).toMatch(/does not match its CRC/);
    const rows = unfilteredRows(4, 4, (x, y) => x * 10 + y);
    expect(decodeImage(greyPng(4, 4, rows), 'ok.png').pixels[5]).toBe(11);
    expect(messageOf(() => decodeImage(greyPng(4, 4, concat([rows, new Uint8Array(5)])), 'long.png'))).toMatch(/more bytes than its size needs/);
    expect(messageOf(() => decodeImage(greyPng(4, 4, rows.subarray(0, 12)), 'short.png'))).toMatch(/ends early \(2 of 4 rows\)/);
    const badFilter = rows.slice();
    badFilter[5] = 7;
    expect(messageOf(() => decodeImage(greyPng(4, 4, badFilter), 'filter.png'))).toMatch(/filter type 7/);
    const palette = concat([
      SIGNATURE,
      ihdr(2, 1, 8, 3),
      chunk('PLTE', new Uint8Array([1, 2, 3, 4, 5, 6])),
      chunk('IDAT', zlibSync(new Uint8Array([0, 1, 2]))),
      chunk('IEND', new Uint8Array(0)),
    ]);
    expect(messageOf(() => decodeImage(palette, 'palette.png'))).toMatch(/palette index 2 is past its 2-entry palette/);
    const noPalette = concat([SIGNATURE, ihdr(2, 1, 8, 3), chunk('IDAT', zlibSync(new Uint8Array([0, 0, 0]))), chunk('IEND', new Uint8Array(0))]);
    expect(codeOf(() => decodeImage(noPalette, 'nopalette.png'))).toBe('BAD_IMAGE');
    const notZlib = concat([SIGNATURE, ihdr(2, 1), chunk('IDAT', new Uint8Array([1, 2, 3, 4, 5])), chunk('IEND', new Uint8Array(0))]);
    expect(codeOf(() => decodeImage(notZlib, 'zlib.png'))).toBe('BAD_IMAGE');
    expect(codeOf(() => decodeImage(concat([SIGNATURE, ihdr(2, 1, 3, 0)]), 'depth.png'))).toBe('BAD_IMAGE');
  });

  it('a PNG with an unknown critical chunk is UNSUPPORTED_IMAGE; unknown ancillary chunks are ignored', () => {
    const rows = unfilteredRows(2, 2, () => 9);
    expect(codeOf(() => decodeImage(greyPng(2, 2, rows, [chunk('ABCD', new Uint8Array(1))]), 'x.png'))).toBe('UNSUPPORTED_IMAGE');
    expect(decodeImage(greyPng(2, 2, rows, [chunk('abCD', new Uint8Array(1))]), 'x.png').pixels).toEqual(new Uint8Array([9, 9, 9, 9]));
  });

  it('a truncated or corrupted JPEG is BAD_IMAGE; an arithmetic-coded one UNSUPPORTED_IMAGE', () => {
    for (const cut of [3, 100, Math.floor(jpg.length / 2), jpg.length - 2])
      expect(
        codeOf(() => decodeImage(jpg.subarray(0, cut), 'cut.jpg')),
        `cut at ${cut}`,
      ).toBe('BAD_IMAGE');
    const garbage = jpg.slice();
    for (let i = Math.floor(jpg.length / 2); i < Math.floor(jpg.length / 2) + 40; i++) garbage[i] = 0xff;
    garbage[Math.floor(jpg.length / 2) + 40] = 0x99;
    expect(codeOf(() => decodeImage(garbage, 'garbage.jpg'))).toBe('BAD_IMAGE');
    const arithmetic = jpg.slice();
    let at = 2;
    while (!(arithmetic[at] === 0xff && arithmetic[at + 1] >= 0xc0 && arithmetic[at + 1] <= 0xc2)) at += 2 + ((arithmetic[at + 2] << 8) | arithmetic[at + 3]);
    arithmetic[at + 1] = 0xc9;
    expect(codeOf(() => decodeImage(arithmetic, 'arith.jpg'))).toBe('UNSUPPORTED_IMAGE');
  });

  it('a text file named .png, a GIF or an empty file is NOT_IMAGE, naming the file', () => {
    expect(codeOf(() => decodeImage(enc('hello, I am text'), 'notes.png'))).toBe('NOT_IMAGE');
    expect(messageOf(() => decodeImage(enc('hello, I am text'), 'notes.png'))).toMatch(/^notes\.png is neither a PNG nor a JPEG file/);
    expect(messageOf(() => decodeImage(enc('GIF89a\x01\x00\x01\x00'), 'cat.gif'))).toMatch(/cat\.gif is a GIF image; images must be PNG or JPEG/);
    expect(codeOf(() => decodeImage(new Uint8Array(0), 'empty.jpg'))).toBe('NOT_IMAGE');
  });

  it('a file over maxFileBytes is refused before it is read', () => {
    expect(messageOf(() => decodeImage(png, 'grey8.png', { maxFileBytes: 100 }))).toMatch(/grey8\.png is \d+ bytes; the limit for one image file is 100 bytes \(maxFileBytes\)/);
  });
});

describe('the one resize: antialiased bilinear in float64', () => {
  for (const c of expected.resize) {
    it(`${c.name}: the float64 definition to 1e-9, PIL's BILINEAR to within 1 grey level`, () => {
      const image: DecodedImage = { width: c.width, height: c.height, channels: c.channels, pixels: bytesOf(c.pixels) };
      const out = resizeImage(image, { channels: c.channels, height: c.outHeight, width: c.outWidth });
      const n = c.outWidth * c.outHeight;
      const f64 = new Float64Array(bytesOf(c.float64).buffer);
      expect(maxDiff(out, planar(f64, c.channels, n)).max).toBeLessThan(1e-9);
      // PIL rounds to 8 bits after each pass (≤ ½ level each; the triangle's weights are ≥ 0, so the
      // first rounding carries through at most ½): measured over these cases max 1.0, mean ≤ 0.30
      const pil = maxDiff(out, planar(bytesOf(c.pil), c.channels, n));
      expect(pil.max).toBeLessThanOrEqual(1);
      expect(pil.mean).toBeLessThan(0.3);
    });
  }

  it('an image already at the model size passes unchanged (a 28×28 image to a 28×28 model)', () => {
    const c = expected.resize.find((r) => r.name.startsWith('fashion0'))!;
    const data = imageDataset([{ width: 28, height: 28, channels: 1, pixels: bytesOf(c.pixels) }], ['a.png']);
    expect(Array.from(modelPixels(data, 0, 1, { channels: 1, height: 28, width: 28 }))).toEqual(Array.from(bytesOf(c.pixels)));
  });

  it('grey → RGB replicates; RGB → grey is 0.299 R + 0.587 G + 0.114 B', () => {
    const grey: DecodedImage = { width: 2, height: 1, channels: 1, pixels: new Uint8Array([10, 200]) };
    expect(Array.from(resizeImage(grey, { channels: 3, height: 1, width: 2 }))).toEqual([10, 200, 10, 200, 10, 200]);
    const rgb: DecodedImage = { width: 1, height: 1, channels: 3, pixels: new Uint8Array([100, 50, 200]) };
    expect(resizeImage(rgb, { channels: 1, height: 1, width: 1 })[0]).toBeCloseTo(0.299 * 100 + 0.587 * 50 + 0.114 * 200, 12);
  });

  it('a constant image stays constant at every size, and the weights sum to one', () => {
    const flat: DecodedImage = { width: 13, height: 7, channels: 1, pixels: new Uint8Array(91).fill(77) };
    for (const [h, w] of [
      [32, 32],
      [3, 50],
      [1, 1],
      [7, 13],
    ]) {
      for (const v of resizeImage(flat, { channels: 1, height: h, width: w })) expect(v).toBeCloseTo(77, 10);
    }
  });

  it('specPixels: n × C × 32 × 32 in [0, 1]; a data set with one colour image is read as RGB', () => {
    const a = decodeImage(fixture('grey8.png'), 'grey8.png');
    const b = decodeImage(fixture('rgb8.png'), 'rgb8.png');
    const data = imageDataset([a, b], ['grey8.png', 'rgb8.png']);
    expect(data.channels).toBe(3);
    const pixels = specPixels(data);
    expect(pixels.length).toBe(2 * 3 * 32 * 32);
    expect(Math.min(...pixels)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...pixels)).toBeLessThanOrEqual(1);
    // the grey image: three equal planes, = resize / 255
    const grey = resizeImage(a, { channels: 1, height: 32, width: 32 });
    for (let i = 0; i < 1024; i++) {
      expect(pixels[i]).toBeCloseTo(grey[i] / 255, 6);
      expect(pixels[1024 + i]).toBe(pixels[i]);
      expect(pixels[2048 + i]).toBe(pixels[i]);
    }
  });

  it('specPixels of a batch equals the same rows of the whole', () => {
    const images = ['grey8.png', 'grey16.png', 'rgb8.png', 'palette4.png'].map((f) => decodeImage(fixture(f), f));
    const data = imageDataset(images, ['a', 'b', 'c', 'd']);
    const per = 3 * 32 * 32;
    expect(Array.from(specPixels(data, 1, 2))).toEqual(Array.from(specPixels(data).subarray(per, 3 * per)));
    expect(codeOf(() => specPixels(data, 3, 2))).toBe('BAD_COUNT');
  });

  it('modelPixels: images start … start + count − 1 at the model size, 0–255; out of range is BAD_COUNT', () => {
    const images = ['grey8.png', 'grey16.png', 'rgb8.png'].map((f) => decodeImage(fixture(f), f));
    const data = imageDataset(images, ['a', 'b', 'c']);
    const batch = modelPixels(data, 1, 2, { channels: 1, height: 10, width: 12 });
    expect(batch.length).toBe(2 * 120);
    expect(Array.from(batch.subarray(120))).toEqual(Array.from(Float32Array.from(resizeImage(images[2], { channels: 1, height: 10, width: 12 }))));
    expect(codeOf(() => modelPixels(data, 2, 2, { channels: 1, height: 10, width: 12 }))).toBe('BAD_COUNT');
    expect(codeOf(() => modelPixels(data, 0, 1, { channels: 2 as 1, height: 10, width: 12 }))).toBe('BAD_SHAPE');
  });
});

describe('images from folders and zips', () => {
  const a = fixture('grey8.png');
  const b = fixture('rgb8.png');
  const c = fixture('grey.jpg');

  it('sorted path order; class sub-folders are labels once the wrapping folder is set aside; other files are skipped and listed', () => {
    const data = imagesFromFiles([
      { path: 'shoes/train/sneaker/2.png', bytes: a },
      { path: 'shoes/train/boot/1.JPG', bytes: c },
      { path: 'shoes/train/README.md', bytes: enc('read me') },
      { path: 'shoes/train/boot/0.png', bytes: b },
    ]);
    expect(data.sources).toEqual(['shoes/train/boot/0.png', 'shoes/train/boot/1.JPG', 'shoes/train/sneaker/2.png']);
    expect(data.labels).toEqual(['boot', 'boot', 'sneaker']);
    expect(data.skipped).toEqual(['shoes/train/README.md']);
    expect(data.rows).toBe(3);
    expect(data.channels).toBe(3);
    expect(data.images.map((i) => i.channels)).toEqual([3, 1, 1]);
  });

  it('images at the top level have no labels; images beside class folders are unlabelled (null)', () => {
    expect(imagesFromFiles([{ path: 'x.png', bytes: a }]).labels).toBeUndefined();
    expect(imagesFromFiles([{ path: 'x/a.png', bytes: a }]).labels).toBeUndefined();
    expect(
      imagesFromFiles([
        { path: 'data/a.png', bytes: a },
        { path: 'data/cat/b.png', bytes: a },
      ]).labels,
    ).toEqual([null, 'cat']);
  });

  it('no image left is NO_ROWS; too many images, too many decoded bytes or a too-large file are refused by name', () => {
    expect(codeOf(() => imagesFromFiles([{ path: 'notes.txt', bytes: enc('x') }]))).toBe('NO_ROWS');
    expect(codeOf(() => imagesFromFiles([]))).toBe('NO_ROWS');
    const three = [1, 2, 3].map((i) => ({ path: `${i}.png`, bytes: a }));
    expect(codeOf(() => imagesFromFiles(three, { maxImages: 2 }))).toBe('TOO_MANY_ROWS');
    expect(messageOf(() => imagesFromFiles(three, { maxImages: 2 }))).toMatch(/3 images; the limit is 2 images \(maxImages\)/);
    // grey8.png is 23 × 17 = 391 bytes decoded
    expect(messageOf(() => imagesFromFiles(three, { maxTotalBytes: 1000 }))).toMatch(/more than 1000 bytes \(maxTotalBytes; reached at 3\.png\)/);
    expect(codeOf(() => imagesFromFiles(three, { maxSide: 20 }))).toBe('IMAGE_TOO_LARGE');
    expect(codeOf(() => imagesFromFiles([{ path: 'fake.png', bytes: enc('not an image') }]))).toBe('NOT_IMAGE');
  });

  it('a zip: folders are labels, __MACOSX and dot files are skipped, non-images are listed as skipped', () => {
    const zip = zipSync({
      'pets/dog/b.png': a,
      'pets/cat/a.jpg': c,
      'pets/dog/a.png': b,
      'pets/notes.txt': enc('hello'),
      '__MACOSX/pets/dog/._a.png': enc('resource fork'),
      'pets/.DS_Store': enc('finder'),
    } as Zippable);
    const data = imagesFromZip(zip, 'pets.zip');
    expect(data.sources).toEqual(['pets/cat/a.jpg', 'pets/dog/a.png', 'pets/dog/b.png']);
    expect(data.labels).toEqual(['cat', 'dog', 'dog']);
    expect(data.skipped).toEqual(['pets/notes.txt']);
  });

  it('an image zip bomb is refused by the zip reader (ZIP_BOMB) before it is inflated', () => {
    const bomb = zipSync({ 'bomb/a.png': new Uint8Array(4 * 2 ** 20) } as Zippable, { level: 9 });
    expect(bomb.length).toBeLessThan(20_000);
    expect(codeOf(() => imagesFromZip(bomb, 'bomb.zip'))).toBe('ZIP_BOMB');
  });

  it('a zip without images is NO_ROWS', () => {
    expect(codeOf(() => imagesFromZip(zipSync({ 'a.txt': enc('x') }), 'texts.zip'))).toBe('NO_ROWS');
  });
});

describe('loaders: a zip mostly of images goes to the image loader, other zips to the text loader', () => {
  const a = fixture('grey8.png');
  it('routes by content', async () => {
    const images = zipSync({ 'x/a.png': a, 'x/b.png': a, 'x/readme.txt': enc('r'), '__MACOSX/x/._a.txt': enc('m'), '__MACOSX/x/._b.txt': enc('m') } as Zippable);
    const texts = zipSync({ 'x/a.txt': enc('one'), 'x/b.txt': enc('two'), 'x/c.png': a } as Zippable);
    expect(loaderFor(images, 'x.zip')).toBe(imageLoader);
    expect(loaderFor(texts, 'x.zip')).toBe(textLoader);
    expect(loaderFor(a, 'photo.png')).toBe(imageLoader);
    expect(loaderFor(fixture('grey.jpg'), 'photo')).toBe(imageLoader);
    expect(loaderFor(enc('{"text": "hi"}\n'), 'a.jsonl')).toBe(textLoader);
    expect(loaderFor(enc('a,b\n1,2\n'), 'a.csv').kind).toBe('table');
    const loaded = (await imageLoader.load(images, 'x.zip', {})) as ParsedImages;
    expect(loaded.kind).toBe('image');
    expect(loaded.images.rows).toBe(2);
    const single = (await imageLoader.load(a, 'photo', {})) as ParsedImages;
    expect(single.images.sources).toEqual(['photo']);
    expect(((await textLoader.load(texts, 'x.zip', {})) as ParsedTexts).texts.rows).toBe(2);
  });
});

describe('IDX files', () => {
  function idx(dims: number[], values: Uint8Array): Uint8Array {
    const head = new Uint8Array(4 + 4 * dims.length);
    head.set([0, 0, 8, dims.length]);
    dims.forEach((d, i) => new DataView(head.buffer).setUint32(4 + 4 * i, d));
    return concat([head, values]);
  }

  it('raw and gzipped IDX give the same dims and values', () => {
    const values = Uint8Array.from({ length: 24 }, (_, i) => i * 7);
    const raw = idx([2, 3, 4], values);
    expect(readIdx(raw)).toEqual({ dims: [2, 3, 4], data: values });
    expect(readIdx(gzipSync(raw))).toEqual({ dims: [2, 3, 4], data: values });
  });

  it('hostile IDX: sizes that disagree with the bytes, an oversized declaration, another value type, a broken gzip', () => {
    const values = new Uint8Array(24);
    expect(messageOf(() => readIdx(idx([2, 3, 4], values.subarray(0, 20))))).toMatch(/declares 2×3×4 = 24 values but holds 20 \(truncated\)/);
    expect(codeOf(() => readIdx(idx([2, 3, 4], new Uint8Array(30))))).toBe('BAD_IDX');
    expect(codeOf(() => readIdx(gzipSync(idx([2, 3, 4], values.subarray(0, 20)))))).toBe('BAD_IDX');
    expect(codeOf(() => readIdx(gzipSync(idx([2, 3, 4], new Uint8Array(30)))))).toBe('BAD_IDX');
    expect(messageOf(() => readIdx(idx([100_000, 100_000, 100_000], new Uint8Array(0))))).toMatch(/more than \d+ values, the limit/);
    expect(messageOf(() => readIdx(gzipSync(idx([65_536, 65_536], new Uint8Array(10)))))).toMatch(/the limit/);
    const float = idx([1], new Uint8Array(4));
    float[2] = 0x0d;
    expect(messageOf(() => readIdx(float))).toMatch(/type 0x0d; only unsigned bytes/);
    expect(codeOf(() => readIdx(gzipSync(idx([24], values)).subarray(0, 20)))).toBe('BAD_IDX');
    expect(codeOf(() => readIdx(new Uint8Array([0, 0, 8])))).toBe('BAD_IDX');
  });

  const labels = join(FASHION, 't10k-labels-idx1-ubyte.gz');
  const images = join(FASHION, 't10k-images-idx3-ubyte.gz');
  it.skipIf(!existsSync(labels) || !existsSync(images))(
    'Fashion-MNIST t10k: 10,000 labels, 1,000 per class; 10,000 images of 28 × 28 (skipped when Debian dataset-fashion-mnist is not installed)',
    () => {
      const l = readIdx(new Uint8Array(readFileSync(labels)));
      expect(l.dims).toEqual([10_000]);
      const counts = new Array<number>(10).fill(0);
      for (const v of l.data) counts[v]++;
      expect(counts).toEqual(new Array<number>(10).fill(1000));
      const i = readIdx(new Uint8Array(readFileSync(images)));
      expect(i.dims).toEqual([10_000, 28, 28]);
      expect(i.data.length).toBe(10_000 * 784);
      // the first three images are the resize fixtures' sources (read by numpy in the fixture script)
      for (const k of [0, 1, 2]) {
        const c = expected.resize.find((r) => r.name.startsWith(`fashion${k}-`))!;
        expect(Array.from(i.data.subarray(k * 784, (k + 1) * 784))).toEqual(Array.from(bytesOf(c.pixels)));
      }
    },
  );
});
