/**
 * Predictions of learnwares and of reuse methods in one shape: regression values, or class
 * probabilities over a named class list (label outputs become one-hot rows, so averaging them is a
 * vote). Also the user's labels in that shape, and the metrics (RMSE, accuracy).
 */
import { InputError } from '../core/errors.js';
import { gatherRows } from '../data/table.js';
import type { OutputKind } from '../bundle/manifest.js';

export type TaskKind = 'regression' | 'classification';

export interface Predictions {
  kind: TaskKind;
  rows: number;
  /** class names (classification), in column order */
  classes: string[] | null;
  /** regression: rows values; classification: rows × classes probabilities */
  values: Float64Array;
}

/** Converts a model's raw output (rows × width) to Predictions. */
export function fromModelOutput(raw: Float32Array, rows: number, width: number, kind: OutputKind, classes: string[] | null): Predictions {
  if (kind === 'regression') {
    if (width !== 1) throw new InputError('BAD_OUTPUT', `a regression output must have width 1, got ${width}`);
    return { kind: 'regression', rows, classes: null, values: Float64Array.from(raw.subarray(0, rows)) };
  }
  const names = classes ?? [];
  const C = names.length;
  const values = new Float64Array(rows * C);
  if (kind === 'probabilities') {
    if (width !== C) throw new InputError('BAD_OUTPUT', `probabilities of width ${width} for ${C} classes`);
    for (let i = 0; i < rows * C; i++) values[i] = raw[i];
  } else {
    for (let r = 0; r < rows; r++) {
      const label = Math.round(raw[r * width]);
      if (label >= 0 && label < C) values[r * C + label] = 1;
    }
  }
  return { kind: 'classification', rows, classes: names, values };
}

/** Re-expresses classification predictions over `classes` (matched by name; missing ones get 0). */
export function toClasses(p: Predictions, classes: string[]): Predictions {
  if (p.kind !== 'classification') return p;
  const from = p.classes!;
  if (from.length === classes.length && from.every((c, i) => c === classes[i])) return p;
  const C = classes.length;
  const values = new Float64Array(p.rows * C);
  from.forEach((name, j) => {
    const k = classes.indexOf(name);
    if (k < 0) return;
    for (let r = 0; r < p.rows; r++) values[r * C + k] = p.values[r * from.length + j];
  });
  return { kind: 'classification', rows: p.rows, classes, values };
}

/** The union of the learnwares' class lists, in first-seen order; throws when tasks differ. */
export function commonTask(outputs: readonly Predictions[]): { kind: TaskKind; classes: string[] | null } {
  if (outputs.length === 0) throw new InputError('NO_LEARNWARES', 'reuse needs at least one learnware');
  const kind = outputs[0].kind;
  if (outputs.some((o) => o.kind !== kind)) throw new InputError('MIXED_TASKS', 'the learnwares mix regression and classification; reuse learnwares of one task');
  if (kind === 'regression') return { kind, classes: null };
  const classes: string[] = [];
  for (const o of outputs) for (const c of o.classes!) if (!classes.includes(c)) classes.push(c);
  return { kind, classes };
}

/** Puts every output on the common class list. */
export function alignOutputs(outputs: readonly Predictions[]): Predictions[] {
  const { classes } = commonTask(outputs);
  return outputs.map((o) => (classes ? toClasses(o, classes) : o));
}

/** Arg-max class per row. */
export function predictedLabels(p: Predictions): Int32Array {
  const C = p.classes?.length ?? 0;
  return Int32Array.from({ length: p.rows }, (_, r) => {
    let best = 0;
    for (let k = 1; k < C; k++) if (p.values[r * C + k] > p.values[r * C + best]) best = k;
    return best;
  });
}

/**
 * The user's label column as targets: numbers for regression; for classification, class indices —
 * a text label is matched to a class name, a number n in [0, C) is class n.
 */
