// ws-common message objects -> the value-typing JSON convention of sync-protocol-vectors.json
// (the form our codec tool reads and writes): bigint -> {"bigint": "<decimal>"}, number value ->
// {"float64": String(n), with "-0"}, Uint8Array -> {"bytes": "<hex>"}, tuples -> named keys.
const hex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
const bytesJson = (bytes) => ({ bytes: hex(bytes) });
const bigintJson = (v) => ({ bigint: BigInt(v).toString() });
const cursorJson = ([dbVersion, seq]) => ({ db_version: bigintJson(dbVersion), seq: Number(seq) });

export function floatText(n) {
  return Object.is(n, -0) ? "-0" : String(n);
}

function valueJson(v) {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case "bigint":
      return bigintJson(v);
    case "number":
      return { float64: floatText(v) };
    case "string":
    case "boolean":
      return v;
    default:
      if (v instanceof Uint8Array) return bytesJson(v);
      throw new Error(`unsupported value ${v}`);
  }
}

function changesJson(changes) {
  return changes.map(([table, pk, cid, val, colVersion, dbVersion, siteId, cl, seq]) => ({
    table,
    pk: bytesJson(pk),
    cid,
    val: valueJson(val),
    col_version: bigintJson(colVersion),
    db_version: bigintJson(dbVersion),
    site_id: siteId == null ? null : bytesJson(siteId),
    cl: bigintJson(cl),
    seq: Number(seq),
  }));
}

// The convention JSON of msg, without the informative tag_name.
export function toConvention(msg) {
  const out = { _tag: msg._tag };
  switch (msg._tag) {
    case 1:
      out.sender = bytesJson(msg.sender);
      out.lastSeens = msg.lastSeens.map(([siteId, [dbVersion, seq]]) => ({
        site_id: bytesJson(siteId),
        db_version: bigintJson(dbVersion),
        seq: Number(seq),
      }));
      out.schemaName = msg.schemaName;
      out.schemaVersion = bigintJson(msg.schemaVersion);
      break;
    case 2:
      out.sender = bytesJson(msg.sender);
      out.since = cursorJson(msg.since);
      out.changes = changesJson(msg.changes);
      break;
    case 3:
      out.whose = bytesJson(msg.whose);
      out.since = cursorJson(msg.since);
      break;
    case 4:
      out.since = cursorJson(msg.since);
      out.excludeSites = msg.excludeSites.map(bytesJson);
      out.localOnly = msg.localOnly;
      break;
    case 5:
      out._reqid = msg._reqid;
      out.room = msg.room;
      out.schemaName = msg.schemaName;
      out.schemaVersion = bigintJson(msg.schemaVersion);
      break;
    case 6:
      out._reqid = msg._reqid;
      out.sender = bytesJson(msg.sender);
      out.changes = changesJson(msg.changes);
      out.room = msg.room;
      out.newLastSeen = cursorJson(msg.newLastSeen);
      break;
    case 7:
    case 8:
      break;
    case 9:
      out._reqid = msg._reqid;
      out.txid = bigintJson(msg.txid);
      break;
    case 10:
      out._reqid = msg._reqid;
      out.err = msg.err;
      break;
    case 11:
      out._reqid = msg._reqid;
      break;
    default:
      throw new Error(`unknown tag ${msg._tag}`);
  }
  return out;
}

// JSON.parse(JSON.stringify(x)) turns -0 into 0 for seq/_reqid; so does our tool. Compare the
// convention forms after the same normalisation.
export function normalise(json) {
  return JSON.parse(JSON.stringify(json));
}

export function withoutTagName(json) {
  const { tag_name: _ignored, ...rest } = json;
  return rest;
}

export { hex };
