/**
 * Comments cite documents that are in the repository: every `*.md` path named in a comment under
 * src/, workers/, bench/ and scripts/ exists (relative to the repository root), and a section it
 * cites (`docs/algorithms.md §1.6`, `§7.2–7.3`) is a heading of that document.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIRS = ['src', 'workers', 'bench', 'scripts'];
const SOURCE = /\.(ts|js|mjs|svelte|sh|html)$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'results') return [];
    return statSync(path).isDirectory() ? files(path) : SOURCE.test(name) ? [path] : [];
  });
}

/** The comment text of a source file: block, line and HTML comments (`#` lines for shell). */
function comments(path: string, text: string): string[] {
  if (path.endsWith('.sh')) return [...text.matchAll(/(?:^|\s)#(?!!)[^\n]*/g)].map((m) => m[0]);
  return [...text.matchAll(/\/\*[\s\S]*?\*\/|(?<![:'"`\w])\/\/[^\n]*|<!--[\s\S]*?-->/g)].map((m) => m[0]);
}

interface Citation {
  file: string;
  doc: string;
  sections: string[];
}

/** `*.md` paths in a comment (not parts of URLs), with the § sections written right after them. */
function citations(file: string, comment: string): Citation[] {
  const found: Citation[] = [];
  for (const m of comment.matchAll(/(?<![\w/.:-])((?:[\w.-]+\/)*[\w.-]+\.md)\b`?(\s*§\s*([0-9]+(?:\.[0-9]+)*)(?:\s*[–-]\s*([0-9]+(?:\.[0-9]+)*))?)?/g)) {
    found.push({ file, doc: m[1], sections: [m[3], m[4]].filter((s): s is string => s !== undefined) });
  }
  return found;
}

function headings(doc: string): Set<string> {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  return new Set([...text.matchAll(/^#{1,6}\s+([0-9]+(?:\.[0-9]+)*)[.\s]/gm)].map((m) => m[1]));
}

describe('citations in comments', () => {
  const all = DIRS.flatMap((dir) => files(join(ROOT, dir))).flatMap((path) => {
    const file = relative(ROOT, path);
    return comments(file, readFileSync(path, 'utf8')).flatMap((c) => citations(file, c));
  });

  it('finds the citations (the scan works)', () => {
    expect(all.some((c) => c.doc === 'docs/algorithms.md' && c.sections.length > 0)).toBe(true);
    expect(all.some((c) => c.doc === 'docs/design-notes.md')).toBe(true);
    expect(citations('x.ts', '// see docs/algorithms.md §1.2–1.6 and https://example.com/README.md')).toEqual([{ file: 'x.ts', doc: 'docs/algorithms.md', sections: ['1.2', '1.6'] }]);
  });

  it('every cited *.md file exists in the repository', () => {
    const missing = all.filter((c) => !existsSync(join(ROOT, c.doc))).map((c) => `${c.file} cites ${c.doc}`);
    expect(missing).toEqual([]);
  });

  it('every cited section is a heading of its document', () => {
    const cache = new Map<string, Set<string>>();
    const missing: string[] = [];
    for (const c of all) {
      if (!existsSync(join(ROOT, c.doc))) continue;
      if (!cache.has(c.doc)) cache.set(c.doc, headings(c.doc));
      for (const section of c.sections) if (!cache.get(c.doc)!.has(section)) missing.push(`${c.file} cites ${c.doc} §${section}`);
    }
    expect(missing).toEqual([]);
  });

  it('no comment names the reference notes kept outside the repository', () => {
    const outside =
      /(?<!docs\/)\b(learnware-algorithms|design-notes|modalities|browser-ml-practices|style-anchors)\b(?!\.md)|(?<!docs\/)\b(learnware-algorithms|modalities|browser-ml-practices|style-anchors)\.md/;
    const offenders = DIRS.flatMap((dir) => files(join(ROOT, dir))).flatMap((path) => {
      const file = relative(ROOT, path);
      return comments(file, readFileSync(path, 'utf8'))
        .filter((c) => outside.test(c))
        .map((c) => `${file}: ${c.trim().slice(0, 120)}`);
    });
    expect(offenders).toEqual([]);
  });
});
