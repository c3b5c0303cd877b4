// Runs the REAL @vlcn.io/ws-client 0.2.0 in Node: its own SyncedDB, streams and
// WebSocketTransport (with the `ws` package as the global WebSocket), over a ClientDb.
// Exceptions the client throws from socket listeners or leaves as rejected promises (it does both
// by design, e.g. "Unexpected event: 3") are recorded in clientErrors instead of crashing the test
// process.

import { createSyncedDB, defaultConfig } from '@vlcn.io/ws-client';
import WebSocket from 'ws';

import { recordClientError } from './client_db.mjs';

// ws's WebSocket, but a listener that throws is recorded instead of raising an uncaught exception.
// A browser reports a failed connect as an `error` event; ws would throw it when no listener is
// attached through .on(), so one is (ws-client itself only listens for close via readyState).
class GuardedWebSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    this.on('error', () => {});
  }

  addEventListener(type, listener, options) {
    const guarded = (...args) => {
      try {
        const r = listener.apply(this, args);
        if (r && typeof r.catch === 'function') r.catch(recordClientError);
      } catch (e) {
        recordClientError(e);
      }
    };
    return super.addEventListener(type, guarded, options);
  }
}

if (globalThis.WebSocket !== GuardedWebSocket) globalThis.WebSocket = GuardedWebSocket;

// Replaces transport.<name> (a callback property ws-client assigns) by an accessor that stores a
// wrapped callback whose rejections are recorded.
function guardCallbackProperty(transport, name) {
  let value = transport[name];
  Object.defineProperty(transport, name, {
    configurable: true,
    get: () => value,
    set: (fn) => {
      value = fn == null ? fn : (...args) => {
        try {
          return Promise.resolve(fn(...args)).catch(recordClientError);
        } catch (e) {
          recordClientError(e);
          return undefined;
        }
      };
    },
  });
}

// One ws-client session for `clientDb` in `room` at `url` (e.g. ws://127.0.0.1:P/sync).
export async function startSync(clientDb, { url, room, authToken }) {
  const config = {
    dbProvider: async () => clientDb.adapter(),
    transportProvider: (options) => {
      const transport = defaultConfig.transportProvider(options);
      for (const name of ['onChangesReceived', 'onStartStreaming', 'onResetStream']) {
        guardCallbackProperty(transport, name);
      }
      return transport;
    },
  };
  const synced = await createSyncedDB(config, 'interop', { url, room, authToken });
  await synced.start();
  return synced;
}
