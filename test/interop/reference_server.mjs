#!/usr/bin/env node
// Runs the REAL @vlcn.io/ws-server 0.2.3 with the command line of crsync-server, so that the
// interop tests and the load benchmark start either server the same way:
//   node reference_server.mjs --port 0 --port-file FILE [--host 127.0.0.1] [--path /sync]
//        --schema-folder DIR [--db-folder DIR] [--log-level warn]
// Room databases are served by the real cr-sqlite wasm engine (lib/reference_room_db.mjs) in
// memory; --db-folder is accepted and ignored. --path becomes ws-server's unanchored pathPattern.
// Serves GET /healthz (200). ws-server's winston logger prints one line per message at "info";
// the default here is "warn" so that console output does not dominate the load benchmark.
// SIGTERM/SIGINT: close the listener and every socket, then exit 0.

import fs from 'node:fs';
import http from 'node:http';

import { logger } from '@vlcn.io/logger-provider';
import { attachWebsocketServer } from '@vlcn.io/ws-server';

import { ReferenceDbFactory } from './lib/reference_room_db.mjs';

function parseArgs(argv) {
  const opts = { port: 0, host: '127.0.0.1', path: '/sync', portFile: '', schemaFolder: '',
                 logLevel: 'warn' };
  const names = { '--port': 'port', '--host': 'host', '--path': 'path', '--port-file': 'portFile',
                  '--schema-folder': 'schemaFolder', '--db-folder': 'dbFolder',
                  '--log-level': 'logLevel' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || i + 1 >= argv.length) {
      throw new Error(`unknown or incomplete option ${argv[i]}; see the header of this file`);
    }
    opts[key] = argv[i + 1];
  }
  if (!opts.schemaFolder) throw new Error('--schema-folder is required');
  opts.port = Number(opts.port);
  return opts;
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`reference_server: ${e.message}`);
    process.exit(2);
  }
  logger.level = opts.logLevel;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    res.writeHead(404);
    res.end();
  });
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const factory = new ReferenceDbFactory();
  attachWebsocketServer(server, {
    dbFolder: null,
    schemaFolder: opts.schemaFolder,
    pathPattern: new RegExp(escapeRegExp(opts.path)),
    appName: 'crsync-interop-reference',
    notifyLatencyMs: 50,
  }, factory);
  server.listen(opts.port, opts.host, () => {
    const { port } = server.address();
    if (opts.portFile) {
      fs.writeFileSync(`${opts.portFile}.tmp`, `${port}\n`);
      fs.renameSync(`${opts.portFile}.tmp`, opts.portFile);
    }
    console.log(`reference ws-server listening on http://${opts.host}:${port} (sync path ${opts.path})`);
  });
  const stop = () => {
    server.close();
    for (const s of sockets) s.destroy();
    factory.dispose();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
