/**
 * Exports small dense models (linear regression, logistic/softmax classification, ReLU MLPs)
 * as ONNX, so learnwares trained in JavaScript need no Python. Weights are plain Float32 arrays;
 * the graph uses only MatMul, Add, Relu, Sigmoid and Softmax (opset 17), which every ONNX
 * runtime implements. ONNX field numbers follow onnx.proto3 (ModelProto, GraphProto, NodeProto,
 * TensorProto, ValueInfoProto).
 */
import { InputError } from '../core/errors.js';
import type { TokenNaiveBayes } from './naive-bayes.js';
import { ProtoWriter } from './protobuf.js';

export interface DenseLayer {
  /** row-major [inputs × outputs] */
  weights: Float32Array;
  bias: Float32Array;
  inputs: number;
  outputs: number;
}

export interface DenseModel {
  layers: DenseLayer[];
  /** hidden layers always use ReLU; the last layer's activation: */
  output: 'identity' | 'sigmoid' | 'softmax';
  inputName?: string;
  outputName?: string;
  producer?: string;
  /** declare the input's feature axis symbolic ("features") instead of fixed, as some exporters do: the width is then known only when the model runs */
  freeInputWidth?: boolean;
}

const FLOAT = 1;
const INT64 = 7;
const ATTRIBUTE_INT = 2;

export function exportDenseOnnx(model: DenseModel): Uint8Array {
  const { layers } = model;
  if (layers.length === 0) throw new InputError('BAD_MODEL', 'a model needs at least one layer');
  layers.forEach((layer, i) => {
    if (layer.weights.length !== layer.inputs * layer.outputs) throw new InputError('BAD_MODEL', `layer ${i}: weights must be ${layer.inputs}×${layer.outputs}`);
    if (layer.bias.length !== layer.outputs) throw new InputError('BAD_MODEL', `layer ${i}: bias must have ${layer.outputs} values`);
    if (i > 0 && layers[i - 1].outputs !== layer.inputs) throw new InputError('BAD_MODEL', `layer ${i} takes ${layer.inputs} inputs, layer ${i - 1} gives ${layers[i - 1].outputs}`);
    for (const v of layer.weights) if (!Number.isFinite(v)) throw new InputError('BAD_MODEL', `layer ${i}: weights must be finite`);
    for (const v of layer.bias) if (!Number.isFinite(v)) throw new InputError('BAD_MODEL', `layer ${i}: bias must be finite`);
  });
  const inputName = model.inputName ?? 'input';
  const outputName = model.outputName ?? 'output';
  const inDim = layers[0].inputs;
  const outDim = layers[layers.length - 1].outputs;

  const nodes: ((w: ProtoWriter) => void)[] = [];
  const initializers: ((w: ProtoWriter) => void)[] = [];
  let current = inputName;
  layers.forEach((layer, i) => {
    const W = `W${i}`;
    const B = `B${i}`;
    initializers.push(tensor(W, [layer.inputs, layer.outputs], layer.weights));
    initializers.push(tensor(B, [layer.outputs], layer.bias));
    const product = `matmul${i}`;
    const last = i === layers.length - 1;
    const sum = last && model.output === 'identity' ? outputName : `dense${i}`;
    nodes.push(node('MatMul', [current, W], [product], `MatMul${i}`));
    nodes.push(node('Add', [product, B], [sum], `Add${i}`));
    if (!last) {
      nodes.push(node('Relu', [sum], [`relu${i}`], `Relu${i}`));
      current = `relu${i}`;
    } else if (model.output === 'sigmoid') {
      nodes.push(node('Sigmoid', [sum], [outputName], 'Sigmoid'));
    } else if (model.output === 'softmax') {
      nodes.push(node('Softmax', [sum], [outputName], 'Softmax', [['axis', 1]]));
    }
  });

  return new ProtoWriter()
    .int(1, 8) // ir_version
    .string(2, model.producer ?? 'learnware-dock')
    .message(7, (g) => {
      for (const n of nodes) g.message(1, n);
      g.string(2, 'dense');
      for (const t of initializers) g.message(5, t);
      g.message(11, valueInfo(inputName, model.freeInputWidth ? 'features' : inDim));
      g.message(12, valueInfo(outputName, outDim));
    })
    .message(8, (o) => o.string(1, '').int(2, 17)) // opset_import: default domain, opset 17
    .finish();
}

function node(op: string, inputs: string[], outputs: string[], name: string, intAttributes: [string, number][] = []): (w: ProtoWriter) => void {
  return (w) => {
    for (const i of inputs) w.string(1, i);
    for (const o of outputs) w.string(2, o);
    w.string(3, name);
    w.string(4, op);
    for (const [attribute, value] of intAttributes) {
      w.message(5, (a) => a.string(1, attribute).int(3, value).int(20, ATTRIBUTE_INT));
    }
  };
}

