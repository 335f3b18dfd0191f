/**
 * Languages of texts (docs/text.md §3): the identifier contract (a Node and a worker implementation
 * live outside the engine, which loads no wasm itself), the shared per-text loop both use, the rule
 * that turns per-text guesses into a corpus's languages, and the search filter. Imports core only.
 */
import { throwIfCancelled } from '../core/errors.js';

/** One text's most likely language. */
export interface LanguageGuess {
  /** ISO 639-1 when the language has one, else the model's code; UNDETERMINED for a text too short to judge */
  language: string;
  /** the model's probability of that language, 0 for a text too short to judge */
  probability: number;
}

export interface LanguageIdentifier {
  /** the model and its version, recorded with the languages, e.g. 'fasttext-lid176-1' */
  readonly id: string;
  /** one guess per text, in input order */
  identify(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<LanguageGuess[]>;
}

/** ISO 639-2 "undetermined": what a text with too few letters gets. */
export const UNDETERMINED = 'und';

/** Below this many letters a guess is noise (fastText answers "en" for "", "hi" or "1234"). */
export const MIN_LETTERS = 3;

/** Default share of the confidently identified texts a language needs to count for the corpus. */
export const MIN_LANGUAGE_SHARE = 0.1;

/** Default probability a guess needs to count at all. */
export const MIN_LANGUAGE_PROBABILITY = 0.5;

const LETTER = /\p{L}/gu;

export function tooShortToJudge(text: string): boolean {
  let letters = 0;
  for (const _ of text.matchAll(LETTER)) if (++letters >= MIN_LETTERS) return false;
  return true;
}

/** fastText predicts per line, so a text's line breaks become spaces (it is one text, not several). */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029\u0085]+/g, ' ');
}

/** A model's top label and probability for one line (the implementations wrap their wasm in this). */
export type LinePredictor = (line: string) => { label: string; probability: number };

/** The id both fastText implementations report: lid.176.ftz as shipped in fasttext.wasm.js 1.0.0. */
export const FASTTEXT_LID176_ID = 'fasttext-lid176-1';

/**
 * A lid.176 label ("__label__en") as recorded: its code is ISO 639-1 for the languages that have
 * one and the model's (Wikipedia) code for the others ("als", "ceb", "yue").
 */
export function fastTextLanguage(label: string): string {
  return label.startsWith('__label__') ? label.slice('__label__'.length) : label;
}

/** Texts between checks of the signal and yields to the event loop (so that a Cancel can arrive). */
const CHUNK = 500;

/**
 * The loop both implementations run, so that Node and the browser treat texts identically: short
 * texts get UNDETERMINED without asking the model, the rest one line each; `label` maps the model's
 * label to the code recorded.
 */
export async function identifyEach(texts: readonly string[], predict: LinePredictor, label: (raw: string) => string, signal?: AbortSignal): Promise<LanguageGuess[]> {
  const out: LanguageGuess[] = [];
  for (let i = 0; i < texts.length; i++) {
    if (i % CHUNK === 0) {
      throwIfCancelled(signal);
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 0));
      throwIfCancelled(signal);
    }
    const text = texts[i];
    if (tooShortToJudge(text)) {
      out.push({ language: UNDETERMINED, probability: 0 });
      continue;
    }
    const top = predict(oneLine(text));
    out.push({ language: label(top.label), probability: top.probability });
  }
  throwIfCancelled(signal);
  return out;
}

export interface CorpusLanguageOptions {
  /** share of the counted texts a language needs (default MIN_LANGUAGE_SHARE) */
  minShare?: number;
  /** probability a guess needs to be counted (default MIN_LANGUAGE_PROBABILITY) */
  minProbability?: number;
}

/**
 * The languages of a corpus from its per-text guesses (docs/text.md §3): count the texts guessed
 * with probability ≥ minProbability (undetermined ones never count); a language belongs to the
 * corpus when it holds at least minShare of those texts, and at least one. Sorted by count, most
 * first, ties by code. Per text rather than on all texts joined, where one long or frequent
 * language swamps the others.
 */
export function corpusLanguages(perText: readonly LanguageGuess[], options: CorpusLanguageOptions = {}): string[] {
  const minShare = options.minShare ?? MIN_LANGUAGE_SHARE;
  const minProbability = options.minProbability ?? MIN_LANGUAGE_PROBABILITY;
  const counts = new Map<string, number>();
  let counted = 0;
  for (const guess of perText) {
    if (guess.language === UNDETERMINED || !(guess.probability >= minProbability)) continue;
    counted++;
    counts.set(guess.language, (counts.get(guess.language) ?? 0) + 1);
  }
  // the small slack keeps 10 of 100 at a 10 % share despite rounding
  const needed = Math.max(1, minShare * counted - 1e-9);
  return [...counts]
    .filter(([, n]) => n >= needed)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([language]) => language);
}

/**
 * Whether a learnware's languages cover the user's (every user language is one of them). An empty
 * user list means the languages are unknown, which filters nothing.
 */
export function languagesCovered(user: readonly string[], learnware: readonly string[]): boolean {
  const have = new Set(learnware);
  return user.every((language) => have.has(language));
}

/** What fastText's loaded model offers (both builds of fasttext.wasm.js): the top k [probability, label] pairs of a line, in an embind vector. */
export interface FastTextModel {
  predict(line: string, k: number, threshold: number): { get(index: number): [number, string]; delete(): void };
}

/** The lid.176 identifier on a loaded fastText model, the same in Node and in a worker. */
export function fastTextIdentifier(model: FastTextModel): LanguageIdentifier {
  const predict: LinePredictor = (line) => {
    const top = model.predict(line, 1, 0);
    try {
      const [probability, label] = top.get(0);
      return { label, probability };
    } finally {
      top.delete(); // an embind vector: its memory is freed only by delete
    }
  };
  return { id: FASTTEXT_LID176_ID, identify: (texts, options) => identifyEach(texts, predict, fastTextLanguage, options?.signal) };
}
