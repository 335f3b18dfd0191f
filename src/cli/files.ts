/** File reading for the CLI with clear one-line errors (the engine never touches the file system). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { checkJsonDepth, InputError, type FetchLike, type NamedFile } from '../engine/index.js';

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

export interface FolderLimits {
  /** names of the files whose bytes are read; the others are listed with no bytes (so the data input can say what it skipped) */
  accept: RegExp;
  /** what the folder's records are, for the error ("images", "texts") */
  what: string;
  /** records allowed; 1,000 more files may sit beside them */
  maxRecords: number;
  maxFileBytes?: number;
}

/**
 * A folder's files in sorted path order (`sub/name`), dot files skipped: the accepted ones with
 * their bytes, under a limit on files and 2^30 bytes in all. The paths go into messages and
 * prediction CSVs, so names with control characters are refused, as in zips (core/zip.ts).
 */
export function readFolder(dir: string, limits: FolderLimits): NamedFile[] {
  const files: NamedFile[] = [];
  const maxFiles = limits.maxRecords + 1000;
  let bytes = 0;
  const walk = (abs: string, rel: string) => {
    const entries = readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f]/.test(entry.name)) throw new InputError('UNSAFE_PATH', `${dir} holds a file or folder whose name has control characters: ${JSON.stringify(path)}`);
      if (entry.isDirectory()) walk(join(abs, entry.name), path);
      else if (entry.isFile()) {
        if (files.length >= maxFiles) throw new InputError('TOO_MANY_ROWS', `${dir} holds more than ${maxFiles} files; the limit is ${limits.maxRecords} ${limits.what}`);
        const data = limits.accept.test(entry.name) ? readInput(join(abs, entry.name), limits.maxFileBytes) : new Uint8Array(0);
        bytes += data.length;
        if (bytes > 2 ** 30) throw new InputError('TOO_LARGE', `the ${limits.what} of ${dir} hold more than ${2 ** 30} bytes`);
        files.push({ path, bytes: data });
      }
    }
  };
  walk(dir, '');
  return files;
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
