/**
 * What a catalog covers, in plain words, read from its own index (never from a list written for
 * the demo): per island, the topic its learnwares' names share ("Housing prices", "Flight delays"),
 * what varies between them (the cities, the airports), their tasks, scenarios and data types, the
 * features they take and what they predict (the semantic Output descriptions). The page's first
 * screen and its "nothing matches" answer say this; the same summary picks a table's default
 * feature columns and spots the column the learnwares predict (`suggestColumns`).
 */
import type { CatalogIndex } from './catalog.js';
import { specTypes } from '../spec/registry.js';

/** The registered spec type of an island, if any (an index may name a type this version lacks). */
function knownSpecType(type: string) {
  return specTypes().find((t) => t.type === type);
}

export interface IslandCoverage {
  island: string;
  /** the feature names its learnwares take, in order */
  features: string[];
  /** what they take, for people: the features, comma-separated, or the spec type's words ("texts embedded by …") */
  input: string;
  count: number;
  /** the words the island's learnware names start with ("Housing prices"); '' when they share none */
  topic: string;
  /** what the names add to the topic ("Abilene", "Austin", …), or whole names when there is no topic; every listed entry */
  members: string[];
  tasks: string[];
  scenarios: string[];
  data: string[];
  /** what the learnwares predict: their semantic Output descriptions (a regressor's target, a classifier's classes) */
  outputs: string[];
}

/** Words that end a shared prefix without belonging to the topic ("Flight delays from ATL"). */
const JOINERS = new Set(['from', 'of', 'in', 'at', 'for', 'by', 'on', 'to', 'the', 'a', 'an', 'and', 'with']);

function unique(values: string[]): string[] {
  return [...new Set(values.filter((v) => v !== ''))];
}

/** The words every name starts with, without a trailing joiner or punctuation. */
function sharedPrefix(names: string[]): string {
  if (names.length < 2) return '';
  const split = names.map((n) => n.trim().split(/\s+/));
  const words: string[] = [];
  for (let i = 0; split.every((w) => i < w.length - 1 && w[i] === split[0][i]); i++) words.push(split[0][i]);
  while (
    words.length > 0 &&
    JOINERS.has(
      words
        .at(-1)!
        .replace(/[:,;–—-]+$/, '')
        .toLowerCase(),
    )
  )
    words.pop();
  return words
    .join(' ')
    .replace(/[\s:,;–—-]+$/, '')
    .trim();
}

export function catalogCoverage(index: CatalogIndex): IslandCoverage[] {
  return index.islands.map((island) => {
    const entries = index.entries.filter((e) => e.island === island.id);
    const names = entries.map((e) => e.name);
    const topic = sharedPrefix(names);
    const words = topic.split(/\s+/).length;
    const members = topic
      ? names.map((n) =>
          n
            .trim()
            .split(/\s+/)
            .slice(words)
            .join(' ')
            .replace(/^[\s:,;–—-]+/, '')
            .replace(new RegExp(`^(${[...JOINERS].join('|')})\\s+`, 'i'), ''),
        )
      : names;
    const outputs = unique(entries.flatMap((e) => Object.values(e.semantic.Output?.Description ?? {}).map((v) => String(v).trim())));
    const type = knownSpecType(island.type);
    return {
      island: island.id,
      features: island.features,
      input: type?.describeInput?.(island) ?? island.features.join(', '),
      count: island.count,
      topic,
      members,
      tasks: unique(entries.flatMap((e) => e.semantic.Task.Values)),
      scenarios: unique(entries.flatMap((e) => e.semantic.Scenario.Values)),
      data: unique(entries.flatMap((e) => e.semantic.Data.Values)),
      outputs,
    };
  });
}

/** "Housing prices — Abilene, Amarillo, Arlington and 43 more (46 regression learnwares)". */
export function describeCoverage(island: IslandCoverage, listed = 3): string {
  const shown = island.members.slice(0, listed);
  const more = island.members.length - shown.length;
  const list = shown.length === 0 ? '' : more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
  const kind = island.tasks.length === 1 ? `${island.tasks[0].toLowerCase()} ` : '';
  const count = `${island.count} ${kind}learnware${island.count === 1 ? '' : 's'}`;
  if (island.topic) return `${island.topic}${list ? ` — ${list}` : ''} (${count})`;
  if (list) return `${list} (${count})`;
  return `${count} taking ${island.input}`;
}

/** Lower-case words of a column name or a description: "medianPrice", "median_price" → median, price. */
function words(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** Whether a column's name, as whole words, is part of one of these output descriptions. */
export function namesAnOutput(column: string, outputs: readonly string[]): string | null {
  const name = words(column);
  if (name.length === 0) return null;
  for (const output of outputs) {
    const text = words(output);
    for (let i = 0; i + name.length <= text.length; i++) if (name.every((w, j) => text[i + j] === w)) return output;
  }
  return null;
}

export interface ColumnSuggestion {
  /** the island whose features the table holds (the one with the most features), or null */
  island: string | null;
  /** the feature columns to preselect */
  features: string[];
  /** a column that names what the learnwares predict: the likely label, kept out of the features */
  label: { column: string; output: string } | null;
}

/**
 * Default columns for a table: when it holds every feature of an island (by name), exactly those
 * features; otherwise every numeric column. A column that names an island's output (e.g. `median`
 * for "median sale price (USD)") is the likely label: never a feature. No column is dropped by its
 * name alone.
 */
export function suggestColumns(coverage: readonly IslandCoverage[], columns: readonly { name: string; kind: string }[]): ColumnSuggestion {
  const numeric = columns.filter((c) => c.kind === 'numeric').map((c) => c.name);
  const held = new Set(numeric);
  const island = coverage.filter((i) => i.features.length > 0 && i.features.every((f) => held.has(f))).sort((a, b) => b.features.length - a.features.length || b.count - a.count)[0];
  const candidates = island ? [island] : [...coverage];
  let label: ColumnSuggestion['label'] = null;
  for (const name of numeric) {
    if (island?.features.includes(name)) continue;
    const output = candidates.map((i) => (i.features.includes(name) ? null : namesAnOutput(name, i.outputs))).find((o) => o !== null);
    if (output) {
      label = { column: name, output };
      break;
    }
  }
  // a label that would leave nothing to search with is not taken (a file of one "price" column)
  if (!island && label && numeric.length === 1) label = null;
  const features = island ? [...island.features] : numeric.filter((n) => n !== label?.column);
  return { island: island?.island ?? null, features, label };
}
