/** Language identification (docs/text.md §3): the Node fastText identifier and the corpus rule. */
import { describe, expect, it } from 'vitest';
import { nodeLanguageIdentifier } from '../../src/cli/language.js';
import { CancelledError } from '../../src/engine/core/errors.js';
import { corpusLanguages, FASTTEXT_LID176_ID, identifyEach, languagesCovered, oneLine, tooShortToJudge, UNDETERMINED, type LanguageGuess } from '../../src/engine/data/language.js';

const SENTENCES: Record<string, string> = {
  en: 'The weather was lovely this morning, so we walked to the market and bought fresh bread.',
  fr: 'Le temps était magnifique ce matin, alors nous sommes allés au marché acheter du pain frais.',
  de: 'Das Wetter war heute Morgen herrlich, also sind wir zum Markt gegangen und haben frisches Brot gekauft.',
  zh: '今天早上天气很好，所以我们走路去市场买了新鲜的面包。',
  es: 'El tiempo estaba precioso esta mañana, así que fuimos al mercado a comprar pan fresco.',
};

const guess = (language: string, probability = 0.9): LanguageGuess => ({ language, probability });
const many = (n: number, language: string, probability = 0.9) => Array.from({ length: n }, () => guess(language, probability));

describe('language identification in Node (fastText lid.176)', () => {
  it('identifies English, French, German, Chinese and Spanish sentences', async () => {
    const identifier = await nodeLanguageIdentifier();
    expect(identifier.id).toBe(FASTTEXT_LID176_ID);
    const codes = Object.keys(SENTENCES);
    const guesses = await identifier.identify(codes.map((c) => SENTENCES[c]));
    expect(guesses.map((g) => g.language)).toEqual(codes);
    for (const g of guesses) expect(g.probability).toBeGreaterThan(0.8);
  });

  it('is loaded once', async () => {
    expect(await nodeLanguageIdentifier()).toBe(await nodeLanguageIdentifier());
  });

  it('gives empty and very short texts "und" with probability 0, without asking the model', async () => {
    const identifier = await nodeLanguageIdentifier();
    expect(await identifier.identify([])).toEqual([]);
    const guesses = await identifier.identify(['', 'hi', '  42 !! ', '你好', 'Ok.']);
    expect(guesses).toEqual(Array.from({ length: 5 }, () => ({ language: UNDETERMINED, probability: 0 })));
    expect(tooShortToJudge('abc')).toBe(false);
    expect(tooShortToJudge('你好世')).toBe(false);
  });

  it('reads a text with line breaks as one line', async () => {
    expect(oneLine('a\nb\r\nc')).toBe('a b c');
    const identifier = await nodeLanguageIdentifier();
    const [broken] = await identifier.identify([SENTENCES.de.replaceAll(' ', '\n')]);
    expect(broken.language).toBe('de');
  });

  it('is deterministic', async () => {
    const identifier = await nodeLanguageIdentifier();
    const texts = [...Object.values(SENTENCES), 'maybe', 'Ceci est peut-être anglais, or not.'];
    expect(await identifier.identify(texts)).toEqual(await identifier.identify(texts));
  });

  it('identifies 2,000 short texts', async () => {
    const identifier = await nodeLanguageIdentifier();
    const base = Object.values(SENTENCES).map((s) => s.slice(0, 40));
    const texts = Array.from({ length: 2000 }, (_, i) => `${base[i % base.length]} ${i}`);
    const start = performance.now();
    const guesses = await identifier.identify(texts);
    const ms = performance.now() - start;
    console.log(`identify: 2000 short texts in ${ms.toFixed(0)} ms`);
    expect(guesses).toHaveLength(2000);
    expect(corpusLanguages(guesses)).toEqual(expect.arrayContaining(['en', 'fr', 'de', 'es', 'zh']));
  });

  it('stops on a fired signal', async () => {
    const identifier = await nodeLanguageIdentifier();
    const controller = new AbortController();
    controller.abort();
    await expect(identifier.identify(['some text here'], { signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
    // and between chunks
    const late = new AbortController();
    const run = identifyEach(
      Array.from({ length: 2000 }, () => 'words words'),
      () => ({ label: '__label__en', probability: 1 }),
      (l) => l,
      late.signal,
    );
    late.abort();
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('corpusLanguages', () => {
  it('keeps a language with 10 % of the texts, drops one with 2 %', () => {
    expect(corpusLanguages([...many(90, 'en'), ...many(10, 'fr')])).toEqual(['en', 'fr']);
    expect(corpusLanguages([...many(10, 'fr'), ...many(90, 'en')])).toEqual(['en', 'fr']);
    expect(corpusLanguages([...many(98, 'en'), ...many(2, 'fr')])).toEqual(['en']);
  });

  it('on real texts: 90 English and 10 French, 98 English and 2 French', async () => {
    const identifier = await nodeLanguageIdentifier();
    const mix = async (en: number, fr: number) =>
      corpusLanguages(await identifier.identify([...Array.from({ length: en }, (_, i) => `${SENTENCES.en} (${i})`), ...Array.from({ length: fr }, (_, i) => `${SENTENCES.fr} (${i})`)]));
    expect(await mix(90, 10)).toEqual(['en', 'fr']);
    expect(await mix(98, 2)).toEqual(['en']);
  });

  it('counts only confident, determined guesses', () => {
    // 5 confident Spanish among 45 weak guesses: the share is of the confident texts only
    expect(corpusLanguages([...many(5, 'es'), ...many(45, 'en', 0.3), ...many(20, UNDETERMINED, 0)])).toEqual(['es']);
    expect(corpusLanguages([])).toEqual([]);
    expect(corpusLanguages(many(3, UNDETERMINED, 0))).toEqual([]);
    expect(corpusLanguages([guess('de', 0.5)])).toEqual(['de']);
    expect(corpusLanguages([guess('de', 0.49)])).toEqual([]);
  });

  it('sorts by share, ties by code, and takes its options', () => {
    expect(corpusLanguages([...many(3, 'fr'), ...many(3, 'de'), ...many(4, 'it')])).toEqual(['it', 'de', 'fr']);
    expect(corpusLanguages([...many(98, 'en'), ...many(2, 'fr')], { minShare: 0.02 })).toEqual(['en', 'fr']);
    expect(corpusLanguages([...many(9, 'en', 0.7), guess('fr', 0.95)], { minProbability: 0.8 })).toEqual(['fr']);
    // at least one text, even with a zero share
    expect(corpusLanguages([guess('en')], { minShare: 0 })).toEqual(['en']);
  });
});

describe('languagesCovered', () => {
  it('is user ⊆ learnware; an empty user list is unknown and covered', () => {
    expect(languagesCovered(['en'], ['en', 'fr'])).toBe(true);
    expect(languagesCovered(['en', 'fr'], ['fr', 'en'])).toBe(true);
    expect(languagesCovered(['en', 'de'], ['en', 'fr'])).toBe(false);
    expect(languagesCovered([], ['en'])).toBe(true);
    expect(languagesCovered([], [])).toBe(true);
    expect(languagesCovered(['en'], [])).toBe(false);
  });
});
