// A protocol-level test client over a raw `ws` socket, with the real @vlcn.io/ws-common codec:
// connect with the room/token subprotocol exactly as ws-client builds it, send arbitrary frames
// (valid messages or garbage), and observe what comes back: decoded messages, the close code and
// reason, or an HTTP refusal of the upgrade. Every wait is bounded.

import { decode, encode, tags } from '@vlcn.io/ws-common';
import WebSocket from 'ws';

// The Sec-WebSocket-Protocol value of ws-client 0.2.0 (sync-protocol.md §1.2).
export function subprotocolFor(room, token) {
  const plain = `${token != null ? `auth=${token},` : ''}room=${room}`;
  return Buffer.from(plain, 'latin1').toString('base64').replaceAll('=', '');
}

export class RawClient {
  // Resolves once the socket is open, or with `refused` set when the upgrade failed
  // (refused = {status} for an HTTP answer, {error} otherwise). protocol overrides the header
  // (null: send none).
  static connect(url, { room, token, protocol, maxPayload, timeoutMs = 5000 } = {}) {
    const proto = protocol === undefined ? subprotocolFor(room, token) : protocol;
    const ws = new WebSocket(url, proto === null ? [] : [proto], {
      handshakeTimeout: timeoutMs,
      maxPayload: maxPayload ?? 256 * 1024 * 1024,
    });
    const client = new RawClient(ws);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        client.refused = { error: 'connect timeout' };
        ws.terminate();
        resolve(client);
      }, timeoutMs + 1000);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(client);
      });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => {
          client.refused = { status: res.statusCode, body };
          resolve(client);
        });
        res.on('error', () => {
          client.refused = { status: res.statusCode, body };
          resolve(client);
        });
        ws.terminate();
      });
      ws.once('error', (e) => {
        clearTimeout(timer);
        if (!client.refused) client.refused = { error: e.message };
        resolve(client);
      });
    });
  }

  constructor(ws) {
    this.ws = ws;
    this.refused = null;
    this.messages = [];       // decoded messages, in order
    this.undecodable = [];    // frames ws-common could not decode
    this.closed = null;       // {code, reason}
    this.waiters_ = new Set();
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data, isBinary) => {
      const bytes = new Uint8Array(data);
      try {
        this.messages.push({ msg: decode(bytes), isBinary, at: performance.now() });
      } catch (e) {
        this.undecodable.push({ bytes, error: e.message });
      }
      this.wake_();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake_();
    });
    ws.on('error', () => {});
  }

  get open() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  sendBytes(bytes) {
    this.ws.send(bytes, { binary: true });
  }

  send(msg) {
    this.sendBytes(encode(msg));
  }

  announce({ sender, lastSeens = [], schemaName, schemaVersion }) {
    this.send({ _tag: tags.AnnouncePresence, sender, lastSeens, schemaName, schemaVersion });
  }

  messagesOf(tag) {
    return this.messages.filter((m) => m.msg._tag === tag).map((m) => m.msg);
  }

  // Waits until predicate(this) is true; returns false on timeout.
  async waitUntil(predicate, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters_.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  waitForClose(timeoutMs = 5000) {
    return this.waitUntil((c) => c.closed !== null, timeoutMs);
  }

  waitForTag(tag, count = 1, timeoutMs = 5000) {
    return this.waitUntil((c) => c.messagesOf(tag).length >= count, timeoutMs);
  }

  // Waits until no message arrived for quietMs (bounded by timeoutMs overall).
  async waitForQuiet(quietMs = 300, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    let seen = -1;
    while (Date.now() < deadline) {
      if (this.messages.length === seen) return true;
      seen = this.messages.length;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
    return false;
  }

  close(code = 1000) {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code);
    }
  }

  terminate() {
    this.ws.terminate();
  }

  wake_() {
    const waiters = [...this.waiters_];
    this.waiters_.clear();
    for (const w of waiters) w();
  }
}

export { tags };
