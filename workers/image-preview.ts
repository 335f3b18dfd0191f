/**
 * What the page is shown of images (docs/image.md §1): small thumbnails drawn from the decoded
 * pixels (RGBA, ready for an ImageData on a <canvas>; nothing is uploaded or encoded), and the
 * images packed into one buffer so a worker can hand them to another by transfer, not by a
 * structured clone of every image. Imports data types and the one resize only, so the reuse
 * worker can use it (no tfjs).
 */
import { SPEC_IMAGE_SIZE, type DecodedImage, type ImageDataset } from '../src/engine/data/image.js';
import { resizeImage } from '../src/engine/data/image-resize.js';

/** One thumbnail: width × height RGBA samples (an ImageData's layout). */
export interface Thumbnail {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/** One image as the page previews it: its thumbnail, where it came from, its label. */
export interface ImagePreview {
  source: string;
  label: string | null;
  /** the image's own size */
  width: number;
  height: number;
  thumbnail: Thumbnail;
}

export const PREVIEW_IMAGES = 24;
/** the longest side of a thumbnail, in pixels */
export const THUMBNAIL_SIDE = 64;

/** An image drawn at most `side` pixels on its longest side (never enlarged), through the one resize (data/image-resize.ts). */
export function thumbnail(image: DecodedImage, side = THUMBNAIL_SIDE): Thumbnail {
  const scale = Math.min(1, side / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const C = image.channels;
  const planes = resizeImage(image, { channels: C, height, width });
  const plane = width * height;
  const rgba = new Uint8ClampedArray(plane * 4);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Math.round(planes[(C === 1 ? 0 : c) * plane + p]);
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

/** The images a preview shows: the first ones, taken in turn from each label (class folders sort together, so the first alone would show one class). */
export function previewRows(data: ImageDataset, count = PREVIEW_IMAGES): number[] {
  const n = Math.min(count, data.rows);
  if (!data.labels) return Array.from({ length: n }, (_, i) => i);
  const groups = new Map<string, number[]>();
  data.labels.forEach((l, i) => {
    const key = l ?? '';
    let rows = groups.get(key);
    if (!rows) groups.set(key, (rows = []));
    if (rows.length < n) rows.push(i);
  });
  const lists = [...groups.values()];
  const out: number[] = [];
  for (let k = 0; out.length < n; k++) for (const rows of lists) if (k < rows.length && out.length < n) out.push(rows[k]);
  return out;
}

/** Thumbnails, sources and labels of the first images, in turn from each label. */
export function previewImages(data: ImageDataset, count = PREVIEW_IMAGES): ImagePreview[] {
  return previewRows(data, count).map((i) => ({
    source: data.sources[i],
    label: data.labels?.[i] ?? null,
    width: data.images[i].width,
    height: data.images[i].height,
    thumbnail: thumbnail(data.images[i]),
  }));
}

/** Reduced image i of a spec's Z (K × C × 32 × 32, C-order, values in [0, 1]) as a 32×32 thumbnail. */
export function reducedThumbnail(z: Float64Array, channels: 1 | 3, i: number): Thumbnail {
  const side = SPEC_IMAGE_SIZE;
  const plane = side * side;
  const rgba = new Uint8ClampedArray(plane * 4);
  const base = i * channels * plane;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Math.round(255 * z[base + (channels === 1 ? 0 : c) * plane + p]);
    rgba[p * 4 + 3] = 255;
  }
  return { width: side, height: side, rgba };
}

/** Images in one buffer: each image's pixels at its offset (what a handover transfers). */
export interface PackedImages {
  /** every image's pixels, one after the other (transferred) */
  pixels: Uint8Array;
  offsets: number[];
  sizes: { width: number; height: number; channels: 1 | 3 }[];
}

/** Copies the images' pixels into one fresh buffer (the sender keeps its own images). */
export function packImages(images: readonly DecodedImage[]): PackedImages {
  const offsets: number[] = [];
  let total = 0;
  for (const image of images) {
    offsets.push(total);
    total += image.pixels.length;
  }
  const pixels = new Uint8Array(total);
  images.forEach((image, i) => pixels.set(image.pixels, offsets[i]));
  return { pixels, offsets, sizes: images.map((i) => ({ width: i.width, height: i.height, channels: i.channels })) };
}

/** The images again, each a view on the one buffer (no copy). */
export function unpackImages(packed: PackedImages): DecodedImage[] {
  return packed.sizes.map((s, i) => ({ ...s, pixels: packed.pixels.subarray(packed.offsets[i], packed.offsets[i] + s.width * s.height * s.channels) }));
}

/** The distinct labels, sorted (null: more than 50, or none). */
export function imageLabelNames(data: ImageDataset): string[] | null {
  if (!data.labels) return null;
  const seen = new Set<string>();
  for (const l of data.labels) if (l !== null && seen.size <= 50) seen.add(l);
  return seen.size > 50 || seen.size === 0 ? null : [...seen].sort();
}
