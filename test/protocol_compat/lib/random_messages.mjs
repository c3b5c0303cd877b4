// Random ws-common messages (the JavaScript shapes @vlcn.io/ws-common 0.2.0 encodes and decodes)
// for every tag, with sizes bounded so a run stays fast. Values cover the edges that matter on
// the wire: full-range BigInt64, seq/_reqid up to +-(2^53 - 1), every Float64 class (including
// -0, NaN payloads and infinities), strings with astral characters, NUL and BOM, lengths and
// counts that need multi-byte varuints, present and absent change site ids.
import { Rng } from "./rng.mjs";

export const TAGS = {
  AnnouncePresence: 1,
  Changes: 2,
  RejectChanges: 3,
  StartStreaming: 4,
  CreateDbOnPrimary: 5,
  ApplyChangesOnPrimary: 6,
  Ping: 7,
  Pong: 8,
  CreateDbOnPrimaryResponse: 9,
  Err: 10,
  ApplyChangesOnPrimaryResponse: 11,
};

const MAX_SAFE = 2 ** 53 - 1;
const BIGINT_EDGES = [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -(2n ** 53n)];
const FLOAT_EDGES = [0, -0, NaN, Infinity, -Infinity, 0.1, 1.5, 5, 2 ** 53, -(2 ** 53), 1e21,
  1e-7, Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE];
const SAFE_EDGES = [0, 1, -1, 63, 64, -64, 127, 128, 8191, 8192, 2 ** 31, -(2 ** 31), MAX_SAFE,
  -MAX_SAFE];

export class MessageGenerator {
  // loneSurrogates: allow unpaired UTF-16 surrogates in strings (TextEncoder writes them as
  // U+FFFD, so such messages do not survive encode/decode unchanged in JavaScript either).
  // canonicalNaN: every NaN is the one V8 writes for the NaN literal (7ff8000000000000); the
  // JSON convention can only say "NaN", so messages sent to our encoder as JSON need this.
  constructor(seed, { loneSurrogates = false, canonicalNaN = false } = {}) {
    this.rng = new Rng(seed);
    this.loneSurrogates = loneSurrogates;
    this.canonicalNaN = canonicalNaN;
  }

  message(tag) {
    const r = this.rng;
    switch (tag) {
      case TAGS.AnnouncePresence:
        return {
          _tag: tag,
          sender: this.siteId(),
          lastSeens: this.list(5, 130, () => [this.siteId(), this.cursor()]),
          schemaName: this.string(),
          schemaVersion: this.bigint(),
        };
      case TAGS.Changes:
        return { _tag: tag, sender: this.siteId(), since: this.cursor(), changes: this.changes() };
      case TAGS.RejectChanges:
        return { _tag: tag, whose: this.siteId(), since: this.cursor() };
      case TAGS.StartStreaming:
        return {
          _tag: tag,
          since: this.cursor(),
          excludeSites: this.list(4, 130, () => this.siteId()),
          localOnly: r.chance(0.5),
        };
      case TAGS.CreateDbOnPrimary:
        return {
          _tag: tag,
          _reqid: this.safeInt(),
          room: this.string(),
          schemaName: this.string(),
          schemaVersion: this.bigint(),
        };
      case TAGS.ApplyChangesOnPrimary:
        return {
          _tag: tag,
          _reqid: this.safeInt(),
          sender: this.siteId(),
          changes: this.changes(),
          room: this.string(),
          newLastSeen: this.cursor(),
        };
      case TAGS.Ping:
      case TAGS.Pong:
        return { _tag: tag };
      case TAGS.CreateDbOnPrimaryResponse:
        return { _tag: tag, _reqid: this.safeInt(), txid: this.bigint() };
      case TAGS.Err:
        return { _tag: tag, _reqid: this.safeInt(), err: this.string() };
      case TAGS.ApplyChangesOnPrimaryResponse:
        return { _tag: tag, _reqid: this.safeInt() };
      default:
        throw new Error(`no generator for tag ${tag}`);
    }
  }

  // Usually 0..small entries; now and then `big` (a two-byte varuint count).
  list(small, big, make) {
    const n = this.rng.chance(0.02) ? big : this.rng.below(small + 1);
    return Array.from({ length: n }, make);
  }

  siteId() {
    return this.rng.bytes(16);
  }

  bigint() {
    if (this.rng.chance(0.25)) return this.rng.pick(BIGINT_EDGES);
    const v = BigInt.asIntN(64, this.rng.u64());
    return v >> BigInt(this.rng.below(64)); // spread magnitudes
  }

  // An integer in [-(2^53 - 1), 2^53 - 1], biased towards small magnitudes. Never -0.
  safeInt() {
    if (this.rng.chance(0.2)) return this.rng.pick(SAFE_EDGES);
    const bits = this.rng.below(54);
    const magnitude = Number(this.rng.u64() & ((1n << BigInt(bits)) - 1n));
    return magnitude !== 0 && this.rng.chance(0.3) ? -magnitude : magnitude;
  }

  cursor() {
    return [this.bigint(), this.safeInt()];
  }

  float() {
    if (this.rng.chance(0.3)) return this.rng.pick(FLOAT_EDGES);
    if (this.rng.chance(0.3)) return this.safeInt();
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, this.rng.u64());
    const n = view.getFloat64(0); // random bits: NaNs keep their payload through V8's DataView
    return this.canonicalNaN && Number.isNaN(n) ? NaN : n;
  }

  string() {
    const r = this.rng;
    const length = r.chance(0.03) ? 100 + r.below(200) : r.below(12);
    let s = "";
    for (let i = 0; i < length; i++) {
      switch (r.below(this.loneSurrogates ? 9 : 8)) {
        case 0:
        case 1:
        case 2:
          s += String.fromCharCode(0x20 + r.below(0x5f)); // printable ASCII
          break;
        case 3:
          s += String.fromCharCode(r.below(0x20)); // controls, NUL
          break;
        case 4:
          s += String.fromCharCode(0x80 + r.below(0x780)); // 2-byte UTF-8
          break;
        case 5: {
          let u = 0x800 + r.below(0x10000 - 0x800); // 3-byte UTF-8, no surrogates
          if (u >= 0xd800 && u <= 0xdfff) u = 0xfeff; // BOM instead
          s += String.fromCharCode(u);
          break;
        }
        case 6:
          s += String.fromCodePoint(0x10000 + r.below(0x100000)); // astral: a surrogate pair
          break;
        case 7:
          s += r.pick(["\ufeff", "\u0000", "é", "€", "😀", "日本", "-1", "todo"]);
          break;
        default:
          s += String.fromCharCode(0xd800 + r.below(0x800)); // a lone surrogate
      }
    }
    return s;
  }

  value() {
    const r = this.rng;
    switch (r.below(6)) {
      case 0:
        return null;
      case 1:
        return this.bigint();
      case 2:
        return this.float();
      case 3:
        return this.string();
      case 4:
        return r.chance(0.5);
      default:
        return r.bytes(r.chance(0.03) ? 200 : r.below(24));
    }
  }

  changes() {
    const r = this.rng;
    return this.list(6, 150, () => [
      this.string(), // table
      r.bytes(r.below(20)), // pk
      this.string(), // cid
      this.value(),
      this.bigint(), // col_version
      this.bigint(), // db_version
      r.chance(0.3) ? this.siteId() : null,
      this.bigint(), // cl
      this.safeInt(), // seq
    ]);
  }
}
