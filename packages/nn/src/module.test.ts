import { Generator, isDeviceStorage, ones, registerBackend, tensor, zeros } from '@proj/tensor';
import { createEmulatedDeviceBackend, withBackend } from '@proj/tensor/testing';
import { describe, expect, it } from 'vitest';
import { Dropout } from './layers/activation.js';
import { Linear } from './layers/linear.js';
import { LayerNorm } from './layers/norm.js';
import { Module, Parameter, StateDictError } from './module.js';

registerBackend(createEmulatedDeviceBackend({ name: 'module-device' }));

class Block extends Module {
  attn = new Linear(4, 4, { generator: new Generator(0) });
  drop = new Dropout(0.1);
  norm = new LayerNorm(4);
}

class Net extends Module {
  scale = new Parameter(ones([1]));
  blocks = [new Block(), new Block()];
  gains = [new Parameter(ones([2])), new Parameter(zeros([3]))];
  head = new Linear(4, 3, { bias: false });
  _scratch = new Linear(2, 2); // skipped: starts with `_`
  config = { width: 4, name: 'net' }; // plain data is fine
}

describe('Module', () => {
  it('names parameters with dotted paths in field order, arrays of modules and parameters included', () => {
    const net = new Net();
    expect(net.namedParameters().map(([name, p]) => `${name} [${p.shape.join(',')}]`)).toEqual([
      'scale [1]',
      'gains.0 [2]',
      'gains.1 [3]',
      'blocks.0.attn.weight [4,4]',
      'blocks.0.attn.bias [4]',
      'blocks.0.norm.weight [4]',
      'blocks.0.norm.bias [4]',
      'blocks.1.attn.weight [4,4]',
      'blocks.1.attn.bias [4]',
      'blocks.1.norm.weight [4]',
      'blocks.1.norm.bias [4]',
      'head.weight [3,4]',
    ]);
    expect(net.namedModules().map(([name]) => name)).toEqual([
      '',
      'blocks.0',
      'blocks.0.attn',
      'blocks.0.drop',
      'blocks.0.norm',
      'blocks.1',
      'blocks.1.attn',
      'blocks.1.drop',
      'blocks.1.norm',
      'head',
    ]);
    expect(net.numParameters()).toBe(1 + 2 + 3 + 2 * (16 + 4 + 4 + 4) + 12);
  });

  it('counts a tied parameter once, under its first name, but lists it under every name in stateDict', () => {
    const net = new Net();
    net.blocks[1]!.attn.weight = net.blocks[0]!.attn.weight;
    const names = net.namedParameters().map(([n]) => n);
    expect(names).toContain('blocks.0.attn.weight');
    expect(names).not.toContain('blocks.1.attn.weight');
    expect(net.parameters().length).toBe(11);
    expect(net.numParameters()).toBe(1 + 2 + 3 + 2 * 28 - 16 + 12);
    const sd = net.stateDict();
    expect(sd['blocks.1.attn.weight']).toBe(sd['blocks.0.attn.weight']);
  });

  it('train() and eval() reach every descendant, arrays included', () => {
    const net = new Net();
    expect(net.namedModules().every(([, m]) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.namedModules().every(([, m]) => !m.training)).toBe(true);
    net.train();
    expect(net.blocks[1]!.drop.training).toBe(true);
    net.train(false);
    expect(net.blocks[1]!.drop.training).toBe(false);
  });

  it('loadStateDict copies values by name, converting dtype, without aliasing the source', () => {
    const source = new Net();
    const target = new Net();
    const sd = source.stateDict();
    sd['head.weight'] = sd['head.weight']!.to('float64');
    const result = target.loadStateDict(sd);
    expect(result).toEqual({ missing: [], unexpected: [] });
    expect(target.head.weight.dtype).toBe('float32');
    expect(target.head.weight.toArray()).toEqual(source.head.weight.data.toArray());
    expect(target.blocks[0]!.attn.weight.data).not.toBe(source.blocks[0]!.attn.weight.data);
    source.blocks[0]!.attn.weight.data.storage[0] = 42;
    expect(target.blocks[0]!.attn.weight.data.storage[0]).not.toBe(42);
  });

  it('loadStateDict keeps parameters in the device memory they live in', async () => {
    const source = new Net();
    const target = withBackend('module-device', () => new Net());
    target.loadStateDict(source.stateDict());
    expect(target.parameters().every((p) => isDeviceStorage(p.data.buffer))).toBe(true);
    expect([...(await target.head.weight.data.dataAsync())]).toEqual([...source.head.weight.data.data()]);
  });

  it('strict loading lists every missing, unexpected and misshaped key in one error', () => {
    const net = new Net();
    const sd = net.stateDict();
    delete sd.scale;
    delete sd['blocks.1.norm.bias'];
    sd['blocks.2.attn.weight'] = zeros([4, 4]);
    sd.extra = zeros([1]);
    sd['head.weight'] = zeros([4, 3]);
    sd['gains.1'] = zeros([2]);
    let error: unknown;
    try {
      net.loadStateDict(sd);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateDictError);
    const message = (error as Error).message;
    expect(message).toContain('missing keys: scale, blocks.1.norm.bias');
    expect(message).toContain('unexpected keys: blocks.2.attn.weight, extra');
    expect(message).toContain('gains.1: expected [3], got [2]');
    expect(message).toContain('head.weight: expected [3, 4], got [4, 3]');
  });

  it('non-strict loading reports missing and unexpected keys but still rejects misshaped ones', () => {
    const net = new Net();
    const result = net.loadStateDict({ scale: tensor([7]), bogus: zeros([1]) }, { strict: false });
    expect(net.scale.toArray()).toEqual([7]);
    expect(result.unexpected).toEqual(['bogus']);
    expect(result.missing.length).toBe(11);
    expect(() => net.loadStateDict({ scale: zeros([2]) }, { strict: false })).toThrow(
      /misshaped keys: scale: expected \[1\], got \[2\]/,
    );
  });

  it('zeroGrad clears every gradient', () => {
    const net = new Net();
    net.head
      .forward(ones([2, 4]))
      .sum()
      .backward();
    expect(net.head.weight.grad).not.toBeNull();
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('Parameter only wraps float tensors', () => {
    expect(new Parameter(zeros([2])).requiresGrad).toBe(true);
    expect(() => new Parameter(zeros([2], { dtype: 'int32' }))).toThrow(
      /only float tensors can be trained, got int32/,
    );
  });
});
