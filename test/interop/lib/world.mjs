// One test world: a work dir with the schema folder, the target server process (ours unless
// INTEROP_TARGET=reference), and the real ws-clients started in it, all torn down by close().

import { ClientDb, clientErrors } from './client_db.mjs';
import { kSchemaName, kSchemaText, makeWorkDir, removeDir } from './fixtures.mjs';
import { ServerProcess } from './server_process.mjs';
import { startSync } from './sync_client.mjs';

export const kTarget = process.env.INTEROP_TARGET === 'reference' ? 'reference' : 'ours';
export const kOursOnly = kTarget === 'ours' ? false : 'asserts crsync-server behaviour';

export class World {
  static async create({ serverArgs = [] } = {}) {
    const world = new World(makeWorkDir());
    world.server = new ServerProcess({
      kind: kTarget, schemaFolder: world.dirs.schemaFolder, dbFolder: world.dirs.dbFolder,
      extraArgs: serverArgs, workDir: world.dirs.root,
    });
    try {
      await world.server.start();
    } catch (e) {
      await world.close();
      throw e;
    }
    return world;
  }

  constructor(dirs) {
    this.dirs = dirs;
    this.server = null;
    this.clients = [];
    this.errorsAtStart = clientErrors.length;
  }

  get url() {
    return this.server.url();
  }

  // A real ws-client on a fresh database, syncing `room` (token optional).
  async addClient(room, { token } = {}) {
    const db = await ClientDb.create(kSchemaName, kSchemaText);
    const client = { db, room, token, synced: null };
    this.clients.push(client);
    await this.connect(client);
    return client;
  }

  async connect(client) {
    if (client.synced) return;
    client.synced = await startSync(client.db, {
      url: this.url, room: client.room, authToken: client.token,
    });
  }

  disconnect(client) {
    if (!client.synced) return;
    client.synced.stop();
    client.synced = null;
  }

  // Errors ws-client raised since this world was created.
  clientErrors() {
    return clientErrors.slice(this.errorsAtStart);
  }

  async close() {
    for (const c of this.clients) {
      try {
        this.disconnect(c);
      } catch {
        // the socket may already be gone
      }
      c.db.close();
    }
    this.clients = [];
    if (this.server) await this.server.stop();
    removeDir(this.dirs.root);
  }
}
