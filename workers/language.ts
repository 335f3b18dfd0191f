/**
 * Language identification in a Web Worker (docs/text.md §3): fastText's lid.176 model through the
 * browser build of fasttext.wasm.js. The wasm and the model are bundled assets (fingerprinted URLs
 * under /assets, so the app works offline), fetched on the first call only: a table journey never
 * loads them.
 */
import wasmUrl from 'fasttext.wasm.js/dist/core/fastText.common.wasm?url';
import modelUrl from 'fasttext.wasm.js/dist/fastText/models/lid.176.ftz?url';
import { fastTextIdentifier, type LanguageIdentifier } from '../src/engine/data/language.js';

let loading: Promise<LanguageIdentifier> | undefined;

export function workerLanguageIdentifier(): Promise<LanguageIdentifier> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined; // a failed load (offline before the first visit) may be retried
    throw error;
  });
  return loading;
}

async function load(): Promise<LanguageIdentifier> {
  const { getLIDModel } = await import('fasttext.wasm.js/common');
  // absolute URLs: the package fetches the model itself and emscripten resolves the wasm by locateFile
  const base = globalThis.location.href;
  const lid = await getLIDModel({ wasmPath: new URL(wasmUrl, base).href, modelPath: new URL(modelUrl, base).href });
  const model = await lid.load();
  return fastTextIdentifier(model);
}
