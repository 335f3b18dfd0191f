/**
 * What a catalog page shows about a bundle without running its model: the manifest (semantic
 * spec, input and output schema), the model card and a summary of the statistical spec — after
 * every integrity check of the checker (inspectBundle). The model card is returned as text; the
 * page shows it as text, never as HTML.
 */
import { FormatError } from '../core/errors.js';
import { specType } from '../spec/registry.js';
import { inspectBundle } from './checker.js';
import type { Manifest } from './manifest.js';
import type { ZipLimits } from '../core/zip.js';

export const MODEL_CARD_FILE = 'README.md';
const MAX_CARD_CHARS = 64 * 1024;

export interface BundleDescription {
  manifest: Manifest;
  sha256: string;
  size: number;
  /** README.md (markdown), cut at 64k characters; null when the bundle has none */
  modelCard: string | null;
  /** what the statistical spec is, in its type's words (spec/registry.ts) */
  spec: { type: string; label: string; K: number; numPoints: number; summary: string };
}

export async function describeBundle(bundle: Uint8Array, options: { zipLimits?: Partial<ZipLimits> } = {}): Promise<BundleDescription> {
  const inspected = await inspectBundle(bundle, options);
  if ('status' in inspected) throw new FormatError('INVALID_BUNDLE', `the bundle is INVALID: ${inspected.reasons.map((r) => r.message).join('; ')}`);
  const { manifest, spec, sha256, files } = inspected;
  const card = files.get(MODEL_CARD_FILE);
  const text = card ? new TextDecoder('utf-8').decode(card) : null;
  return {
    manifest,
    sha256,
    size: bundle.length,
    modelCard: text === null ? null : text.length > MAX_CARD_CHARS ? `${text.slice(0, MAX_CARD_CHARS)}\n…` : text,
    spec: { type: spec.type, label: specType(spec.type).label, K: spec.K, numPoints: spec.numPoints, summary: specType(spec.type).describe(spec) },
  };
}
