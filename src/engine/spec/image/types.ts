/**
 * The image RKME (docs/image.md §3): K reduced images Z (C × 32 × 32, pixels in [0, 1]) with
 * weights β, compared through the features ψ of a fixed random ConvNet (features.ts) under
 * k(x, y) = exp(−γ‖ψ(x) − ψ(y)‖²). Imports only types.
 */
import type { StatSpec } from '../spec-type.js';
import type { SpecProvenance } from '../table/types.js';

export const RKME_IMAGE_TYPE = 'RKMEImageSpecification';

/** The network of a spec without our `network` key: the reference's (its ConvNet NNGP kernel on standardised pixels), never compared with ours. */
export const REFERENCE_NETWORK = 'reference-cnn-gp';

/** The limits of an image spec read from a bundle or a shard (comparing costs K² · 256, building a view K ψ passes). */
export const IMAGE_SPEC_LIMITS = { K: 1_000 } as const;

/** The reference's fields we keep as they were read, so a reference spec is written back unchanged. */
export interface ReferenceImageFields {
  version: number;
  msg: unknown;
  nModels: number;
  modelConfig: unknown;
}

export interface RkmeImageSpec extends StatSpec {
  type: typeof RKME_IMAGE_TYPE;
  K: number;
  numPoints: number;
  channels: 1 | 3;
  /** the reduced images, K × C × 32 × 32 (C-order); pixels / 255 in [0, 1] (`pixels` "0-1"), or the reference's standardised space */
  z: Float64Array;
  /** weights, length K */
  beta: Float64Array;
  gamma: number;
  /** the feature network ψ, e.g. "conv3-16-32-64@1", or REFERENCE_NETWORK */
  network: string;
  pixels: '0-1' | 'standardised';
  reference: ReferenceImageFields;
  provenance: SpecProvenance | null;
}
