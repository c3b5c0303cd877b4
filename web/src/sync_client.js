// SyncClient: one sync connection of the database owner (the leader Worker) to a server room.
// It owns the browser WebSocket, reconnects with backoff, and reports a status; the protocol
// is the C++ sync::Session (web/cpp/sync_exports.cpp), which this class feeds with the socket's
// events. Statuses: 'connecting', 'syncing', 'up-to-date', 'offline', 'error' (with a detail).
//
// 'up-to-date' is the native client's rule, evaluated in C++ (crsync_sync_tick, every TICK_MS
// while streaming): our outbound stream is empty and acknowledged by a Pong, and the server has
// been quiet for a moment. A session the server refuses (schema mismatch, bad token,
// 1008) reports 'error' with the reason and retries slowly; a lost or failed connection reports
// 'offline' and retries with backoff from 250 ms up to 10 s (at once when the browser reports
// it is online again).
const TICK_MS = 40;
const DRAIN_POLL_MS = 20;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10000;
const RETRY_AFTER_ERROR_MS = 5000;

let nextSocketId = 1;

// Browsers may only send 1000 or 3000-4999 in a close frame: other codes move to 4xxx.
function sendableCloseCode(code) {
  if (code === 1000 || (code >= 3000 && code <= 4999)) return code;
  return code >= 1000 && code < 2000 ? 4000 + (code - 1000) : 4011;
}

export class SyncClient {
  // owner: DbOwner (engine, db, host, gate); onStatus(status, detail) is called on changes.
  constructor(owner, { url, room, token }, onStatus) {
    this.owner = owner;
    this.url = url;
    this.room = room;
    this.token = token ?? null;
    this.onStatus = onStatus;
    this.status = null;
    this.detail = null;
    this.stopped = false;
    this.ws = null;
    this.socketId = 0;
    this.streaming = false;
    this.retryMs = RETRY_MIN_MS;
    this.retryTimer = null;
    this.tickTimer = null;
    this.drainTimer = null;
    this.sessionError = null;
    this.onOnline = () => this.reconnectNow();
    self.addEventListener('online', this.onOnline);
  }

  setStatus(status, detail = null) {
    if (status === this.status && detail === this.detail) return;
    this.status = status;
    this.detail = detail;
    this.onStatus(status, detail);
  }

  start() {
    this.connect();
  }

  connect() {
    if (this.stopped) return;
    this.retryTimer = null;
    let protocol;
    try {
      protocol = this.owner.engine.subprotocol(this.room, this.token);
    } catch (error) {
      this.setStatus('error', `invalid room or token: ${error.message}`);
      return; // retrying cannot help
    }
    this.setStatus('connecting');
    this.streaming = false;
    this.sessionError = null;
    const socketId = nextSocketId++;
    let ws;
    try {
      ws = new WebSocket(this.url, [protocol]);
    } catch (error) {
      this.setStatus('error', `cannot open ${this.url}: ${error.message}`);
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.socketId = socketId;
    this.owner.host.sockets.set(socketId, this);
    ws.onopen = () => {
      this.owner.gate(() => {
        if (this.ws !== ws) return;
        const error = this.owner.engine.syncStart(this.owner.db, socketId);
        if (error) this.sessionError = error;
      });
    };
    ws.onmessage = (event) => {
      const bytes = new Uint8Array(event.data instanceof ArrayBuffer ? event.data : []);
      this.owner.gate(() => {
        this.owner.engine.syncMessage(socketId, bytes);
        this.owner.afterSyncApply();
      });
    };
    ws.onclose = (event) => {
      this.owner.gate(() => {
        this.owner.engine.syncTransportClosed(socketId, event.code, event.reason);
      });
      this.owner.gate(() => this.afterClose(ws, event));
    };
  }

  afterClose(ws, event) {
    this.owner.host.sockets.delete(this.socketId);
    if (this.ws !== ws) return;
    this.ws = null;
    this.streaming = false;
    clearInterval(this.tickTimer);
    clearInterval(this.drainTimer);
    this.drainTimer = null;
    if (this.stopped) {
      this.setStatus('offline');
      return;
    }
    let delay;
    if (this.sessionError) {
      this.setStatus('error', this.sessionError);
      delay = RETRY_AFTER_ERROR_MS;
    } else {
      this.setStatus('offline', event.reason || `connection closed (${event.code})`);
      delay = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    }
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.stopped || this.ws || !this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryMs = RETRY_MIN_MS;
    this.connect();
  }

  // Local writes were made: the session pulls and sends them.
  noteLocalChange() {
    if (this.streaming) this.tick();
  }

  tick() {
    const socketId = this.socketId;
    this.owner.gate(() => {
      if (!this.streaming || this.socketId !== socketId) return;
      this.setStatus(this.owner.engine.syncTick(socketId) ? "up-to-date" : "syncing");
    });
  }

  stop() {
    this.stopped = true;
    self.removeEventListener('online', this.onOnline);
    clearTimeout(this.retryTimer);
    clearInterval(this.tickTimer);
    if (this.ws) {
      const ws = this.ws;
      this.owner.gate(() => {
        this.owner.engine.syncStop(this.socketId);
        if (ws.readyState === WebSocket.CONNECTING) ws.close();
      });
    } else {
      this.setStatus('offline');
    }
  }

  // ---- called by the C++ side through Host ----------------------------------------------
  send(bytes) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(bytes);
    if (this.ws.bufferedAmount > 0 && !this.drainTimer) {
      const socketId = this.socketId;
      this.drainTimer = setInterval(() => {
        if (this.ws && this.ws.bufferedAmount > 0) return;
        clearInterval(this.drainTimer);
        this.drainTimer = null;
        this.owner.gate(() => this.owner.engine.syncDrained(socketId));
      }, DRAIN_POLL_MS);
    }
    return true;
  }

  buffered() {
    return this.ws ? this.ws.bufferedAmount : 0;
  }

  closeSocket(code, reason) {
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) {
      this.ws.close(sendableCloseCode(code), reason);
    }
  }

  onSessionEvent(kind, code, text) {
    if (kind === 'streaming') {
      this.streaming = true;
      this.retryMs = RETRY_MIN_MS;
      this.setStatus('syncing');
      clearInterval(this.tickTimer);
      this.tickTimer = setInterval(() => this.tick(), TICK_MS);
    } else if (kind === 'closed' && code !== 0) {
      this.sessionError = text;
    }
  }
}
