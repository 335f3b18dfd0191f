/**
 * The token ids a text model is fed (docs/text.md §4): a bundle's vocab.txt (one token per line,
 * the token on line i, 0-based, has id i + 2; 0 pads, 1 is unknown) and the [n, L] int64 matrix
 * of a list of texts under it. Tokens come from data/text.ts `tokenize`, so a model's ids match
 * what every other part of the dock sees. Imports core and data only.
 */
import { FormatError, InputError } from '../core/errors.js';
import { tokenize } from './text.js';

export const PAD_ID = 0;
export const UNKNOWN_ID = 1;
/** the id of the vocabulary's first token */
export const FIRST_TOKEN_ID = 2;

/** Limits for one vocab.txt (it comes from an untrusted bundle). */
export const VOCAB_LIMITS = {
  maxLines: 1_000_000,
  /** characters (UTF-16 code units) in one line, the line break excluded */
  maxLineLength: 200,
} as const;

export type VocabLimits = { [K in keyof typeof VOCAB_LIMITS]?: number };

/** The most ids one encodeTokenIds call makes (n × L), so a hostile L cannot ask for gigabytes. */
export const MAX_TOKEN_IDS = 2 ** 27;

export interface Vocab {
  /** tokens in the vocabulary; ids run 2 … size + 1 */
  readonly size: number;
  readonly tokens: readonly string[];
  /** the token's id, 1 (unknown) for a token not in the vocabulary */
  id(token: string): number;
}

function makeVocab(tokens: string[], ids: Map<string, number>): Vocab {
  return {
    size: tokens.length,
    tokens,
    // a Map, so "__proto__" or "constructor" is an ordinary token
    id: (token) => ids.get(token) ?? UNKNOWN_ID,
  };
}

const ONE_TOKEN = /^[\p{L}\p{N}]+$/u;

/** Why `token` cannot be a vocabulary line, or null when it is exactly one token of our tokenizer. */
function tokenProblem(token: string): string | null {
  // the common case without tokenize's arrays: a lowercase run of letters and digits is one token
  if (ONE_TOKEN.test(token) && token.toLowerCase() === token) return null;
  if (token === '') return 'is empty';
  const found = tokenize(token);
  if (found.length === 1 && found[0] === token) return null;
  if (found.length === 0) return 'holds no letters or digits';
  if (found.length > 1) return `is ${found.length} tokens (${found.slice(0, 3).join(', ')}…), not one`;
  return `is not lowercase or holds other characters (the tokenizer reads it as "${found[0]}")`;
}

/**
 * Parses vocab.txt. Lines end in LF or CRLF; one final line break is fine; a leading BOM is
 * dropped. An empty line, a line that is not one lowercase token of data/text.ts `tokenize`, a
 * token twice or a file over the limits is an error naming the line (1-based).
 */
export function parseVocab(text: string, limits: VocabLimits = {}): Vocab {
  const max = { ...VOCAB_LIMITS, ...limits };
  let body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.endsWith('\n')) body = body.slice(0, body.endsWith('\r\n') ? -2 : -1);
  if (body === '') throw new FormatError('BAD_VOCAB', 'vocab.txt has no tokens', { field: 'vocab.txt' });
  // lines counted first, so an oversized file is refused before a token is stored
  let lines = 1;
  for (let at = body.indexOf('\n'); at !== -1; at = body.indexOf('\n', at + 1)) {
    if (++lines > max.maxLines) throw new InputError('TOO_LARGE', `vocab.txt has more than ${max.maxLines} lines`, { field: 'vocab.txt', limit: max.maxLines });
  }
  const tokens: string[] = [];
  const ids = new Map<string, number>();
  let start = 0;
  for (let line = 1; start <= body.length; line++) {
    const end = body.indexOf('\n', start);
    const stop = end === -1 ? body.length : end;
    let token = body.slice(start, stop);
    if (token.endsWith('\r')) token = token.slice(0, -1);
    if (token.length > max.maxLineLength) {
      throw new InputError('TOO_LARGE', `vocab.txt line ${line} has ${token.length} characters; a token may have at most ${max.maxLineLength}`, {
        field: 'vocab.txt',
        line,
        limit: max.maxLineLength,
      });
    }
    const problem = tokenProblem(token);
    if (problem) throw new FormatError('BAD_VOCAB', `vocab.txt line ${line} ${problem}: each line must be one token`, { field: 'vocab.txt', line });
    const earlier = ids.get(token);
    if (earlier !== undefined) {
      throw new FormatError('DUPLICATE_TOKEN', `vocab.txt line ${line} repeats "${token}" from line ${earlier - FIRST_TOKEN_ID + 1}`, {
        field: 'vocab.txt',
        line,
        firstLine: earlier - FIRST_TOKEN_ID + 1,
      });
    }
    ids.set(token, tokens.length + FIRST_TOKEN_ID);
    tokens.push(token);
    if (end === -1) break;
    start = end + 1;
  }
  return makeVocab(tokens, ids);
}

/** vocab.txt for these tokens (LF line ends, a final line break); refuses what parseVocab would refuse. */
export function vocabText(tokens: readonly string[]): string {
  const seen = new Set<string>();
  tokens.forEach((token, i) => {
    const problem = tokenProblem(token);
    if (problem) throw new InputError('BAD_VOCAB', `token ${i + 1} ${problem}`, { line: i + 1 });
    if (seen.has(token)) throw new InputError('DUPLICATE_TOKEN', `token ${i + 1} ("${token}") is in the list twice`, { line: i + 1 });
    seen.add(token);
  });
  if (tokens.length === 0) throw new InputError('BAD_VOCAB', 'a vocabulary needs at least one token');
  return tokens.join('\n') + '\n';
}

/**
 * The ids of each text's first `maxLength` tokens, right-padded with 0: an n × maxLength row-major
 * int64 matrix, the input of a text model.
 */
export function encodeTokenIds(texts: readonly string[], vocab: Vocab, maxLength: number): BigInt64Array {
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new InputError('BAD_SHAPE', `the token length must be a positive integer, got ${maxLength}`);
  if (texts.length * maxLength > MAX_TOKEN_IDS) {
    throw new InputError('TOO_LARGE', `${texts.length} texts × ${maxLength} tokens is more than ${MAX_TOKEN_IDS} ids; encode the texts in smaller batches`, {
      limit: MAX_TOKEN_IDS,
    });
  }
  const out = new BigInt64Array(texts.length * maxLength);
  texts.forEach((text, row) => {
    const tokens = tokenize(text);
    const count = Math.min(tokens.length, maxLength);
    for (let j = 0; j < count; j++) out[row * maxLength + j] = BigInt(vocab.id(tokens[j]));
  });
  return out;
}
