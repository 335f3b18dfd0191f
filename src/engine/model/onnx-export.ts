/**
 * Exports small dense models (linear regression, logistic/softmax classification, ReLU MLPs)
 * as ONNX, so learnwares trained in JavaScript need no Python. Weights are plain Float32 arrays;
 * the graph uses only MatMul, Add, Relu, Sigmoid and Softmax (opset 17), which every ONNX
 * runtime implements. ONNX field numbers follow onnx.proto3 (ModelProto, GraphProto, NodeProto,
 * TensorProto, ValueInfoProto). Image models (exportImageConvNet, docs/image.md §4) add Mul, Conv,
 * AveragePool, MaxPool, Flatten and Gemm (opset 13).
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
const ATTRIBUTE_INTS = 7;

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

function node(op: string, inputs: string[], outputs: string[], name: string, intAttributes: [string, number | number[]][] = []): (w: ProtoWriter) => void {
  return (w) => {
    for (const i of inputs) w.string(1, i);
    for (const o of outputs) w.string(2, o);
    w.string(3, name);
    w.string(4, op);
    for (const [attribute, value] of intAttributes) {
      w.message(5, (a) => {
        a.string(1, attribute);
        if (typeof value === 'number') a.int(3, value).int(20, ATTRIBUTE_INT);
        else {
          for (const v of value) a.int(8, v);
          a.int(20, ATTRIBUTE_INTS);
        }
      });
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

/** One convolution block of an image model: Conv (stride 1) → optional ReLU → optional pooling (stride = size). */
export interface ConvLayer {
  /** row-major [outChannels, inChannels, kernel, kernel] */
  weights: Float32Array;
  /** [outChannels] */
  bias: Float32Array;
  /** the square kernel's side */
  kernel: number;
  /** zero padding on every side */
  padding: number;
  relu: boolean;
  /** square pooling window, stride = size, no padding (floor: a remainder row/column is dropped) */
  pool: { kind: 'avg' | 'max'; size: number } | null;
}

/**
 * A small image classifier (docs/image.md §4): float32 [N, C, H, W] pixels 0–255 → × scale →
 * conv blocks → Flatten (NCHW order: c·H·W + y·W + x) → dense layers (ReLU between) → Softmax.
 */
export interface ImageConvNet {
  input: { channels: 1 | 3; height: number; width: number };
  /** multiplies the 0–255 pixels inside the graph, e.g. 1/255 */
  scale: number;
  convs: ConvLayer[];
  dense: DenseLayer[];
  /** true: the output is class probabilities (Softmax over the last layer); false: the last layer's scores */
  softmax: boolean;
  inputName?: string;
  outputName?: string;
  producer?: string;
}

/** The [channels, height, width] after each conv block of a net (index 0 = the input); throws BAD_MODEL on a net that does not fit together. */
export function convNetShapes(net: ImageConvNet): [number, number, number][] {
  const { channels, height, width } = net.input;
  if (channels !== 1 && channels !== 3) throw new InputError('BAD_MODEL', `an image model takes 1 or 3 channels, not ${channels}`);
  for (const [name, v] of [
    ['height', height],
    ['width', width],
  ] as const)
    if (!Number.isInteger(v) || v < 1 || v > 4096) throw new InputError('BAD_MODEL', `the input ${name} must be an integer from 1 to 4096, got ${v}`);
  if (!Number.isFinite(net.scale) || net.scale <= 0) throw new InputError('BAD_MODEL', `the pixel scale must be a positive number, got ${net.scale}`);
  const shapes: [number, number, number][] = [[channels, height, width]];
  net.convs.forEach((conv, i) => {
    const [c, h, w] = shapes[i];
    const { kernel: k, padding: p } = conv;
    if (!Number.isInteger(k) || k < 1) throw new InputError('BAD_MODEL', `conv ${i}: the kernel must be a positive integer, got ${k}`);
    if (!Number.isInteger(p) || p < 0 || p >= k) throw new InputError('BAD_MODEL', `conv ${i}: the padding must be an integer from 0 to ${k - 1}, got ${p}`);
    const out = conv.bias.length;
    if (out < 1) throw new InputError('BAD_MODEL', `conv ${i}: it needs at least one output channel`);
    if (conv.weights.length !== out * c * k * k) throw new InputError('BAD_MODEL', `conv ${i}: weights must be ${out}×${c}×${k}×${k}`);
    for (const v of conv.weights) if (!Number.isFinite(v)) throw new InputError('BAD_MODEL', `conv ${i}: weights must be finite`);
    for (const v of conv.bias) if (!Number.isFinite(v)) throw new InputError('BAD_MODEL', `conv ${i}: bias must be finite`);
    let oh = h + 2 * p - k + 1;
    let ow = w + 2 * p - k + 1;
    if (oh < 1 || ow < 1) throw new InputError('BAD_MODEL', `conv ${i}: a ${k}×${k} kernel does not fit a ${h}×${w} input`);
    if (conv.pool) {
      const s = conv.pool.size;
      if (conv.pool.kind !== 'avg' && conv.pool.kind !== 'max') throw new InputError('BAD_MODEL', `conv ${i}: pooling is 'avg' or 'max'`);
      if (!Number.isInteger(s) || s < 1 || s > oh || s > ow) throw new InputError('BAD_MODEL', `conv ${i}: a ${s}×${s} pool does not fit a ${oh}×${ow} map`);
      oh = Math.floor(oh / s);
      ow = Math.floor(ow / s);
    }
    shapes.push([out, oh, ow]);
  });
  const [c, h, w] = shapes[shapes.length - 1];
  const flat = c * h * w;
  const { dense } = net;
  if (dense.length === 0) throw new InputError('BAD_MODEL', 'an image model needs at least one dense layer');
  dense.forEach((layer, i) => {
    const takes = i === 0 ? flat : dense[i - 1].outputs;
    if (layer.inputs !== takes)
      throw new InputError('BAD_MODEL', `dense ${i} takes ${layer.inputs} inputs, ${i === 0 ? `the conv blocks give ${c}×${h}×${w} = ${flat}` : `dense ${i - 1} gives ${takes}`}`);
    if (layer.weights.length !== layer.inputs * layer.outputs) throw new InputError('BAD_MODEL', `dense ${i}: weights must be ${layer.inputs}×${layer.outputs}`);
    if (layer.bias.length !== layer.outputs) throw new InputError('BAD_MODEL', `dense ${i}: bias must have ${layer.outputs} values`);
    for (const v of layer.weights) if (!Number.isFinite(v)) throw new InputError('BAD_MODEL', `dense ${i}: weights must be finite`);
    for (const v of layer.bias) if (!Number.isFinite(v)) throw new InputError('BAD_MODEL', `dense ${i}: bias must be finite`);
  });
  return shapes;
}

