/**
 * Writes tiny ONNX classifiers for tests, with a hand-written protobuf encoder (no onnx package needed):
 * ModelProto (ir_version 8, opset 13) → GraphProto with initializers and a handful of nodes.
 *
 * - `bagOfWordsModel`: features float[1, dims] → MatMul(W[dims, C]) → Add(b[C]) → Sigmoid → scores[1, C].
 * - `tokenIdsModel`:   input_ids int64[1, S] → Gather(E[V, C]) → ReduceMax(axis 1) → Add(b[C]) → Sigmoid → scores[1, C].
 * Both come with a `parapet-detector.json` in the same directory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// ---- protobuf wire format -----------------------------------------------------------------------------------

function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, n: number | bigint) => [...key(field, 0), ...varint(n)];
const bytes = (field: number, b: Uint8Array | number[]) => [...key(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string) => bytes(field, [...new TextEncoder().encode(s)]);
const msg = (field: number, parts: number[][]) => bytes(field, parts.flat());

// ---- ONNX messages ------------------------------------------------------------------------------------------

const FLOAT = 1;
const INT64 = 7;

function tensor(name: string, dims: number[], values: Float32Array): number[][] {
  return [...dims.map((d) => int(1, d)), int(2, FLOAT), str(8, name), bytes(9, new Uint8Array(values.buffer, values.byteOffset, values.byteLength))];
}

/** ValueInfoProto with a tensor type; a string dim is symbolic. */
function valueInfo(name: string, elemType: number, dims: Array<number | string>): number[][] {
  const shape = dims.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]));
  return [str(1, name), msg(2, [msg(1, [int(1, elemType), msg(2, shape)])])];
}

interface Attr {
  name: string;
  ints?: number[];
  i?: number;
}

function node(op: string, inputs: string[], outputs: string[], attrs: Attr[] = []): number[][] {
  return [
    ...inputs.map((x) => str(1, x)),
    ...outputs.map((x) => str(2, x)),
    str(3, `${op.toLowerCase()}_${outputs[0]}`),
    str(4, op),
    ...attrs.map((a) =>
      msg(5, a.ints ? [str(1, a.name), ...a.ints.map((v) => int(8, v)), int(20, 7)] : [str(1, a.name), int(3, a.i ?? 0), int(20, 2)]),
    ),
  ];
}

function model(graph: {
  nodes: number[][][];
  initializers: number[][][];
  inputs: number[][][];
  outputs: number[][][];
}): Uint8Array {
  const g = [
    ...graph.nodes.map((n) => msg(1, n)),
    str(2, 'parapet_test_graph'),
    ...graph.initializers.map((t) => msg(5, t)),
    ...graph.inputs.map((v) => msg(11, v)),
    ...graph.outputs.map((v) => msg(12, v)),
  ];
  return new Uint8Array([...int(1, 8), ...str(2, 'parapet-tests'), ...msg(7, g), ...msg(8, [str(1, ''), int(2, 13)])]);
}

// ---- the test models ----------------------------------------------------------------------------------------

export interface BagOfWordsModel {
  dir: string;
  dims: number;
  /** W[dims][C] (row-major) and b[C]. */
  weights: Float32Array;
  bias: Float32Array;
  labels: Array<string | null>;
  manifest?: Record<string, unknown>;
}

/** A hashed bag-of-words classifier; returns the directory. */
export function writeBagOfWordsModel(m: BagOfWordsModel): string {
  const C = m.labels.length;
  const bytes = model({
    nodes: [node('MatMul', ['features', 'W'], ['mm']), node('Add', ['mm', 'b'], ['logits']), node('Sigmoid', ['logits'], ['scores'])],
    initializers: [tensor('W', [m.dims, C], m.weights), tensor('b', [C], m.bias)],
    inputs: [valueInfo('features', FLOAT, [1, m.dims])],
    outputs: [valueInfo('scores', FLOAT, [1, C])],
  });
  mkdirSync(m.dir, { recursive: true });
  writeFileSync(join(m.dir, 'model.onnx'), bytes);
  writeFileSync(
    join(m.dir, 'parapet-detector.json'),
    JSON.stringify(
      m.manifest ?? {
        input: { type: 'hashed-bag-of-words', name: 'features', dims: m.dims },
        // The graph applies the sigmoid itself.
        output: { name: 'scores', activation: 'none', labels: m.labels },
      },
      null,
      2,
    ),
  );
  return m.dir;
}

export interface TokenIdsModel {
  dir: string;
  vocab: string[];
  /** E[V][C] (row-major): per token, its contribution to each label's logit (max-pooled over the text). */
  embeddings: Float32Array;
  bias: Float32Array;
  labels: Array<string | null>;
  maxLength?: number;
}

/** A token-ids classifier with a vocab.txt; returns the directory. */
export function writeTokenIdsModel(m: TokenIdsModel): string {
  const C = m.labels.length;
  const bytes = model({
    nodes: [
      node('Gather', ['E', 'input_ids'], ['emb'], [{ name: 'axis', i: 0 }]),
      node('ReduceMax', ['emb'], ['pooled'], [
        { name: 'axes', ints: [1] },
        { name: 'keepdims', i: 0 },
      ]),
      node('Add', ['pooled', 'b'], ['logits']),
    ],
    initializers: [tensor('E', [m.vocab.length, C], m.embeddings), tensor('b', [C], m.bias)],
    inputs: [valueInfo('input_ids', INT64, [1, 'sequence'])],
    outputs: [valueInfo('logits', FLOAT, [1, C])],
  });
  mkdirSync(m.dir, { recursive: true });
  writeFileSync(join(m.dir, 'model.onnx'), bytes);
  writeFileSync(join(m.dir, 'vocab.txt'), `${m.vocab.join('\n')}\n`);
  writeFileSync(
    join(m.dir, 'parapet-detector.json'),
    JSON.stringify({
      input: { type: 'token-ids', name: 'input_ids', vocab: 'vocab.txt', maxLength: m.maxLength ?? 16 },
      output: { name: 'logits', activation: 'sigmoid', labels: m.labels },
    }),
  );
  return m.dir;
}