export function encodeTargets(labels: readonly (number | string)[], kind: TaskKind, classes: string[] | null): Float64Array {
  if (kind === 'regression') {
    return Float64Array.from(labels, (v, r) => {
      const x = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(x)) throw new InputError('BAD_LABEL', `label of row ${r + 1} is ${JSON.stringify(v)}, not a number`, { row: r + 1 });
      return x;
    });
  }
  const names = classes!;
  return Float64Array.from(labels, (v, r) => {
    const byName = names.indexOf(String(v));
    if (byName >= 0) return byName;
    const x = typeof v === 'number' ? v : Number(v);
    if (Number.isInteger(x) && x >= 0 && x < names.length) return x;
    throw new InputError('BAD_LABEL', `label of row ${r + 1} is ${JSON.stringify(v)}: neither a class (${names.join(', ')}) nor a class index 0–${names.length - 1}`, { row: r + 1 });
  });
}

/** The error a method is judged by: RMSE for regression, 1 − accuracy for classification. */
export function predictionError(p: Predictions, targets: Float64Array): number {
  if (p.rows !== targets.length) throw new InputError('BAD_SHAPE', `${p.rows} predictions for ${targets.length} targets`);
  if (p.rows === 0) return NaN;
  if (p.kind === 'regression') {
    let s = 0;
    for (let r = 0; r < p.rows; r++) s += (p.values[r] - targets[r]) ** 2;
    return Math.sqrt(s / p.rows);
  }
  const labels = predictedLabels(p);
  let wrong = 0;
  for (let r = 0; r < p.rows; r++) if (labels[r] !== targets[r]) wrong++;
  return wrong / p.rows;
}

/** Mean negative log-likelihood of the true classes (probabilities clipped at 1e-15); NaN for regression. */
export function logLoss(p: Predictions, targets: Float64Array): number {
  if (p.kind !== 'classification' || p.rows === 0) return NaN;
  const C = p.classes!.length;
  let s = 0;
  for (let r = 0; r < p.rows; r++) s -= Math.log(Math.min(1, Math.max(1e-15, p.values[r * C + targets[r]])));
  return s / p.rows;
}

/** Rows `indices` of a prediction. */
export function selectRows(p: Predictions, indices: ArrayLike<number>): Predictions {
  return { ...p, rows: indices.length, values: gatherRows(p.values, p.kind === 'regression' ? 1 : p.classes!.length, indices) };
}

/** Columns of the user's table written next to the predictions (the features, the actual label). */
export interface PredictionContext {
  columns: { name: string; values: ArrayLike<number | string | null> }[];
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF (quotes doubled). Text
 * that a spreadsheet would run as a formula (starting with = + - @, tab or CR) is neutralised with
 * a leading apostrophe; numbers are written as numbers (a negative number stays a number).
 */
export function csvCell(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isNaN(value) ? '' : String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Predictions as CSV: `row`, the context columns (the user's features, the actual label) when
 * given, `prediction`, and for classification one `p(class)` column per class.
 */
export function predictionsCsv(p: Predictions, context?: PredictionContext): string {
  const extra = context?.columns ?? [];
  const classes = p.classes ?? [];
  const header = ['row', ...extra.map((c) => c.name), 'prediction', ...classes.map((c) => `p(${c})`)].map(csvCell).join(',');
  const labels = p.kind === 'classification' ? predictedLabels(p) : null;
  const lines = new Array<string>(p.rows + 1);
  lines[0] = header;
  for (let r = 0; r < p.rows; r++) {
    const cells = [String(r + 1), ...extra.map((c) => csvCell(c.values[r]))];
    if (labels) {
      cells.push(csvCell(classes[labels[r]]));
      for (let j = 0; j < classes.length; j++) cells.push(p.values[r * classes.length + j].toPrecision(6));
    } else cells.push(String(p.values[r]));
    lines[r + 1] = cells.join(',');
  }
  return lines.join('\n') + '\n';
}
