/**
 * A growable buffer of token ids. Encoders append here and `BaseTokenizer` turns it into the
 * returned `number[]` once: pushing millions of ids onto a plain array one by one costs several
 * times more than filling a typed array and copying it into a pre-sized one.
 */
export class IdBuffer {
  /** The ids are `data[0, length)`. */
  data: Int32Array = new Int32Array(1024);
  length = 0;

  /** Appends one id. */
  push(id: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = id;
  }

  /** Makes room for `extra` more ids. */
  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < this.length + extra) cap *= 2;
    const grown = new Int32Array(cap);
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }

  /** The ids as a plain array; the buffer is emptied for reuse. */
  take(): number[] {
    const n = this.length;
    const out = new Array<number>(n).fill(0);
    const data = this.data;
    for (let i = 0; i < n; i++) out[i] = data[i]!;
    this.length = 0;
    if (data.length > 1 << 16 && n < data.length >> 4) this.data = new Int32Array(1024);
    return out;
  }
}
