/**
 * Texts in the page's workers (docs/text.md §1–§3): the embedder file, fetched from the app's own
 * origin on the first text job only (a table journey never loads it) and parsed once per worker;
 * the texts' embeddings and languages (workers/language.ts), computed once per dataset.
 */
import { NetworkError } from '../src/engine/core/errors.js';
import { PhaseReporter, type JobOptions } from '../src/engine/core/progress.js';
import { EMBEDDER_FILE, embedTextDataset, parseWordVectors, type WordVectors } from '../src/engine/data/embedder.js';
import { corpusLanguages, type LanguageGuess } from '../src/engine/data/language.js';
import type { TextDataset } from '../src/engine/data/text.js';
import { workerLanguageIdentifier } from './language.js';

export { labelNames, previewTexts, snippet, type TextPreview } from './text-preview.js';

let vectors: Promise<WordVectors> | undefined;

/** The word vectors (public/embedders/, engine EMBEDDER_FILE), fetched and parsed once per worker. */
export function wordVectors(): Promise<WordVectors> {
  vectors ??= (async () => {
    const url = new URL(`${import.meta.env.BASE_URL}${EMBEDDER_FILE}`, self.location.href).href;
    const response = await fetch(url);
    if (!response.ok) throw new NetworkError('HTTP_STATUS', `the text embedder ${EMBEDDER_FILE} could not be loaded (HTTP ${response.status})`, { url, status: response.status });
    return parseWordVectors(new Uint8Array(await response.arrayBuffer()));
  })().catch((error: unknown) => {
    vectors = undefined; // offline before the first visit: a later job may retry
    throw error;
  });
  return vectors;
}

/** texts identified per call, so that progress moves and a cancel is seen */
const LANGUAGE_BATCH = 256;

/** The dataset with its embeddings and languages (computed once: a dataset that has them is returned as it is). */
export async function embedAndIdentify(data: TextDataset, options: JobOptions = {}): Promise<TextDataset> {
  let out = data;
  if (!out.embedding) {
    const loading = new PhaseReporter(options.onProgress, 'texts', 'embedder', 1, 'steps');
    const wv = await wordVectors();
    loading.finish();
    out = embedTextDataset(wv, out, options);
  }
  if (!out.languages) {
    const identifier = await workerLanguageIdentifier();
    const reporter = new PhaseReporter(options.onProgress, 'texts', 'languages', out.rows, 'rows');
    const guesses: LanguageGuess[] = [];
    for (let start = 0; start < out.rows; start += LANGUAGE_BATCH) {
      guesses.push(...(await identifier.identify(out.texts.slice(start, start + LANGUAGE_BATCH), { signal: options.signal })));
      reporter.update(guesses.length);
    }
    reporter.finish();
    out = { ...out, languages: corpusLanguages(guesses) };
  }
  return out;
}
