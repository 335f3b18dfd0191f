/** A Web Worker running the page's language identifier (workers/language.ts), for tests/browser/language.test.ts. */
import * as Comlink from 'comlink';
import { workerLanguageIdentifier } from '../../workers/language.js';

const api = {
  async identify(texts: string[]) {
    const identifier = await workerLanguageIdentifier();
    return { id: identifier.id, guesses: await identifier.identify(texts) };
  },
};

export type LanguageWorkerApi = typeof api;
Comlink.expose(api);
