const N = 624;
const M = 397;

/**
 * The 32-bit Mersenne Twister (Matsumoto & Nishimura, 1998) as `std::mt19937`, PyTorch's
 * `at::mt19937` and NumPy's legacy `RandomState`: seeded with the standard `init_genrand`
 * recurrence from a 32-bit seed, tempered outputs.
 */
export class MT19937 {
  /** The 624 state words. */
  readonly words = new Uint32Array(N);
  /** Index of the next word to temper; 624 means the state is regenerated first. */
  index = N;

  constructor(seed = 5489) {
    this.seed(seed);
  }

  /** `init_genrand` from the low 32 bits of `seed` (two's complement for negative seeds). */
  seed(seed: number): void {
    const s = this.words;
    s[0] = seed >>> 0;
    for (let j = 1; j < N; j++) {
      const prev = s[j - 1]!;
      s[j] = Math.imul(1812433253, prev ^ (prev >>> 30)) + j;
    }
    this.index = N;
  }

  /** The next tempered 32-bit word. */
  next(): number {
    if (this.index >= N) this.twist();
    let y = this.words[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Regenerates all 624 words. */
  private twist(): void {
    const s = this.words;
    for (let i = 0; i < N; i++) {
      const y = (s[i]! & 0x80000000) | (s[(i + 1) % N]! & 0x7fffffff);
      s[i] = s[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }
}
