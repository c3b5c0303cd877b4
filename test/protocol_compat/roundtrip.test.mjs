// Round-trip tests of crsync's sync codec against the REAL @vlcn.io/ws-common 0.2.0 codec.
//
//   1. real encode -> our Decode + Encode: bytes identical, and our decoded message equals the
//      real decode() of the same bytes (compared in the vectors' JSON convention);
//   2. our Encode -> real decode(): deep-equal to the original message, and the bytes equal
//      the real encode() of it;
//   3. mutated encodings (bit flips, truncations, insertions, ...): whenever our decoder accepts
//      bytes, the real decoder accepts them too and means the same message. (Where the real
//      decoder is more lenient, e.g. a missing final seq read as 0, we refuse on purpose.)
//
// Knobs: PROTOCOL_CODEC_TOOL (path to protocol-codec-tool; run.sh sets it), PROTOCOL_COMPAT_SEED
// (default 1), PROTOCOL_COMPAT_COUNT (messages per tag and direction, default 2000).
import assert from "node:assert/strict";
import { test } from "node:test";

import { decode, encode } from "@vlcn.io/ws-common";

import { runTool } from "./lib/codec_tool.mjs";
import { hex, normalise, toConvention, withoutTagName } from "./lib/convention.mjs";
import { MessageGenerator, TAGS } from "./lib/random_messages.mjs";
import { Rng } from "./lib/rng.mjs";

const SEED = Number(process.env.PROTOCOL_COMPAT_SEED ?? 1);
const COUNT = Number(process.env.PROTOCOL_COMPAT_COUNT ?? 2000);

const fromHex = (text) => new Uint8Array(Buffer.from(text, "hex"));

function generate(seed, options) {
  const gen = new MessageGenerator(seed, options);
  const out = [];
  for (const [name, tag] of Object.entries(TAGS)) {
    for (let i = 0; i < COUNT; i++) out.push({ name, message: gen.message(tag) });
  }
  return out;
}

function tryRealDecode(bytes) {
  try {
    return { ok: true, message: decode(bytes) };
  } catch (e) {
    return { ok: false, error: String(e) };
  }
}

test(`real encode -> our decode+encode is byte-identical (${COUNT} per tag, seed ${SEED})`, () => {
  const cases = generate(SEED, { loneSurrogates: true });
  const encoded = cases.map(({ message }) => encode(message));
  const replies = runTool(encoded.map((bytes) => `decode ${hex(bytes)}`));
  const perTag = {};
  replies.forEach((reply, i) => {
    const { name } = cases[i];
    const context = `${name} #${i}: ${hex(encoded[i])}`;
    assert.ok(reply.ok, `${context}: our decoder refused: ${reply.error}`);
    assert.equal(reply.hex, hex(encoded[i]), `${context}: re-encoding differs`);
    assert.equal(reply.trailing, 0, context);
    const expected = normalise(toConvention(decode(encoded[i])));
    assert.deepStrictEqual(withoutTagName(reply.message), expected, context);
    perTag[name] = (perTag[name] ?? 0) + 1;
  });
  assert.equal(replies.length, cases.length);
  console.log(`forward: ${replies.length} messages identical: ${JSON.stringify(perTag)}`);
});

const REVERSE = `our encode -> real decode gives the original (${COUNT} per tag, seed ${SEED + 1})`;
test(REVERSE, () => {
  const cases = generate(SEED + 1, { loneSurrogates: false, canonicalNaN: true });
  const replies = runTool(
    cases.map(({ message }) => `encode ${JSON.stringify(toConvention(message))}`),
  );
  replies.forEach((reply, i) => {
    const { name, message } = cases[i];
    const context = `${name} #${i}`;
    assert.ok(reply.ok, `${context}: our tool refused: ${reply.error}`);
    assert.ok(reply.valid, `${context}: Validate() refused a message ws-common can encode`);
    assert.equal(reply.hex, hex(encode(message)), `${context}: bytes differ from real encode()`);
    assert.deepStrictEqual(decode(fromHex(reply.hex)), message, context);
  });
  console.log(`reverse: ${replies.length} messages decoded by ws-common to the original`);
});

