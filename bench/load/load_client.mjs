// One protocol-level load client: a raw `ws` socket speaking the vlcn sync protocol with the real
// @vlcn.io/ws-common codec, like a browser tab would: announce, wait for StartStreaming, then send
// single-row transactions (one Changes message per transaction, one db_version each, `since`
// chained, a packed pk per row, col_version/cl 1, site_id NULL on the wire).
//
// Receiving: every Changes message's header is read to count rows (an INSERT is 3 cells); an
// "observer" also decodes each message fully with ws-common and records, per row, the delay
// between its send time (carried in the row's text) and its arrival. Non-observers skip the full
// decode so that the benchmark process, not the server, is not what gets measured.

import crypto from 'node:crypto';

import { decode, encode, tags } from '@vlcn.io/ws-common';
import WebSocket from 'ws';

import { todoInsertChanges } from '../../test/interop/lib/changes.mjs';

const kCellsPerRow = 3;

export function subprotocolFor(room) {
  return Buffer.from(`room=${room}`, 'latin1').toString('base64').replaceAll('=', '');
}

// Reads the change count of a Changes frame without decoding the changes: tag, 16-byte sender,
// BigInt64 db_version, lib0 varint seq, varuint count.
function changesCount(bytes) {
  let at = 1 + 16 + 8;
  while (bytes[at] & 0x80) ++at;  // varint seq
  ++at;
  let count = 0;
  let shift = 1;
  for (;;) {
    const b = bytes[at++];
    count += (b & 0x7f) * shift;
    if (!(b & 0x80)) return count;
    shift *= 128;
  }
}

export class LoadClient {
  constructor({ url, room, index, schemaName, schemaVersion, observer = false }) {
    this.url = url;
    this.room = room;
    this.index = index;
    this.schemaName = schemaName;
    this.schemaVersion = schemaVersion;
    this.observer = observer;
    this.siteId = new Uint8Array(crypto.randomBytes(16));
    this.dbVersion = 0;
    this.cellsReceived = 0;
    this.latenciesMs = [];  // observer only: per received row
    this.rejects = 0;       // RejectChanges received (reference D9)
    this.closed = null;
    this.onProgress = null;
  }

  get rowsReceived() {
    return Math.floor(this.cellsReceived / kCellsPerRow);
  }

  // Connects and announces; resolves after StartStreaming (rejects after timeoutMs).
  open(timeoutMs = 30000) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, [subprotocolFor(this.room)], {
        handshakeTimeout: timeoutMs, perMessageDeflate: false,
      });
      this.ws = ws;
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`client ${this.index}: no StartStreaming within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.on('open', () => {
        ws.send(encode({ _tag: tags.AnnouncePresence, sender: this.siteId, lastSeens: [],
                         schemaName: this.schemaName, schemaVersion: this.schemaVersion }));
      });
      ws.on('message', (data) => {
        const bytes = data instanceof Buffer ? data : Buffer.concat(data);
        const tag = bytes[0];
        if (tag === tags.StartStreaming) {
          clearTimeout(timer);
          resolve(this);
        } else if (tag === tags.Changes) {
          this.receiveChanges_(bytes);
        } else if (tag === tags.RejectChanges) {
          ++this.rejects;
        }
      });
      ws.on('close', (code, reason) => {
        clearTimeout(timer);
        this.closed = { code, reason: reason.toString() };
        reject(new Error(`client ${this.index}: closed ${code} ${reason}`));
      });
      ws.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  // One transaction = one row = one Changes message; the row's text carries the send time.
  sendRow(rowIndex) {
    const since = [BigInt(this.dbVersion), 0];
    this.dbVersion += 1;
    const id = `c${this.index}-r${rowIndex}`;
    const changes = todoInsertChanges(id, {
      text: `${performance.now().toFixed(3)} row ${rowIndex} of client ${this.index}`,
      completed: rowIndex % 2,
      list: `list-${this.index % 8}`,
    }, this.dbVersion);
    this.ws.send(encode({ _tag: tags.Changes, sender: this.siteId, since, changes }));
  }

  close() {
    this.ws?.removeAllListeners('close');
    this.ws?.on('close', () => {});
    this.ws?.close();
  }

  terminate() {
    this.ws?.removeAllListeners('close');
    this.ws?.on('close', () => {});
    this.ws?.terminate();
  }

  receiveChanges_(bytes) {
    if (this.observer) {
      const now = performance.now();
      const msg = decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
      for (const c of msg.changes) {
        if (c[2] === 'text' && typeof c[3] === 'string') {
          this.latenciesMs.push(now - Number.parseFloat(c[3]));
        }
      }
      this.cellsReceived += msg.changes.length;
    } else {
      this.cellsReceived += changesCount(bytes);
    }
    if (this.onProgress) this.onProgress(this);
  }
}
