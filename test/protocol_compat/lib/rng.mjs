// Seeded pseudo-random numbers for the round-trip test: Marsaglia's xorshift32, plus helpers.
// Deterministic for a given seed so a failure can be replayed with PROTOCOL_COMPAT_SEED.
export class Rng {
  constructor(seed) {
    this.state = (seed >>> 0) || 0x9e3779b9;
    for (let i = 0; i < 8; i++) this.u32(); // decorrelate small seeds
  }

  u32() {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  // Integer in [0, n), n <= 2^32.
  below(n) {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  chance(p) {
    return this.u32() / 4294967296 < p;
  }

  pick(list) {
    return list[this.below(list.length)];
  }

  bytes(n) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }

  u64() {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
}
