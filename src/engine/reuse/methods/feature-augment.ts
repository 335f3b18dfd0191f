/**
 * Feature augmentation (labels): a linear model on the user's features plus the learnwares'
 * outputs, fitted on the labelled rows, that learns a correction to the top learnware's
 * predictions (docs/reuse.md). With no outputs the same fit is the evaluation's from-scratch
 * baseline.
 */
import { InputError } from '../../core/errors.js';
import { gatherRows } from '../../data/table.js';
import { fitRidgeLoo, fitSoftmaxCv, fittedModelProblem, predictRidge, predictSoftmax, type RidgeModel, type SoftmaxModel } from '../fit.js';
import { defineReuseMethod } from '../method.js';
import { alignOutputs, selectRows, toClasses, type Predictions, type TaskKind } from '../predictions.js';
import { equalWeights, topSingles } from './choose.js';

export interface LinearHead {
  kind: TaskKind;
  classes: string[] | null;
  model: RidgeModel | SoftmaxModel;
  /** learnware outputs appended to the features (0 = trained from scratch) */
  learnwares: number;
  /** the penalty chosen by cross-validation (ridge λ or softmax L2) */
  penalty: number;
}

function augmented(x: Float64Array, n: number, d: number, outputs: readonly Predictions[]): { values: Float64Array; cols: number } {
  const widths = outputs.map((o) => (o.kind === 'regression' ? 1 : o.classes!.length));
  const cols = d + widths.reduce((s, w) => s + w, 0);
  const values = new Float64Array(n * cols);
  for (let r = 0; r < n; r++) {
    values.set(x.subarray(r * d, (r + 1) * d), r * cols);
    let c = d;
    outputs.forEach((o, i) => {
      for (let k = 0; k < widths[i]; k++) values[r * cols + c++] = o.values[r * widths[i] + k];
    });
  }
  return { values, cols };
}

/** The first learnware's output as the head's starting point: its value (regression) or logits. */
function offsetOf(first: Predictions | undefined): Float64Array | undefined {
  if (!first) return undefined;
  if (first.kind === 'regression') return first.values;
  return first.values.map((p) => Math.log(Math.max(1e-6, p)));
}

/**
 * Feature augmentation: a linear model on the user's features plus the learnwares' outputs that
 * learns a correction to the first learnware's predictions (the top search result): ridge on the
 * residual y − ŷ₁ (regression) or a softmax on top of log p₁ (classification), its penalty chosen
 * by cross-validation (fit.ts) — with few labels a large penalty keeps it near the learnware,
 * with many it corrects it. With no outputs this is the from-scratch baseline (same fits, same
 * penalty search, no offset).
 */
export function fitLinearHead(
  x: Float64Array,
  n: number,
  d: number,
  outputs: readonly Predictions[],
  targets: Float64Array,
  task: { kind: TaskKind; classes: string[] | null },
): LinearHead {
  if (n === 0 || targets.length !== n) throw new InputError('NO_LABELS', 'this method needs labelled rows: give the label column');
  const aligned = outputs.length ? alignOutputs(outputs).map((o) => (task.classes ? toClasses(o, task.classes) : o)) : [];
  const { values, cols } = augmented(x, n, d, aligned);
  const offset = offsetOf(aligned[0]);
  if (task.kind === 'regression') {
    const residual = offset ? targets.map((y, r) => y - offset[r]) : targets;
    const model = fitRidgeLoo(values, n, cols, residual);
    return { kind: task.kind, classes: null, model, learnwares: aligned.length, penalty: model.lambda };
  }
  const model = fitSoftmaxCv(values, n, cols, targets, task.classes!.length, { epochs: 300, learningRate: 0.05, offset });
  return { kind: task.kind, classes: task.classes, model, learnwares: aligned.length, penalty: model.l2 };
}

export function applyLinearHead(head: LinearHead, x: Float64Array, n: number, d: number, outputs: readonly Predictions[]): Predictions {
  if (outputs.length !== head.learnwares) throw new InputError('BAD_SHAPE', `the head was fitted on ${head.learnwares} learnwares' outputs, got ${outputs.length}`);
  const aligned = outputs.length ? alignOutputs(outputs).map((o) => (head.classes ? toClasses(o, head.classes) : o)) : [];
  const { values } = augmented(x, n, d, aligned);
  const offset = offsetOf(aligned[0]);
  if (head.model.type === 'ridge') {
    const correction = predictRidge(head.model, values, n);
    return { kind: 'regression', rows: n, classes: null, values: offset ? correction.map((c, r) => c + offset[r]) : correction };
  }
  return { kind: 'classification', rows: n, classes: head.classes, values: predictSoftmax(head.model, values, n, offset) };
}

export const featureAugment = defineReuseMethod({
  id: 'feature-augment',
  label: 'Feature augmentation',
  shortLabel: 'feature augmentation',
  description: 'a linear model on your features plus the learnwares’ predictions, fitted on your labelled rows',
  needsLabels: true,
  sameFeatures: true,
  recommended: () => false,
  chooseLearnwares: (island) => topSingles(island, 5),
  fit(input) {
    const labels = input.labels!;
    const head = fitLinearHead(
      gatherRows(input.x(), input.d, labels.rows),
      labels.rows.length,
      input.d,
      input.outputs.map((o) => selectRows(o, labels.rows)),
      labels.targets,
      input.task,
    );
    return { state: head, weights: input.weights ? [...input.weights] : equalWeights(input.outputs.length) };
  },
  predict: (head, input) => applyLinearHead(head, input.x(), input.rows, input.d, input.outputs),
  save: (head) => ({ head }),
  restore(spec) {
    const head = spec.head;
    const classes = spec.task.kind === 'classification' ? spec.task.classes : null;
    if (!head || head.learnwares !== spec.components.length || head.kind !== spec.task.kind) return { problem: 'a feature-augment composite needs a linear head over its components' };
    const inputs = spec.features.length + spec.components.length * (classes ? classes.length : 1);
    const problem = fittedModelProblem(head.model, inputs, classes ? classes.length : null);
    return problem ? { problem: `the linear head: ${problem}` } : { state: head };
  },
});
