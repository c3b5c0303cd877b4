// The demo app (demo/web) served by crsync-server --static-dir web/dist: two browser windows
// (separate profiles) on one room sync live through the UI, the page shows the sync status,
// and an item added while the server is down appears in the other window once it is back.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import {
  launchBrowser, removeDir, ROOT, startSyncServer, tempDir, waitUntil,
} from './support/harness.mjs';

const profiles = [];
const browsers = [];
let server;
before(async () => {
  server = await startSyncServer({ staticDir: join(ROOT, 'web/dist') });
  for (let i = 0; i < 2; i++) {
    profiles.push(tempDir('demo-profile'));
    browsers.push(await launchBrowser(profiles[i]));
  }
});
after(async () => {
  for (const browser of browsers) await browser.close();
  await server?.stop();
  for (const profile of profiles) removeDir(profile);
});

const itemTexts = (page) => page.$$eval('#list li span', (spans) => spans.map((s) => s.textContent));
const statusOf = (page) => page.textContent('#status');

async function addItem(page, text) {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
}

test('two windows of the demo sync live, also after the server was away', async () => {
  const url = `${server.httpUrl}/demo/index.html?room=demo-test`;
  const [a, b] = [await browsers[0].newPage(url), await browsers[1].newPage(url)];
  try {
    for (const page of [a, b]) {
      await waitUntil(async () => (await statusOf(page)) === 'up-to-date',
        { timeoutMs: 15000, what: 'demo up-to-date' });
    }
    await addItem(a, 'buy milk');
    await waitUntil(async () => (await itemTexts(b)).includes('buy milk'),
      { timeoutMs: 10000, what: 'item in the other window' });
    await b.click('#list li input[type=checkbox]');
    await waitUntil(async () => (await a.$$('#list li.done')).length === 1,
      { timeoutMs: 10000, what: 'completion in the first window' });

    await server.halt();
    await waitUntil(async () => (await statusOf(a)) === 'offline',
      { timeoutMs: 10000, what: 'offline status' });
    await addItem(a, 'written offline');
    await waitUntil(async () => (await itemTexts(a)).includes('written offline'),
      { timeoutMs: 5000, what: 'offline item shown locally' });
    assert.equal((await itemTexts(b)).includes('written offline'), false);
    server = await server.restart();
    await waitUntil(async () => (await itemTexts(b)).includes('written offline'),
      { timeoutMs: 20000, what: 'offline item in the other window after reconnect' });
    await waitUntil(async () => (await statusOf(a)) === 'up-to-date',
      { timeoutMs: 10000, what: 'up-to-date after reconnect' });
    assert.deepEqual(await itemTexts(a), await itemTexts(b));
    if (process.env.CRSYNC_DEMO_SCREENSHOT) await a.screenshot({ path: process.env.CRSYNC_DEMO_SCREENSHOT });
  } catch (error) {
    console.error(browsers.flatMap((br) => br.pageLogs).join('\n'));
    throw error;
  }
});
