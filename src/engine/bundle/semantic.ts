/**
 * The semantic specification in the reference's JSON shape (docs/algorithms.md §4.1) and its
 * validity rules (§4.2, plus the Beimingwu backend's length limits). Returns every problem found,
 * each naming the field, instead of stopping at the first.
 */
import type { ErrorCode } from '../core/errors.js';

export const SEMANTIC_VOCABULARY = Object.freeze({
  Data: ['Table', 'Image', 'Text'],
  Task: ['Classification', 'Regression', 'Feature Extraction', 'Segmentation', 'Object Detection', 'Others'],
  Library: ['Scikit-learn', 'PyTorch', 'TensorFlow', 'Others'],
  Scenario: [
    'Business',
    'Financial',
    'Health',
    'Politics',
    'Computer',
    'Internet',
    'Traffic',
    'Nature',
    'Fashion',
    'Industry',
    'Agriculture',
    'Education',
    'Entertainment',
    'Architecture',
    'Others',
  ],
  License: ['MIT', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', 'GPL-2.0', 'GPL-3.0', 'LGPL-2.1', 'LGPL-3.0', 'AGPL-3.0', 'ECL-2.0', 'AFL-3.0', 'CC-BY-4.0', 'CC-BY-SA-4.0', 'Others'],
} as const);

type ClassKey = 'Data' | 'Task' | 'Library' | 'License';

export interface SemanticSpec {
  Data: { Type: 'Class'; Values: string[] };
  Task: { Type: 'Class'; Values: string[] };
  Library: { Type: 'Class'; Values: string[] };
  Scenario: { Type: 'Tag'; Values: string[] };
  License: { Type: 'Class'; Values: string[] };
  Name: { Type: 'String'; Values: string };
  Description: { Type: 'String'; Values: string };
  Input?: { Dimension: number; Description: Record<string, string> };
  Output?: { Dimension: number; Description: Record<string, string> };
}

export interface Problem {
  field: string;
  message: string;
  /** the error code when it is more precise than the file's general one (BAD_MANIFEST) */
  code?: ErrorCode;
}

/** All problems of a semantic spec (empty = valid). */
export function checkSemanticSpec(value: unknown): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    add('semantic', 'the semantic specification must be an object');
    return problems;
  }
  const spec = value as Record<string, unknown>;
  for (const key of ['Data', 'Task', 'Library', 'License'] as ClassKey[]) {
    const entry = spec[key] as { Type?: unknown; Values?: unknown } | undefined;
    if (!entry || typeof entry !== 'object') {
      add(key, `${key} is missing`);
      continue;
    }
    if (entry.Type !== 'Class') add(`${key}.Type`, `${key}.Type must be "Class"`);
    const values = entry.Values;
    if (!Array.isArray(values) || values.length !== 1) add(`${key}.Values`, `${key} needs exactly one value (one of ${SEMANTIC_VOCABULARY[key].join(', ')})`);
    else if (!(SEMANTIC_VOCABULARY[key] as readonly string[]).includes(values[0] as string)) {
      add(`${key}.Values`, `${key} "${String(values[0])}" is not one of ${SEMANTIC_VOCABULARY[key].join(', ')}`);
    }
  }
  const scenario = spec.Scenario as { Type?: unknown; Values?: unknown } | undefined;
  if (!scenario || typeof scenario !== 'object') add('Scenario', 'Scenario is missing');
  else {
    if (scenario.Type !== 'Tag') add('Scenario.Type', 'Scenario.Type must be "Tag"');
    const values = scenario.Values;
    if (!Array.isArray(values) || values.length === 0) add('Scenario.Values', 'Scenario needs at least one value');
    else {
      for (const v of values) {
        if (!(SEMANTIC_VOCABULARY.Scenario as readonly string[]).includes(v as string))
          add('Scenario.Values', `Scenario "${String(v)}" is not one of ${SEMANTIC_VOCABULARY.Scenario.join(', ')}`);
      }
    }
  }
  const lengths: Record<'Name' | 'Description', [number, number]> = { Name: [5, 50], Description: [10, 10_000] };
  for (const key of ['Name', 'Description'] as const) {
    const entry = spec[key] as { Type?: unknown; Values?: unknown } | undefined;
    if (!entry || typeof entry !== 'object') {
      add(key, `${key} is missing`);
      continue;
    }
    if (entry.Type !== 'String') add(`${key}.Type`, `${key}.Type must be "String"`);
    const text = entry.Values;
    const [min, max] = lengths[key];
    if (typeof text !== 'string' || text.trim().length < min || text.length > max) add(`${key}.Values`, `${key} must be a string of ${min} to ${max} characters`);
  }
  const data = (spec.Data as { Values?: unknown[] } | undefined)?.Values?.[0];
  const task = (spec.Task as { Values?: unknown[] } | undefined)?.Values?.[0];
  if (data === 'Table') checkIo(spec.Input, 'Input', true, add);
  if (task === 'Classification' || task === 'Regression') checkIo(spec.Output, 'Output', task === 'Classification', add);
  return problems;
}

function checkIo(value: unknown, key: 'Input' | 'Output', needsTwo: boolean, add: (field: string, message: string) => void): void {
  if (!value || typeof value !== 'object') {
    add(key, `${key} is required${key === 'Input' ? ' for table data' : ' for classification and regression'}`);
    return;
  }
  const io = value as { Dimension?: unknown; Description?: unknown };
  const dimension = typeof io.Dimension === 'string' ? Number(io.Dimension) : io.Dimension;
  if (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension < 1) {
    add(`${key}.Dimension`, `${key}.Dimension must be a positive integer`);
    return;
  }
  if (key === 'Output' && needsTwo && dimension < 2) add('Output.Dimension', 'a classifier needs Output.Dimension ≥ 2 (one per class)');
  if (io.Description === undefined) return;
  if (typeof io.Description !== 'object' || io.Description === null || Array.isArray(io.Description)) {
    add(`${key}.Description`, `${key}.Description must be an object from dimension index to text`);
    return;
  }
  for (const [index, text] of Object.entries(io.Description as Record<string, unknown>)) {
    const i = Number(index);
    if (!/^\d+$/.test(index) || i >= dimension) add(`${key}.Description.${index}`, `${key}.Description key "${index}" must be an index in 0..${dimension - 1}`);
    if (typeof text !== 'string') add(`${key}.Description.${index}`, `${key}.Description["${index}"] must be a string`);
  }
}
