import { matmul, randn } from '@proj/tensor';
import { printTable, timeMs } from './report.js';

/** Float32 matmul GFLOP/s of @proj/tensor (peers are added by the matmul benchmark issue). */
export async function run(): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const n of [64, 128, 256]) {
    const a = randn([n, n]);
    const b = randn([n, n]);
    const ms = timeMs(() => matmul(a, b));
    rows.push([`${n}x${n}x${n}`, ((2 * n * n * n) / ms / 1e6).toFixed(2)]);
  }
  printTable('float32 matmul GFLOP/s', ['shape', '@proj/tensor'], rows);
}