function tensor(name: string, dims: number[], values: Float32Array): (w: ProtoWriter) => void {
  return (w) => {
    for (const d of dims) w.int(1, d);
    w.int(2, FLOAT);
    w.string(8, name);
    // raw_data is little-endian; every platform JavaScript runs on is little-endian, checked here
    const raw = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('big-endian platforms are not supported');
    w.bytes(9, raw);
  };
}

/** float tensor [N, dim] with a symbolic batch dimension (and a symbolic width when dim is a name) */
function valueInfo(name: string, dim: number | string): (w: ProtoWriter) => void {
  return (w) => {
    w.string(1, name);
    w.message(2, (type) =>
      type.message(1, (tensorType) => {
        tensorType.int(1, FLOAT);
        tensorType.message(2, (shape) => {
          shape.message(1, (d) => d.string(2, 'N'));
          shape.message(1, (d) => (typeof dim === 'string' ? d.string(2, dim) : d.int(1, dim)));
        });
      }),
    );
  };
}

export interface TokenNaiveBayesExport {
  /** L, the token ids per text */
  maxLength: number;
  classes: number;
  inputName?: string;
  outputName?: string;
  producer?: string;
}

/**
 * A text model (docs/text.md §4) from naive Bayes: int64 ids [N, L] → Gather of the log-likelihood
 * table [V + 2, C] → [N, L, C] → ReduceSum over L → + log priors → Softmax → float32 [N, C].
 * Rows 0 (padding) and 1 (unknown) of the table are zero, so those ids add nothing. Opset 13, the
 * first where ReduceSum takes its axes as an input. Softmax's axis is 1, the last of [N, C] (the
 * protobuf writer encodes no negative numbers).
 */
export function exportTokenNaiveBayes(nb: TokenNaiveBayes, options: TokenNaiveBayesExport): Uint8Array {
  const C = options.classes;
  const L = options.maxLength;
  if (!Number.isInteger(C) || C < 2 || C !== nb.classes) throw new InputError('BAD_MODEL', `the model has ${nb.classes} classes, ${C} were asked for`);
  if (!Number.isInteger(L) || L < 1) throw new InputError('BAD_MODEL', `the token length must be a positive integer, got ${L}`);
  const rows = nb.vocabSize + 2;
  if (nb.logLikelihoods.length !== rows * C) throw new InputError('BAD_MODEL', `the table must be ${rows}×${C}`);
  if (nb.logPriors.length !== C) throw new InputError('BAD_MODEL', `the priors must have ${C} values`);
  for (const v of nb.logLikelihoods) if (!Number.isFinite(v)) throw new InputError('BAD_MODEL', 'the log-likelihoods must be finite');
  for (const v of nb.logPriors) if (!Number.isFinite(v)) throw new InputError('BAD_MODEL', 'the log priors must be finite');
  const inputName = options.inputName ?? 'token_ids';
  const outputName = options.outputName ?? 'probabilities';
  const nodes = [
    node('Gather', ['log_likelihoods', inputName], ['token_scores'], 'Gather', [['axis', 0]]),
    node('ReduceSum', ['token_scores', 'sum_axes'], ['text_scores'], 'ReduceSum', [['keepdims', 0]]),
    node('Add', ['text_scores', 'log_priors'], ['scores'], 'Add'),
    node('Softmax', ['scores'], [outputName], 'Softmax', [['axis', 1]]),
  ];
  const initializers = [
    tensor('log_likelihoods', [rows, C], Float32Array.from(nb.logLikelihoods)),
    tensor('log_priors', [C], Float32Array.from(nb.logPriors)),
    int64Tensor('sum_axes', [1], [1n]),
  ];
  return new ProtoWriter()
    .int(1, 8) // ir_version
    .string(2, options.producer ?? 'learnware-dock')
    .message(7, (g) => {
      for (const n of nodes) g.message(1, n);
      g.string(2, 'token-naive-bayes');
      for (const t of initializers) g.message(5, t);
      g.message(11, tensorInfo(inputName, INT64, ['N', L]));
      g.message(12, tensorInfo(outputName, FLOAT, ['N', C]));
    })
    .message(8, (o) => o.string(1, '').int(2, 13))
    .finish();
}

function int64Tensor(name: string, dims: number[], values: bigint[]): (w: ProtoWriter) => void {
  return (w) => {
    for (const d of dims) w.int(1, d);
    w.int(2, INT64);
    w.string(8, name);
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
    w.bytes(9, raw);
  };
}

/** a tensor type with named (symbolic) and fixed dimensions */
function tensorInfo(name: string, elementType: number, dims: (number | string)[]): (w: ProtoWriter) => void {
  return (w) => {
    w.string(1, name);
    w.message(2, (type) =>
      type.message(1, (tensorType) => {
        tensorType.int(1, elementType);
        tensorType.message(2, (shape) => {
          for (const dim of dims) shape.message(1, (d) => (typeof dim === 'string' ? d.string(2, dim) : d.int(1, dim)));
        });
      }),
    );
  };
}