function mutate(rng, bytes) {
  const b = Array.from(bytes);
  const edits = 1 + rng.below(3);
  for (let e = 0; e < edits; e++) {
    const at = rng.below(b.length + 1);
    switch (rng.below(7)) {
      case 0:
        if (b.length > 0) b[at % b.length] ^= 1 << rng.below(8);
        break;
      case 1:
        if (b.length > 0) b[at % b.length] = rng.below(256);
        break;
      case 2:
        b.length = at; // truncate
        break;
      case 3:
        b.splice(at, 0, rng.below(256));
        break;
      case 4:
        b.splice(at, 1);
        break;
      case 5:
        for (let k = rng.below(4); k >= 0; k--) b.push(rng.below(256));
        break;
      default:
        if (b.length > 0) b[at % b.length] = rng.pick([0x00, 0x01, 0x05, 0x7f, 0x80, 0xff]);
    }
  }
  return new Uint8Array(b);
}

const MUTATED = `mutated bytes: what we accept, ws-common accepts alike (seed ${SEED + 2})`;
test(MUTATED, () => {
  const rng = new Rng(SEED + 2);
  const base = generate(SEED + 2, { loneSurrogates: false }).map(({ message }) => encode(message));
  const inputs = base.map((bytes) => mutate(rng, bytes));
  const replies = runTool(inputs.map((bytes) => `decode ${hex(bytes)}`));
  const stats = { bothAccept: 0, bothRefuse: 0, onlyRealAccepts: 0, notTriedHugeCount: 0 };
  const reasons = {};
  replies.forEach((reply, i) => {
    const context = `input ${hex(inputs[i])}`;
    if (reply.ok) {
      const real = tryRealDecode(inputs[i]);
      assert.ok(real.ok, `${context}: we accept, ws-common throws ${real.error}`);
      assert.deepStrictEqual(
        withoutTagName(reply.message),
        normalise(toConvention(real.message)),
        `${context}: we decode a different message`,
      );
      stats.bothAccept++;
      return;
    }
    // ws-common materialises `count` array slots before reading any entry, so a huge count can
    // take it minutes and gigabytes; only ask it about inputs we did not refuse for their count.
    if (/count/.test(reply.error)) {
      stats.notTriedHugeCount++;
      return;
    }
    const real = tryRealDecode(inputs[i]);
    if (real.ok) {
      stats.onlyRealAccepts++;
      const reason = reply.error.replace(/[0-9]+/g, "N").replace(/^[A-Za-z]+: /, "");
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    } else {
      stats.bothRefuse++;
    }
  });
  console.log(`mutations: ${inputs.length} inputs: ${JSON.stringify(stats)}`);
  const top = Object.entries(reasons).sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`where only ws-common accepts, our reasons: ${JSON.stringify(top)}`);
  assert.ok(stats.bothAccept > 0 && stats.bothRefuse > 0);
});

test("the golden vectors' hex decodes identically in both codecs", async () => {
  const { readFile } = await import("node:fs/promises");
  const { fileURLToPath } = await import("node:url");
  const specDir =
    process.env.CRSYNC_SHARED_SPEC_DIR ??
    fileURLToPath(new URL("../../../shared/spec/", import.meta.url));
  const vectors = JSON.parse(await readFile(`${specDir}/sync-protocol-vectors.json`, "utf8"));
  const replies = runTool(vectors.map((v) => `decode ${v.hex}`));
  replies.forEach((reply, i) => {
    const v = vectors[i];
    assert.ok(reply.ok, `${v.name}: ${reply.error}`);
    assert.equal(reply.hex, v.hex, v.name);
    assert.equal(hex(encode(decode(fromHex(v.hex)))), v.hex, `${v.name}: real round trip`);
    assert.deepStrictEqual(reply.message, v.message, v.name);
  });
  console.log(`golden: ${vectors.length} vectors`);
});
