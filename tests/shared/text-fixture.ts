/**
 * The cross-environment text fixture (tests/fixtures/text-spec/): 60 short Brown passages, their
 * embeddings and the text RKME that Node computes for them with the plain-TS backend. The Node
 * test checks the committed result is still what Node computes; the browser test checks Chromium
 * computes the same embeddings and, on every backend, the same spec within the stated tolerance
 * (docs/text.md §5).
 */
import {
  embedTextDataset,
  parseStatSpec,
  parseWordVectors,
  serializeStatSpec,
  textsFromJsonLines,
  textSpecType,
  type ComputeBackend,
  type RkmeTextSpec,
} from '../../src/engine/index.js';

export const TEXT_FIXTURE_OPTIONS = { K: 20, seed: 0 } as const;

export interface TextFixtureResult {
  /** the first three texts' embeddings */
  embeddings: number[][];
  spec: RkmeTextSpec;
}

export async function computeTextFixture(backend: ComputeBackend, embedderBytes: Uint8Array, jsonl: Uint8Array): Promise<TextFixtureResult> {
  const vectors = parseWordVectors(embedderBytes);
  const data = { ...embedTextDataset(vectors, textsFromJsonLines(jsonl, 'texts.jsonl')), languages: ['en'] };
  const dim = data.embedding!.dim;
  const embeddings = [0, 1, 2].map((r) => Array.from(data.embedding!.values.subarray(r * dim, (r + 1) * dim)));
  const { spec } = await textSpecType.build(backend, data, TEXT_FIXTURE_OPTIONS);
  // the provenance names the backend: equal specs from two backends differ only there
  return { embeddings, spec: { ...spec, rkme: { ...spec.rkme, provenance: null } } };
}

export function fixtureJson(result: TextFixtureResult): string {
  return JSON.stringify({ embeddings: result.embeddings, spec: JSON.parse(serializeStatSpec(result.spec)) }) + '\n';
}

export function readFixture(text: string): TextFixtureResult {
  const data = JSON.parse(text) as { embeddings: number[][]; spec: unknown };
  return { embeddings: data.embeddings, spec: parseStatSpec(JSON.stringify(data.spec)) as RkmeTextSpec };
}

/** MMD² between two text specs under the reference's own settings (0 for equal specs). */
export function specDistance(a: RkmeTextSpec, b: RkmeTextSpec): number {
  const settings = textSpecType.ownSettings(a);
  return textSpecType.innerProduct(a, a, settings) + textSpecType.innerProduct(b, b, settings) - 2 * textSpecType.innerProduct(a, b, settings);
}
