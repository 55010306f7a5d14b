import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { add, matmul, randn, softmax, Tensor } from '../../index.js';
import {
  scaledDotProductAttentionBackward,
  scaledDotProductAttentionForward,
} from '../../ops/fused/attention.js';
import { Generator } from '../../random/generator.js';
import { jsBackend } from '../js/index.js';
import { wasmBackend } from './index.js';
import { KernelOperands } from './kernel-operands.js';
import { getRuntime, MIN_RESIDENT_FLOATS } from './runtime.js';

const rt = getRuntime()!;
const resident = (length: number) => rt.allocFloat32(length)!;
/** Fills `array` with sin(i·scale) in place and returns it. */
function ramp(array: Float32Array, scale = 1): Float32Array {
  for (let i = 0; i < array.length; i++) array[i] = Math.sin(i * scale);
  return array;
}

describe('float32 tensors in the wasm memory', () => {
  it('allocates float32 storage of the wasm backend in its shared memory, small arrays on the heap', () => {
    const g = new Generator(1);
    const x = randn([64, 64], { generator: g });
    expect(rt.shared).toBe(true);
    expect(rt.addressOf(x.storage)).toBeGreaterThan(0);
    expect(rt.writableBytes(x.storage)).toBeGreaterThanOrEqual(4 * 64 * 64);
    expect(rt.addressOf(randn([MIN_RESIDENT_FLOATS - 1]).storage)).toBe(-1);
    expect(rt.addressOf(new Float32Array(4096))).toBe(-1);
  });

  it('gives results equal to the JS kernels with operands in the memory, on the heap, or mixed', () => {
    const g = new Generator(2);
    const [a, b] = [randn([48, 80], { generator: g }), randn([80, 40], { generator: g })];
    const heapA = new Float32Array(a.storage);
    const want = new Float32Array(48 * 40);
    const args = (aData: Float32Array, out: Float32Array) =>
      productArgs(aData, b.storage as Float32Array, out);
    jsBackend.matmul(args(heapA, want));
    for (const [aData, out] of [
      [a.storage, resident(48 * 40)],
      [heapA, resident(48 * 40)],
      [a.storage, new Float32Array(48 * 40)],
    ] as [Float32Array, Float32Array][]) {
      wasmBackend.matmul(args(aData, out));
      for (let i = 0; i < want.length; i++) expect(out[i]).toBeCloseTo(want[i]!, 4);
    }
    expect(matmul(a, b).data()).toEqual(wasmMatmulOf(a.storage as Float32Array, b.storage as Float32Array));
  });

  it('updates an operand in place where the output is the input (elementwise out = a)', () => {
    const a = ramp(resident(1000));
    const b = ramp(resident(1000), 0.3);
    const want = a.map((v, i) => v + b[i]!);
    wasmBackend.binary(
      'add',
      { data: a, offset: 0, strides: [1] },
      { data: b, offset: 0, strides: [1] },
      a,
      [1000],
    );
    expect(a).toEqual(want);
  });

  it('sends an output that overlaps an input at another address through the arena', () => {
    const storage = ramp(resident(1025));
    const copy = new Float32Array(storage);
    const ops = new KernelOperands(rt);
    const input = ops.read(storage, 1, 1025);
    const output = ops.write(storage, 1024);
    const ptrs = ops.place()!;
    expect(ptrs[input]).toBe(rt.addressOf(storage) + 4);
    expect(ptrs[output]).not.toBe(rt.addressOf(storage));
    // the same through a kernel: y[i] = x[i + 1] + x[i + 1] written over x
    const view = { data: storage, offset: 1, strides: [1] };
    wasmBackend.binary('add', view, view, storage, [1024]);
    for (let i = 0; i < 1024; i++) expect(storage[i]).toBe(copy[i + 1]! + copy[i + 1]!);
  });

  it('reads in place only where a vector step past the end still lies in the memory', () => {
    const end = rt.memory.buffer.byteLength;
    expect(rt.readAddress(new Float32Array(rt.memory.buffer, end - 64, 16), 0, 64)).toBe(-1);
    expect(rt.readAddress(new Float32Array(rt.memory.buffer, end - 128, 16), 0, 64)).toBe(end - 128);
    expect(rt.readAddress(new Float32Array(64), 0, 256)).toBe(-1); // not a view of the memory
  });

  it('writes in place only into arrays that own a block large enough for the kernel', () => {
    const owner = resident(1000);
    const view = resident(1000).subarray(8);
    const small = resident(1000);
    const ops = new KernelOperands(rt);
    const slots = [
      ops.write(owner, 1000, 4 * 1024), // the block has room for the kernel's rounding
      ops.write(view, 992), // a view into a block: the kernel could overrun its neighbours
      ops.write(new Float32Array(1000), 1000),
      ops.write(small, 1000, 1 << 20), // more than the block holds
    ];
    const ptrs = ops.place()!;
    const [arena] = rt.scratch();
    expect(ptrs[slots[0]!]).toBe(rt.addressOf(owner));
    for (const slot of slots.slice(1)) expect(ptrs[slot]).toBeGreaterThanOrEqual(arena);
    expect(ptrs[slots[1]!]).not.toBe(rt.addressOf(view));
    expect(ptrs[slots[3]!]).not.toBe(rt.addressOf(small));
  });

  it('updates copy the source into an output in the memory first (softmax of a resident x into a resident y)', () => {
    const g = new Generator(3);
    const x = randn([30, 50], { generator: g });
    const before = new Float32Array(x.storage);
    const y = softmax(x, -1);
    expect(x.storage).toEqual(before); // the input is untouched
    expect(rt.addressOf(y.storage)).toBeGreaterThan(0);
    const row = Array.from(before.subarray(0, 50));
    const max = Math.max(...row);
    const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
    expect(y.storage[0]).toBeCloseTo(Math.exp(row[0]! - max) / sum, 6);
  });

  it('runs fused attention on tensors in the memory: inputs untouched, results as on heap copies', () => {
    const g = new Generator(5);
    const [q, k, v, dout] = [0, 1, 2, 3].map(() => randn([2, 3, 40, 16], { generator: g }));
    const inputs = [q, k, v, dout].map((t) => new Float32Array(t!.storage));
    for (const t of [q, k, v, dout]) expect(rt.addressOf(t!.storage)).toBeGreaterThan(0);
    const fwd = scaledDotProductAttentionForward(q!, k!, v!, { causal: true });
    const results = [fwd.out, fwd.lse].map((t) => new Float32Array(t.storage));
    const grads = scaledDotProductAttentionBackward(dout!, q!, k!, v!, fwd.out, fwd.lse, { causal: true });
    [q, k, v, dout].forEach((t, i) => expect(t!.storage).toEqual(inputs[i]));
    [fwd.out, fwd.lse].forEach((t, i) => expect(t.storage).toEqual(results[i])); // the backward reads them in place
    expect(rt.addressOf(fwd.out.storage)).toBeGreaterThan(0);
    expect(rt.addressOf(grads.dq.storage)).toBeGreaterThan(0);
    // the same kernels on heap copies (every operand through the arena)
    const [hq, hk, hv, hd] = inputs.map((data) => new Tensor(data, [2, 3, 40, 16]));
    const heapFwd = scaledDotProductAttentionForward(hq!, hk!, hv!, { causal: true });
    const heapGrads = scaledDotProductAttentionBackward(hd!, hq!, hk!, hv!, heapFwd.out, heapFwd.lse, {
      causal: true,
    });
    expect(fwd.out.data()).toEqual(heapFwd.out.data());
    expect(fwd.lse.data()).toEqual(heapFwd.lse.data());
    for (const name of ['dq', 'dk', 'dv'] as const)
      expect(grads[name].data()).toEqual(heapGrads[name].data());
  });

  it('returns the blocks of collected tensors to the memory, which then stops growing', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const step = () => {
      let x = randn([256, 256]);
      for (let i = 0; i < 20; i++) x = add(x, x);
      return x.sum().item();
    };
    const round = async () => {
      step();
      gc();
      await new Promise((resolve) => setImmediate(resolve)); // the returning callbacks run between tasks
    };
    for (let i = 0; i < 3; i++) await round();
    const size = rt.memory.buffer.byteLength;
    const before = rt.residentBytes;
    for (let i = 0; i < 10; i++) await round();
    expect(rt.residentBytes).toBeLessThanOrEqual(before);
    expect(rt.memory.buffer.byteLength).toBe(size);
  });
});

/** The arguments of the product `out = a·b` of `a` [48, 80] and `b` [80, 40]. */
function productArgs(a: Float32Array, b: Float32Array, out: Float32Array) {
  return {
    a,
    b,
    out,
    batch: 1,
    m: 48,
    n: 40,
    k: 80,
    aOffsets: Int32Array.of(0),
    bOffsets: Int32Array.of(0),
    aRowStride: 80,
    aColStride: 1,
    bRowStride: 40,
    bColStride: 1,
  };
}

/** The product of `a` [48, 80] and `b` [80, 40] through the wasm kernels on heap copies. */
function wasmMatmulOf(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(48 * 40);
  wasmBackend.matmul(productArgs(new Float32Array(a), new Float32Array(b), out));
  return out;
}
