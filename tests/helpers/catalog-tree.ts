/** A catalog directory as its files and their bytes, for comparing two catalogs byte for byte. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `root` (relative paths, sorted) with its bytes; the lock file is not part of a catalog. */
export function catalogTree(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.startsWith('.')) out.set(relative(root, path), readFileSync(path));
    }
  };
  walk(root);
  return out;
}
