/**
 * Images as data (docs/image.md §1): the image Dataset kind, the decoded images a folder, a zip or
 * a set of PNG/JPEG files becomes, and the limits a hostile image file meets. Every image keeps its
 * decoded pixels at their own size (8-bit, row-major, channels last); the spec reads them resized to
 * 32×32 and a model at its own input size, both through the one resize (data/image-resize.ts), so
 * Node and every browser see the same numbers. Imports only data types.
 */
import type { Dataset } from './dataset.js';

export const IMAGE_DATASET = 'image';

/** The side of the square images an image spec is built from (the reference's 32×32). */
export const SPEC_IMAGE_SIZE = 32;

/** One decoded image: 8-bit samples, row-major, channels last (1 = grey, 3 = RGB; alpha is dropped on decoding). */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** height × width × channels bytes */
  pixels: Uint8Array;
}

/** The random-ConvNet features an image spec compares images by (spec/image/features.ts), once computed. */
export interface ImageFeatures {
  /** row-major rows × dim */
  values: Float64Array;
  dim: number;
  /** the feature network's id and version, e.g. "conv3-16-32-64@1" */
  network: string;
}

/** The user's or a developer's images, in sorted path order; labels when the input has class folders. */
export interface ImageDataset extends Dataset {
  readonly kind: typeof IMAGE_DATASET;
  rows: number;
  images: DecodedImage[];
  /** 3 when any image is in colour (grey images then count as R = G = B), else 1 */
  channels: 1 | 3;
  /** each image's path inside its folder or zip (or its file name), for messages and predictions */
  sources: string[];
  /** a label per image (its class folder), null = unlabelled; absent = no labels */
  labels?: (string | null)[];
  /** the input's files that were not images (no .png/.jpg/.jpeg name) and were left out, by path (data/image-file.ts) */
  skipped?: string[];
  /** the images' features, once computed (a spec build computes them; reuse's job selector reads them) */
  features?: ImageFeatures;
}

/** Limits for the images of one input (a browser tab and the CLI may choose differently). */
export const IMAGE_LIMITS = {
  /** images in one input */
  maxImages: 100_000,
  /** width or height of one image */
  maxSide: 8_192,
  /** pixels of one image (checked from its header, before decoding) */
  maxPixelsPerImage: 40_000_000,
  /** decoded bytes over all images */
  maxTotalBytes: 1_073_741_824,
  /** bytes of one image file */
  maxFileBytes: 64 * 2 ** 20,
} as const;

export type ImageLimits = { [K in keyof typeof IMAGE_LIMITS]?: number };

export function imageDataset(images: DecodedImage[], sources: string[], labels?: (string | null)[]): ImageDataset {
  const channels = images.some((i) => i.channels === 3) ? 3 : 1;
  return { kind: IMAGE_DATASET, rows: images.length, images, channels, sources, ...(labels ? { labels } : {}) };
}

export function isImageDataset(data: Dataset): data is ImageDataset {
  return data.kind === IMAGE_DATASET;
}
