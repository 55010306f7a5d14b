import { describe, expect, it } from 'vitest';
import type { Backend, MatmulArgs, UnaryOp } from '../../backend/backend.js';
import { jsBackend } from '../../backend/js/index.js';
import type { DeviceStorage } from '../../backend/memory.js';
import type { AnyBackend } from '../../backend/registry.js';
import { allocStorage, type TypedArray } from '../../dtype.js';
import { createEmulatedDeviceBackend, deviceContractKernels } from '../emulated-device.js';
import { registerBackendConformance } from './suite.js';
import type { TestApi } from './test-api.js';

/**
 * The suite catches broken backends: each one below wraps the JS reference (in host memory, or
 * behind the emulated device's memory) with one subtle bug, the suite is registered into a list
 * instead of vitest and run: some tests fail, and only the ones about the broken part. (That the
 * JS reference itself and the emulated device pass is js.test.ts and emulated-device.test.ts under
 * src/backend.)
 */

interface Test {
  name: string;
  body: () => void | Promise<void>;
}

/** The suite's tests on `backend`, registered with a collecting test API (named without the top level). */
function registeredTests(backend: AnyBackend): Test[] {
  const tests: Test[] = [];
  const path: string[] = [];
  const api: TestApi = {
    describe(name, body) {
      path.push(name);
      body();
      path.pop();
    },
    it(name, body) {
      tests.push({ name: [...path.slice(1), name].join(' > '), body });
    },
  };
  registerBackendConformance(api, 'broken', backend);
  return tests;
}

/** Runs every test of the suite on `backend` and reports how many there were and which failed. */
async function runSuite(backend: AnyBackend): Promise<{ registered: number; failed: string[] }> {
  const tests = registeredTests(backend);
  const failed: string[] = [];
  for (const test of tests) {
    try {
      await test.body();
    } catch {
      failed.push(test.name);
    }
  }
  return { registered: tests.length, failed };
}

/** The JS reference with a matmul whose last output element of long dot products is off by 1e-4 relative. */
const badMatmul: Backend = {
  ...jsBackend,
  name: 'bad-matmul',
  matmul(args: MatmulArgs) {
    jsBackend.matmul(args);
    if (args.k > 64 && args.out.length > 0) args.out[args.out.length - 1]! *= 1 + 1e-4;
  },
};

const device = createEmulatedDeviceBackend();
/** The memory section's name on the emulated device. */
const MEMORY = 'memory (device; holds float32, int32, bool)';

describe('the conformance suite on broken backends', () => {
  it('fails the matmul tests when one output element of long dot products is off by 1e-4 relative', async () => {
    const { registered, failed } = await runSuite(badMatmul);
    expect(registered).toBeGreaterThan(100);
    expect(failed.length).toBeGreaterThan(0);
    for (const name of failed) expect(name).toMatch(/^matmul > /);
  });

  it("fails the accuracy tests when gelu flushes its negative tail to zero (within every test's atol)", async () => {
    const unary: Backend['unary'] = (op: UnaryOp, x, out) => {
      jsBackend.unary(op, x, out);
      if (op === 'gelu') for (let i = 0; i < x.length; i++) if (x[i]! < -5.5) out[i] = 0;
    };
    const { failed } = await runSuite({ ...jsBackend, name: 'bad-gelu', unary });
    expect(failed).toContain(
      'float32 accuracy against float64 references > gelu: AS-level absolute accuracy, and relative accuracy in the negative tail',
    );
    // the exact float64 comparison of the unary family sees it too
    for (const name of failed) expect(name).toMatch(/gelu|^unary > float64 inputs/);
  });

  it('fails on a backend that lacks a kernel', async () => {
    const { fold: _, ...withoutFold } = jsBackend;
    const { failed } = await runSuite(withoutFold as Backend);
    expect(failed).toContain('implements every required kernel of the backend table');
    for (const name of failed)
      expect(name).toMatch(/^implements every required kernel|^window kernels > unfold and fold/);
  });
});

