/** The worker's language identifier (docs/text.md §3) in Chromium agrees with Node's. */
import * as Comlink from 'comlink';
import { afterAll, describe, expect, it } from 'vitest';
import type { LanguageWorkerApi } from './language.worker.js';

// inputs and what tests/unit/language.test.ts's Node identifier (src/cli/language.ts) returns for them
const CASES: [text: string, language: string, probability: number][] = [
  ['The weather was lovely this morning, so we walked to the market.', 'en', 0.9831],
  ['Le temps était magnifique ce matin, alors nous sommes allés au marché.', 'fr', 0.9945],
  ['Das Wetter war heute Morgen herrlich, also sind wir zum Markt gegangen.', 'de', 0.9909],
  ['今天早上天气很好，所以我们走路去市场。', 'zh', 0.9435],
  ['El tiempo estaba precioso esta mañana, así que fuimos al mercado.', 'es', 0.9704],
  ['Questa mattina il tempo era bellissimo,\nquindi siamo andati al mercato.', 'it', 0.9894],
  ['hi', 'und', 0],
  ['Сегодня утром была прекрасная погода.', 'ru', 0.9913],
];

describe('language identification in a Web Worker', () => {
  const worker = new Worker(new URL('./language.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<LanguageWorkerApi>(worker);
  afterAll(() => worker.terminate());

  it('loads the bundled wasm and model by URL and identifies the same languages as Node', async () => {
    const { id, guesses } = await api.identify(CASES.map(([text]) => text));
    expect(id).toBe('fasttext-lid176-1');
    expect(guesses.map((g) => g.language)).toEqual(CASES.map(([, language]) => language));
    guesses.forEach((g, i) => expect(g.probability).toBeCloseTo(CASES[i][2], 3));
  });
});
