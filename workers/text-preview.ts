/**
 * What the page is shown of texts (a few, truncated: the rest stays in the worker), and the
 * snippet each prediction is shown with. Imports types only, so the reuse worker can use it.
 */
import type { TextDataset } from '../src/engine/data/text.js';

/** One text as the page previews it. */
export interface TextPreview {
  source: string;
  /** the text's first PREVIEW_CHARS characters (the page escapes it: Svelte text, never HTML) */
  text: string;
  /** characters left out of `text` */
  more: number;
  label: string | null;
}

export const PREVIEW_TEXTS = 5;
export const PREVIEW_CHARS = 240;

/** The first characters of a text, its line breaks as spaces (a preview and a prediction's snippet). */
export function snippet(text: string, chars = PREVIEW_CHARS): { text: string; more: number } {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= chars ? { text: flat, more: 0 } : { text: flat.slice(0, chars), more: flat.length - chars };
}

export function previewTexts(data: TextDataset, count = PREVIEW_TEXTS): TextPreview[] {
  return data.texts.slice(0, count).map((t, i) => ({ source: data.sources[i], ...snippet(t), label: data.labels?.[i] ?? null }));
}

/** The distinct labels, sorted (null: more than 50, or none). */
export function labelNames(data: TextDataset): string[] | null {
  if (!data.labels) return null;
  const seen = new Set<string>();
  for (const l of data.labels) if (l !== null && seen.size <= 50) seen.add(l);
  return seen.size > 50 || seen.size === 0 ? null : [...seen].sort();
}