describe('the conformance suite on device backends (the emulated device)', () => {
  // (that every test passes on it is src/backend/conformance/emulated-device.test.ts)
  it('registers the host tests less the float64 cases, packLinear and the RangeError, and says so by name', () => {
    const names = (backend: AnyBackend) =>
      registeredTests(backend).map((test) => test.name.replace(/^memory \([^)]*\)/, 'memory'));
    const [hostNames, deviceNames] = [names(jsBackend), names(device)];
    const onlyHost = hostNames.filter((name) => !deviceNames.includes(name));
    const onlyDevice = deviceNames.filter((name) => !hostNames.includes(name));
    expect(onlyHost.filter((name) => /float64/.test(name)).length).toBeGreaterThan(10);
    expect(onlyHost.filter((name) => !/float64|^packLinear > /.test(name))).toEqual([
      'implements every required kernel of the backend table',
      'row kernels > cross-entropy rejects out-of-range targets with a RangeError (host memory)',
    ]);
    expect(onlyDevice).toEqual([
      'implements every required kernel of the backend table (packLinear is host-only)',
      'memory > upload copies (device memory): writing into the source afterwards changes nothing',
      'memory > float64 is not held: alloc and upload throw a DTypeError naming float64 (its kernel cases are not registered)',
      'binary, where, copy and reduce > copy of permuted, transposed, broadcast and offset views into float32, int32, bool',
      'binary, where, copy and reduce > reduce sum, max, min of int32 match the reference exactly',
      'row kernels > cross-entropy of an out-of-range or negative target gives NaN loss, lse and gradient in that row (device memory)',
    ]);
  });

  it('fails the matmul tests when the device kernel is off by 1e-4 relative (results read through readAsync)', async () => {
    const { failed } = await runSuite(
      createEmulatedDeviceBackend({ kernels: { ...deviceContractKernels, matmul: badMatmul.matmul } }),
    );
    expect(failed.length).toBeGreaterThan(0);
    for (const name of failed) expect(name).toMatch(/^matmul > /);
  });

  it('fails the alloc tests when alloc hands back a pooled buffer without clearing it', async () => {
    const alloc: typeof device.alloc = (dtype, n) => device.upload(allocStorage(dtype, n).fill(1));
    const { failed } = await runSuite({ ...device, alloc });
    for (const dtype of ['float32', 'int32', 'bool'])
      expect(failed).toContain(`${MEMORY} > alloc(${dtype}, n) gives n zeros (n = 0, 1, 5, 1001)`);
    // and what reads allocated storage as zeros: RMS norm's mean (left as allocated), AdamW's first moments
    for (const name of failed)
      expect(name).toMatch(
        /^memory .* > alloc\(|^row kernels > layer norm and RMS norm|^activation .* > adamw/,
      );
  });

  it('fails the copy test when readAsync hands out the same array on every read', async () => {
    const reads = new Map<DeviceStorage, Promise<TypedArray>>();
    const readAsync: typeof device.readAsync = (storage) => {
      if (!reads.has(storage)) reads.set(storage, device.readAsync(storage));
      return reads.get(storage)!;
    };
    const { failed } = await runSuite({ ...device, readAsync });
    expect(failed).toEqual([`${MEMORY} > readAsync returns a copy: writing into it changes nothing`]);
  });

  it('fails the int32 round trip when uploads pass int32 through float32 (2^24 + 1, 2^31 − 1 rounded)', async () => {
    const upload: typeof device.upload = (values) =>
      device.upload(values instanceof Int32Array ? Int32Array.from(Float32Array.from(values)) : values);
    const { failed } = await runSuite({ ...device, upload });
    expect(failed).toEqual([
      `${MEMORY} > upload then readAsync round-trips int32 exactly (−2³¹, 2³¹ − 1, 2²⁴ + 1)`,
      `${MEMORY} > readAsync returns a copy: writing into it changes nothing`, // over the same values
    ]);
  });

  it('fails the bad-target test when a device cross-entropy clamps an out-of-range target instead of writing NaN', async () => {
    const clamp = <A extends { targets: Int32Array; classes: number; ignoreIndex: number }>(args: A): A => ({
      ...args,
      targets: args.targets.map((t) =>
        t === args.ignoreIndex ? t : Math.min(Math.max(t, 0), args.classes - 1),
      ),
    });
    const clamping: Backend = {
      ...jsBackend,
      crossEntropy: (args) => jsBackend.crossEntropy(clamp(args)),
      crossEntropyBackward: (args) => jsBackend.crossEntropyBackward(clamp(args)),
    };
    const { failed } = await runSuite(createEmulatedDeviceBackend({ kernels: clamping }));
    expect(failed).toEqual([
      'row kernels > cross-entropy of an out-of-range or negative target gives NaN loss, lse and gradient in that row (device memory)',
    ]);
  });
});
