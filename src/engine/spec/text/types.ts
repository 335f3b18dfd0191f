/**
 * The text RKME (docs/text.md §5): the table RKME over the texts' embeddings, with the languages
 * of the texts and the embedder that made the embeddings. Imports only types.
 */
import type { EmbedderRef } from '../../data/text.js';
import type { StatSpec } from '../spec-type.js';
import type { RkmeTableSpec } from '../table/types.js';

export const RKME_TEXT_TYPE = 'RKMETextSpecification';

/** The reference's embedder (a spec without our `embedder` key was made by it): never compared with ours. */
export const REFERENCE_EMBEDDER: EmbedderRef = { id: 'paraphrase-multilingual-MiniLM-L12-v2', version: 'reference', dim: 384, tokenizer: 'sentence-transformers' };

export interface RkmeTextSpec extends StatSpec {
  type: typeof RKME_TEXT_TYPE;
  K: number;
  numPoints: number;
  /** the RKME of the embeddings (its type field stays the table's; it is never written on its own) */
  rkme: RkmeTableSpec;
  /** ISO 639-1 codes of the texts' languages (data/language.ts corpusLanguages); empty = unknown */
  language: string[];
  embedder: EmbedderRef;
}
