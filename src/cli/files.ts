/** File reading for the CLI with clear one-line errors (the engine never touches the file system). */
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../engine/index.js';

export function readInput(file: string, limit = 2 ** 30): Uint8Array {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new InputError('NOT_A_FILE', `${file} is not a file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('FILE_NOT_FOUND', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (size > limit) throw new InputError('TOO_LARGE', `${file} is ${size} bytes; the limit is ${limit}`);
  return readFileSync(file);
}

export function readJson(file: string): unknown {
  const text = new TextDecoder().decode(readInput(file, 64 * 2 ** 20));
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError('BAD_JSON', `${file} is not valid JSON: ${(error as Error).message}`);
  }
}
