// Typed SQL values shared by both engine adapters, the host protocol and the comparisons.
//
// A value is one of: null | {i: "<decimal int64>"} | {r: "<16 hex digits, IEEE-754 bits>"} |
// {s: "<text>"} | {sx: "<hex of text bytes that are not valid UTF-8>"} | {b: "<hex>"}.
// Invariant: the encoding is canonical, so two values are the same storage class and the same
// bytes exactly when valueKey() of both is equal (INTEGER 1 != REAL 1.0, 0.0 != -0.0).
// After site-id mapping a 16-byte blob that is a peer's site id is shown as {site: "<peer>"}.

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const kMinInt64 = -(2n ** 63n);
const kMaxInt64 = 2n ** 63n - 1n;

export function int(x) {
  const n = BigInt(x);
  if (n < kMinInt64 || n > kMaxInt64) throw new RangeError(`not an int64: ${x}`);
  return { i: n.toString() };
}

export function real(x) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return { r: view.getBigUint64(0).toString(16).padStart(16, '0') };
}

export function realValue(v) {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt('0x' + v.r));
  return view.getFloat64(0);
}

export function text(s) {
  return { s };
}

export function blob(bytesOrHex) {
  return { b: typeof bytesOrHex === 'string' ? bytesOrHex.toLowerCase() : toHex(bytesOrHex) };
}

export function toHex(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex) {
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`bad hex: ${hex}`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

// Bytes of a TEXT value (UTF-8) or of a BLOB value.
export function valueBytes(v) {
  if ('s' in v) return encoder.encode(v.s);
  if ('sx' in v) return fromHex(v.sx);
  if ('b' in v) return fromHex(v.b);
  throw new Error(`not a text or blob value: ${JSON.stringify(v)}`);
}

// TEXT bytes as read from an engine -> {s} when valid UTF-8, else {sx}.
export function textFromBytes(bytes) {
  try {
    return { s: strictDecoder.decode(bytes) };
  } catch {
    return { sx: toHex(bytes) };
  }
}

export function storageClass(v) {
  if (v === null) return 'null';
  if ('i' in v) return 'integer';
  if ('r' in v) return 'real';
  if ('s' in v || 'sx' in v) return 'text';
  if ('b' in v) return 'blob';
  if ('site' in v) return 'blob';
  throw new Error(`not a value: ${JSON.stringify(v)}`);
}

export function isValue(v) {
  if (v === null) return true;
  if (typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && ['i', 'r', 's', 'sx', 'b', 'site'].includes(keys[0]) &&
      typeof v[keys[0]] === 'string';
}

export function valueKey(v) {
  return JSON.stringify(v);
}

// Readable rendering for diffs: 42, 42.0r, -0.0r, 'text', x'00ff', text(x'ff'), <site p1>, NULL.
export function formatValue(v) {
  if (v === null) return 'NULL';
  if ('i' in v) return v.i;
  if ('r' in v) {
    const d = realValue(v);
    let s = Object.is(d, -0) ? '-0' : String(d);
    if (Number.isFinite(d) && !/[.e]/.test(s)) s += '.0';
    return s + 'r';
  }
  if ('s' in v) {
    const s = v.s.length > 160 ? v.s.slice(0, 157) + '...' : v.s;
    return JSON.stringify(s).replace(/^"|"$/g, "'");
  }
  if ('sx' in v) return `text(x'${v.sx}')`;
  if ('b' in v) return v.b.length > 160 ? `x'${v.b.slice(0, 157)}...'` : `x'${v.b}'`;
  if ('site' in v) return `<site ${v.site}>`;
  return JSON.stringify(v);
}

export function formatRow(row) {
  return '(' + row.map(formatValue).join(', ') + ')';
}
