/**
 * The publish page's words: the semantic checker's problems (keyed by spec field, "Output.Dimension
 * must be a positive integer") as sentences a developer acts on, next to the page's own field; the
 * checker's reasons for a failed bundle in plain words; the phases of *Build and check*.
 */
import type { CheckReason, CheckStatus, Problem } from '../engine/index.js';

/** The page's fields a message can stand next to. */
export type FormField = 'features' | 'name' | 'description' | 'scenarios' | 'classes' | 'output' | 'form';

export interface FieldMessage {
  field: FormField;
  message: string;
}

export interface FormContext {
  task: 'Classification' | 'Regression';
  name: string;
  description: string;
  classes: number;
}

/** One sentence per problem, each with the page's field it belongs to (the spec's own text kept only for problems the page cannot cause). */
export function plainProblems(problems: readonly Problem[], context: FormContext): FieldMessage[] {
  const out: FieldMessage[] = [];
  const add = (field: FormField, message: string) => {
    if (!out.some((m) => m.field === field && m.message === message)) out.push({ field, message });
  };
  for (const p of problems) {
    const [key, part] = p.field.split('.');
    if (key === 'Name') add('name', `Give the learnware a name of 5 to 50 characters (it has ${context.name.trim().length}): it is its title in the catalog.`);
    else if (key === 'Description')
      add('description', `Describe what the model predicts and from what data, in 10 to 10,000 characters (it has ${context.description.trim().length.toLocaleString('en')}).`);
    else if (key === 'Scenario') add('scenarios', 'Tick at least one scenario the model is meant for: people filter the catalog by them.');
    else if (key === 'Input') add('features', part === 'Dimension' ? 'Tick at least one feature column: the model needs an input.' : 'Give every feature a description.');
    else if (key === 'Output') {
      if (context.task === 'Classification')
        add(
          'classes',
          context.classes === 0
            ? "List the model's classes, separated by commas, in the order of its outputs (e.g. no, yes)."
            : `A classifier needs at least two classes (${context.classes} listed): separate them by commas, in the order of the model's outputs.`,
        );
      else add('output', 'Say what the model predicts (e.g. the median sale price in dollars).');
    } else add('form', p.message);
  }
  return out;
}

/** Words for the checker's verdict on a bundle that is not USABLE. */
export function verdict(status: CheckStatus): string {
  return status === 'INVALID'
    ? 'This bundle is INVALID: a catalog refuses it, and reusing it would fail. What is wrong:'
    : 'This bundle is NONUSABLE: it is well formed, but its model failed the run check, so a catalog refuses it. What is wrong:';
}

const REASON_WORDS: Record<string, string> = {
  DIMENSION_MISMATCH: 'The specification and the model take different numbers of features.',
  MODEL_LOAD: 'onnxruntime cannot load the model file: is it an ONNX model?',
  MODEL_IO: "The model's input or output name is not the one the bundle names.",
  MODEL_TIMEOUT: 'The model took too long on a few rows.',
  ROW_COUNT: 'The model returned a different number of rows than it was given.',
  OUTPUT_SHAPE: 'The model gives a different number of values per row than the form declares: check the task and the classes.',
  NON_FINITE_OUTPUT: 'The model gives NaN or infinite values on rows like your training data.',
  PROBABILITY_RANGE: 'The model’s outputs are not probabilities (some lie outside 0 to 1): is it a regressor, or does it give scores before a softmax?',
  PROBABILITY_SUM: 'The model’s outputs do not sum to 1 per row, so they are not class probabilities: export it with a softmax, or choose Regression.',
  LABEL_RANGE: 'The model predicts labels that are not among the listed classes.',
};

/** A reason in plain words: a sentence for its code, then the checker's own message (which names the numbers). */
export function plainReason(reason: CheckReason): string {
  const lead = REASON_WORDS[reason.code];
  const message = reason.message.charAt(0).toUpperCase() + reason.message.slice(1) + (/[.!?]$/.test(reason.message) ? '' : '.');
  return lead ? `${lead} ${message}` : message;
}

/** The steps of *Build and check*, in order, with the engine phases each covers. */
export const BUILD_STEPS: readonly { id: string; label: string; phases: readonly string[] }[] = [
  { id: 'spec', label: 'Building the specification (RKME) of your training rows', phases: ['impute', 'features', 'kmeans', 'beta', 'z-step'] },
  { id: 'pack', label: 'Packing the bundle', phases: ['pack'] },
  { id: 'check', label: 'Checking the bundle (running the model on rows like yours)', phases: ['check'] },
];

export const SPEC_PHASE_LABELS: Record<string, string> = {
  impute: 'filling missing cells',
  features: 'computing the features of your images',
  kmeans: 'summarising your rows (k-means)',
  beta: 'weighting the reduced points',
  'z-step': 'refining the reduced points',
};
