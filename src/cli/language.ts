/**
 * Language identification in Node (docs/text.md §3): fastText's lid.176 model from the
 * fasttext.wasm.js package (its Node build reads the model from node_modules), loaded once, on the
 * first text that needs it.
 */
import { getLIDModel } from 'fasttext.wasm.js';
import { fastTextIdentifier, type LanguageIdentifier } from '../engine/data/language.js';

let loading: Promise<LanguageIdentifier> | undefined;

export function nodeLanguageIdentifier(): Promise<LanguageIdentifier> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined; // a failed load may be retried
    throw error;
  });
  return loading;
}

async function load(): Promise<LanguageIdentifier> {
  const model = await (await getLIDModel()).load();
  return fastTextIdentifier(model);
}
