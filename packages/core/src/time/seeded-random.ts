/** A source of randomness that can be injected; `SeededRandom` is the deterministic one. */
export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
  bytes(n: number): Uint8Array;
}

const TWO_POW_32 = 4_294_967_296;

/**
 * sfc32 (Chris Doty-Humphrey's small fast counter), seeded through splitmix32 so that
 * nearby seeds (1, 2, 3…) still start from unrelated states. 32-bit integer arithmetic
 * only, so the sequence is identical on every JS engine: backtests repeat bit for bit.
 */
export class SeededRandom implements RandomSource {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = splitmix();
    this.#b = splitmix();
    this.#c = splitmix();
    this.#d = splitmix();
    // The first outputs of sfc32 are still correlated with the seed; its author discards 12.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  bytes(n: number): Uint8Array {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`byte count must be a non-negative integer, got ${n}`);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      let word = this.nextUint32();
      for (let j = i; j < Math.min(i + 4, n); j++) {
        out[j] = word & 0xff;
        word >>>= 8;
      }
    }
    return out;
  }
}
