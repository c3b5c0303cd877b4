// Test fixtures shared by the interop suites: a schema folder with the todo schema, temp dirs,
// site ids, JWTs, and a bounded waitFor.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { cryb64 } from '@vlcn.io/ws-common';

import { kSchemaName, kSchemaText } from './todo_schema.mjs';

export { kSchemaName, kSchemaText };

export const kSchemaVersion = cryb64(kSchemaText);

// A fresh temp dir with schemas/todo.sql and an empty dbs/ folder.
export function makeWorkDir(prefix = 'crsync-interop-') {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const schemaFolder = path.join(root, 'schemas');
  const dbFolder = path.join(root, 'dbs');
  fs.mkdirSync(schemaFolder);
  fs.mkdirSync(dbFolder);
  fs.writeFileSync(path.join(schemaFolder, kSchemaName), kSchemaText);
  return { root, schemaFolder, dbFolder };
}

export function removeDir(dir) {
  if (dir && !process.env.INTEROP_KEEP_FILES) fs.rmSync(dir, { recursive: true, force: true });
}

export function randomSiteId() {
  return new Uint8Array(crypto.randomBytes(16));
}

// HS256 JWT with the given claims (exp defaults to one hour from now).
export function mintJwt(secret, claims) {
  const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
  const body = { exp: Math.floor(Date.now() / 1000) + 3600, ...claims };
  const input = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(body)}`;
  const sig = crypto.createHmac('sha256', secret).update(input).digest('base64url');
  return `${input}.${sig}`;
}

// Polls fn() until it returns a truthy value; throws with describe() after timeoutMs.
export async function waitFor(fn, { timeoutMs = 20000, intervalMs = 50, describe } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() >= deadline) {
      const detail = describe ? `: ${await describe()}` : '';
      throw new Error(`condition not met within ${timeoutMs} ms${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
