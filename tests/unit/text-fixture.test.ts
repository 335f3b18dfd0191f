/** Node's side of the cross-environment text fixture (tests/shared/text-fixture.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TsBackend } from '../../src/engine/index.js';
import { computeTextFixture, fixtureJson, readFixture, specDistance } from '../shared/text-fixture.js';

const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const FIXTURE = path('../fixtures/text-spec/node-spec.json');

describe('the text fixture', () => {
  it('Node computes the committed embeddings and spec (set UPDATE_TEXT_FIXTURE=1 to rewrite them after a deliberate change)', async () => {
    const result = await computeTextFixture(new TsBackend(), readFileSync(path('../../public/embedders/glove-100d-50k.bin')), readFileSync(path('../fixtures/text-spec/texts.jsonl')));
    if (process.env.UPDATE_TEXT_FIXTURE === '1') writeFileSync(FIXTURE, fixtureJson(result));
    const committed = readFixture(readFileSync(FIXTURE, 'utf8'));
    expect(result.embeddings).toEqual(committed.embeddings);
    expect(specDistance(result.spec, committed.spec)).toBeLessThan(1e-12);
    expect(Array.from(result.spec.rkme.beta)).toEqual(Array.from(committed.spec.rkme.beta));
  });
});
