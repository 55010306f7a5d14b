// scratch: an emulated device backend over jsBackend to find host-only paths
import { jsBackend } from './backend/js/index.js';
import type { DeviceStorage } from './backend/memory.js';
import { registerBackend, setBackend } from './backend/registry.js';
import type { DType, TypedArray } from './dtype.js';

class Box implements DeviceStorage {
  readonly backend = 'emu';
  constructor(
    readonly dtype: DType,
    readonly a: TypedArray,
  ) {}
  get length() {
    return this.a.length;
  }
}
const un = (x: any): any =>
  x instanceof Box
    ? x.a
    : x && typeof x === 'object' && !ArrayBuffer.isView(x)
      ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, un(v)]))
      : x;
const dtypeOf = (a: TypedArray): DType =>
  a instanceof Float32Array
    ? 'float32'
    : a instanceof Int32Array
      ? 'int32'
      : a instanceof Uint8Array
        ? 'bool'
        : 'float64';
const emu: any = {
  name: 'emu',
  memory: 'device',
  dtypes: ['float32', 'int32', 'bool'],
  alloc: (d: DType, n: number) => {
    if (d === 'float64') throw new Error('emu: float64');
    return new Box(d, jsBackend.alloc(d, n));
  },
  upload: (v: TypedArray) => {
    if (v instanceof Float64Array) throw new Error('emu: float64 upload');
    return new Box(dtypeOf(v), v.slice());
  },
  readAsync: async (s: Box) => s.a.slice(),
};
for (const [k, f] of Object.entries(jsBackend))
  if (typeof f === 'function' && !(k in emu) && k !== 'packLinear')
    emu[k] = (...args: any[]) => (f as any)(...args.map(un));
registerBackend(emu);
export const useEmu = () => setBackend('emu');