/**
 * An image model as ONNX (docs/image.md §4): input float32 [N, C, H, W] (N symbolic) of pixel values
 * 0–255, named 'images'; output float32 [N, classes], named 'probabilities'. Mul (by scale) → per
 * block Conv (+ Relu) (+ AveragePool | MaxPool) → Flatten → Gemm (+ Relu between) → Softmax. Opset 13.
 */
export function exportImageConvNet(net: ImageConvNet): Uint8Array {
  convNetShapes(net);
  const inputName = net.inputName ?? 'images';
  const outputName = net.outputName ?? 'probabilities';
  const { channels, height, width } = net.input;
  const nodes: ((w: ProtoWriter) => void)[] = [];
  const initializers: ((w: ProtoWriter) => void)[] = [tensor('pixel_scale', [], new Float32Array([net.scale]))];
  nodes.push(node('Mul', [inputName, 'pixel_scale'], ['scaled'], 'Scale'));
  let current = 'scaled';
  net.convs.forEach((conv, i) => {
    const out = conv.bias.length;
    const k = conv.kernel;
    const p = conv.padding;
    initializers.push(tensor(`conv${i}_W`, [out, conv.weights.length / (out * k * k), k, k], conv.weights));
    initializers.push(tensor(`conv${i}_B`, [out], conv.bias));
    nodes.push(
      node('Conv', [current, `conv${i}_W`, `conv${i}_B`], [`conv${i}`], `Conv${i}`, [
        ['kernel_shape', [k, k]],
        ['pads', [p, p, p, p]],
        ['strides', [1, 1]],
      ]),
    );
    current = `conv${i}`;
    if (conv.relu) {
      nodes.push(node('Relu', [current], [`conv${i}_relu`], `ConvRelu${i}`));
      current = `conv${i}_relu`;
    }
    if (conv.pool) {
      const s = conv.pool.size;
      const op = conv.pool.kind === 'avg' ? 'AveragePool' : 'MaxPool';
      nodes.push(
        node(op, [current], [`pool${i}`], `${op}${i}`, [
          ['kernel_shape', [s, s]],
          ['strides', [s, s]],
        ]),
      );
      current = `pool${i}`;
    }
  });
  nodes.push(node('Flatten', [current], ['flat'], 'Flatten', [['axis', 1]]));
  current = 'flat';
  net.dense.forEach((layer, i) => {
    initializers.push(tensor(`dense${i}_W`, [layer.inputs, layer.outputs], layer.weights));
    initializers.push(tensor(`dense${i}_B`, [layer.outputs], layer.bias));
    const last = i === net.dense.length - 1;
    const sum = last && !net.softmax ? outputName : `dense${i}`;
    nodes.push(node('Gemm', [current, `dense${i}_W`, `dense${i}_B`], [sum], `Gemm${i}`));
    if (!last) {
      nodes.push(node('Relu', [sum], [`dense${i}_relu`], `DenseRelu${i}`));
      current = `dense${i}_relu`;
    } else if (net.softmax) {
      nodes.push(node('Softmax', [sum], [outputName], 'Softmax', [['axis', 1]]));
    }
  });
  const classes = net.dense[net.dense.length - 1].outputs;
  return new ProtoWriter()
    .int(1, 8) // ir_version
    .string(2, net.producer ?? 'learnware-dock')
    .message(7, (g) => {
      for (const n of nodes) g.message(1, n);
      g.string(2, 'image-conv-net');
      for (const t of initializers) g.message(5, t);
      g.message(11, tensorInfo(inputName, FLOAT, ['N', channels, height, width]));
      g.message(12, tensorInfo(outputName, FLOAT, ['N', classes]));
    })
    .message(8, (o) => o.string(1, '').int(2, 13))
    .finish();
}
