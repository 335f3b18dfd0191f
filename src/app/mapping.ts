/**
 * The column mapping editor's plain logic (docs/heterogeneous.md §1–§2): an island's proposed
 * mapping as rows the user edits (each of the user's feature columns → an island column or "not
 * used", with a unit factor), the pairs a search takes from the edit, and how a pair, its unit and
 * its confidence read. No state of its own; the journey holds the edits.
 */
import type { ColumnMapping, ColumnPair, Coverage, GivenPair } from '../engine/index.js';
import type { MappingProposal } from '../../workers/spec.worker.js';

export interface IslandEdit {
  /** the user's feature columns, in their order (the rows) */
  users: string[];
  /** each user column's island column ('' = not used) */
  to: Record<string, string>;
  /** each user column's unit factor (island value = factor · user value); null: estimated when searching */
  factor: Record<string, number | null>;
  /** the user changed something: the search takes exactly these pairs */
  edited: boolean;
}

/** The proposal as an edit: every pair as proposed, the proposed factors where they were estimated. */
export function proposedEdit(proposal: MappingProposal, users: readonly string[]): IslandEdit {
  const to: Record<string, string> = {};
  const factor: Record<string, number | null> = {};
  for (const user of users) {
    const pair = proposal.mapping.pairs.find((p) => p.user === user);
    to[user] = pair?.island ?? '';
    factor[user] = pair && proposal.unitsEstimated ? pair.factor : null;
  }
  return { users: [...users], to, factor, edited: false };
}

/** `user` now feeds `target` ('' = not used); the column that fed `target` takes `user`'s old column (a swap). Changed rows' factors are estimated again. */
export function setTarget(edit: IslandEdit, user: string, target: string): IslandEdit {
  const before = edit.to[user] ?? '';
  if (before === target) return edit;
  const to = { ...edit.to, [user]: target };
  const factor = { ...edit.factor, [user]: null };
  if (target !== '') {
    for (const other of edit.users) {
      if (other !== user && edit.to[other] === target) {
        to[other] = before;
        factor[other] = null;
      }
    }
  }
  return { ...edit, to, factor, edited: true };
}

/** The proposed pair of a user column. */
export function proposedPair(proposal: MappingProposal, user: string): ColumnPair | undefined {
  return proposal.mapping.pairs.find((p) => p.user === user);
}

/**
 * The pairs a search takes from an edit: every used row; a factor only where the user typed one
 * (a proposed factor is estimated again, the same way, by the search).
 */
export function editedPairs(proposal: MappingProposal, edit: IslandEdit): GivenPair[] {
  return edit.users.flatMap((user): GivenPair[] => {
    const island = edit.to[user];
    if (!island) return [];
    const factor = edit.factor[user];
    const proposed = proposedPair(proposal, user);
    const asProposed = proposed?.island === island && proposal.unitsEstimated && factor === proposed.factor;
    return [factor !== null && Number.isFinite(factor) && factor !== 0 && !asProposed ? { user, island, factor } : { user, island }];
  });
}

/** Island columns no row feeds. */
export function missingColumns(proposal: MappingProposal, edit: IslandEdit): string[] {
  const fed = new Set(Object.values(edit.to).filter(Boolean));
  return proposal.columns.map((c) => c.name).filter((c) => !fed.has(c));
}

/** 1000 → "1,000"; 0.000621 → "0.000621" (four significant digits). */
export function number(x: number): string {
  return x.toLocaleString('en', { maximumSignificantDigits: 4 });
}

/** How a pair's unit map reads: "same unit", "× 1,000 (thousands → units)", "× 1.8 + 32 (°C → °F)". */
export function unitText(pair: Pick<ColumnPair, 'factor' | 'offset' | 'unit'>): string {
  if (pair.factor === 1 && pair.offset === 0) return 'same unit';
  const map = `× ${number(pair.factor)}${pair.offset ? ` ${pair.offset < 0 ? '−' : '+'} ${number(Math.abs(pair.offset))}` : ''}`;
  return pair.unit ? `${map} (${pair.unit})` : map;
}

/** A pair's confidence in words: "same name", "given by you", "82 % (likely)". */
export function confidenceText(pair: Pick<ColumnPair, 'confidence' | 'source'>): string {
  if (pair.source === 'name') return 'same name';
  if (pair.source === 'given') return 'your choice';
  const c = pair.confidence;
  const word = c >= 0.85 ? 'sure' : c >= 0.6 ? 'likely' : c >= 0.35 ? 'possible' : 'unsure';
  return `${Math.round(c * 100)} % (${word})`;
}

/** "5 of 5 columns (fit of names and shapes 71 %)". */
export function coverageText(coverage: Coverage): string {
  return `${coverage.used} of ${coverage.of} learnware column${coverage.of === 1 ? '' : 's'} fed, mapping confidence ${Math.round(coverage.fraction * 100)} %`;
}

/** Whether a mapping is the plain one: each column from the user's column of the same name, in the same unit. */
export function isPlain(mapping: ColumnMapping): boolean {
  return mapping.missing.length === 0 && mapping.pairs.every((p) => p.user === p.island && p.factor === 1 && p.offset === 0);
}
