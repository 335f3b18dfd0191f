/**
 * JSON from files is hostile input: besides being malformed it can nest thousands of levels deep,
 * which JSON.parse accepts but every later recursive walk (JSON.stringify, structured clone,
 * validation) overflows the stack on. Imports only errors.ts.
 */
import { FormatError } from './errors.js';

/** Deepest nesting of arrays and objects a file of the dock may hold (manifests, indexes, specs nest < 10). */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of `[` and `{` outside strings (a linear scan, no recursion). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Throws TOO_DEEP when `text` nests deeper than `maxDepth`; `what` names the file. */
export function checkJsonDepth(text: string, what: string, maxDepth = MAX_JSON_DEPTH): void {
  const depth = jsonDepth(text);
  if (depth > maxDepth) throw new FormatError('TOO_DEEP', `${what} nests ${depth} levels deep; at most ${maxDepth} are read`, { depth, maxDepth });
}
