/**
 * Multinomial naive Bayes on token counts (docs/text.md §4): what the dock trains when a text
 * learnware is made in the browser, exported as ONNX by model/onnx-export.ts. Counts are raw token
 * counts of each text's first L ids; ids 0 (padding) and 1 (unknown) are not counted, so their
 * table rows are zero and add nothing to a text's score. Imports core only.
 */
import { InputError } from '../core/errors.js';

export interface TokenNaiveBayes {
  classes: number;
  /** tokens in the vocabulary (ids 2 … vocabSize + 1) */
  vocabSize: number;
  /** log P(class), [classes] */
  logPriors: Float64Array;
  /** log P(token | class), row-major [(vocabSize + 2) × classes], indexed by token id; rows 0 and 1 zero */
  logLikelihoods: Float64Array;
}

export interface TokenNaiveBayesInput {
  /** per-text token ids, or the n × maxLength int64 matrix of data/token-ids.ts `encodeTokenIds` */
  ids: readonly ArrayLike<number>[] | BigInt64Array;
  rows?: number;
  maxLength?: number;
  vocabSize: number;
  /** class index per text, 0 … classes − 1 */
  labels: Int32Array;
  classes: number;
  /** additive (Lidstone) smoothing of the counts */
  alpha?: number;
}

/** One text's ids as numbers, whichever form they came in. */
function rowIds(input: TokenNaiveBayesInput, rows: number): (row: number) => ArrayLike<number | bigint> {
  const { ids } = input;
  if (!(ids instanceof BigInt64Array)) {
    if (ids.length !== rows) throw new InputError('BAD_SHAPE', `${ids.length} id lists for ${rows} labels`);
    return (row) => ids[row];
  }
  const L = input.maxLength;
  if (L === undefined || !Number.isInteger(L) || L < 1) throw new InputError('BAD_SHAPE', 'an id matrix needs its maxLength');
  if (ids.length !== rows * L) throw new InputError('BAD_SHAPE', `the id matrix has ${ids.length} values, expected ${rows}×${L}`);
  return (row) => ids.subarray(row * L, (row + 1) * L);
}

/** Fits multinomial naive Bayes (as scikit-learn's MultinomialNB on raw counts, class priors from the labels). */
export function trainTokenNaiveBayes(input: TokenNaiveBayesInput): TokenNaiveBayes {
  const { labels, classes, vocabSize } = input;
  const alpha = input.alpha ?? 0.1;
  const rows = input.rows ?? labels.length;
  if (labels.length !== rows) throw new InputError('BAD_SHAPE', `${labels.length} labels for ${rows} texts`);
  if (rows === 0) throw new InputError('NO_ROWS', 'naive Bayes needs at least one labelled text');
  if (!Number.isInteger(classes) || classes < 2) throw new InputError('NO_CLASSES', `naive Bayes needs at least 2 classes, got ${classes}`);
  if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new InputError('BAD_SHAPE', `the vocabulary size must be a positive integer, got ${vocabSize}`);
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new InputError('BAD_SHAPE', `alpha must be positive, got ${alpha}`);
  const width = vocabSize + 2;
  const counts = new Float64Array(width * classes);
  const perClass = new Float64Array(classes);
  const row = rowIds(input, rows);
  for (let r = 0; r < rows; r++) {
    const c = labels[r];
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new InputError('BAD_LABEL', `text ${r + 1} has label ${c}; labels run 0 … ${classes - 1}`, { row: r });
    perClass[c]++;
    const ids = row(r);
    for (let j = 0; j < ids.length; j++) {
      const id = Number(ids[j]);
      if (id === 0 || id === 1) continue;
      if (!Number.isInteger(id) || id < 0 || id >= width) throw new InputError('BAD_SHAPE', `text ${r + 1} has token id ${id}; ids run 0 … ${width - 1}`, { row: r });
      counts[id * classes + c]++;
    }
  }
  for (let c = 0; c < classes; c++) {
    // log 0 would make a class impossible and its exported table -Infinity
    if (perClass[c] === 0) throw new InputError('TOO_FEW_LABELS', `class ${c} has no texts`, { class: c });
  }
  const logPriors = perClass.map((count) => Math.log(count / rows));
  const logLikelihoods = new Float64Array(width * classes);
  for (let c = 0; c < classes; c++) {
    let total = 0;
    for (let id = 2; id < width; id++) total += counts[id * classes + c];
    const denominator = Math.log(total + alpha * vocabSize);
    for (let id = 2; id < width; id++) logLikelihoods[id * classes + c] = Math.log(counts[id * classes + c] + alpha) - denominator;
  }
  return { classes, vocabSize, logPriors, logLikelihoods };
}

/** Class probabilities [rows × classes] of an n × maxLength id matrix, in Float64 (the reference for the ONNX export). */
export function predictTokenNaiveBayes(nb: TokenNaiveBayes, ids: BigInt64Array, rows: number, maxLength: number): Float64Array {
  const C = nb.classes;
  const width = nb.vocabSize + 2;
  if (ids.length !== rows * maxLength) throw new InputError('BAD_SHAPE', `the id matrix has ${ids.length} values, expected ${rows}×${maxLength}`);
  const out = new Float64Array(rows * C);
  const score = new Float64Array(C);
  for (let r = 0; r < rows; r++) {
    score.set(nb.logPriors);
    for (let j = 0; j < maxLength; j++) {
      const id = Number(ids[r * maxLength + j]);
      if (!Number.isInteger(id) || id < 0 || id >= width) throw new InputError('BAD_SHAPE', `row ${r + 1} has token id ${id}; ids run 0 … ${width - 1}`, { row: r });
      for (let c = 0; c < C; c++) score[c] += nb.logLikelihoods[id * C + c];
    }
    let top = -Infinity;
    for (const s of score) top = Math.max(top, s);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(score[c] - top);
    for (let c = 0; c < C; c++) out[r * C + c] = Math.exp(score[c] - top) / sum;
  }
  return out;
}
