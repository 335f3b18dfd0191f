/** File reading for the CLI with clear one-line errors (the engine never touches the file system). */
import { readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { checkJsonDepth, InputError, type FetchLike } from '../engine/index.js';

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
  checkJsonDepth(text, file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError('BAD_JSON', `${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * A catalog given on the command line — a directory or an http(s) URL — as a fetch function and a
 * base URL, so local and remote catalogs go through the same validated fetch path.
 */
export function catalogSource(catalog: string): { fetchFn: FetchLike; base: string } {
  if (/^https?:\/\//.test(catalog)) return { fetchFn: (url, init) => fetch(url, init), base: catalog.endsWith('/') ? catalog : catalog + '/' };
  const types: Record<string, string> = { '.json': 'application/json', '.bin': 'application/octet-stream', '.zip': 'application/zip' };
  const fetchFn: FetchLike = async (url) => {
    const path = decodeURIComponent(new URL(url).pathname).replace(/^\/catalog\//, '');
    try {
      return new Response(readFileSync(join(catalog, path)), { status: 200, headers: { 'content-type': types[extname(path)] ?? 'application/octet-stream' } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
  return { fetchFn, base: 'file:///catalog/' };
}
