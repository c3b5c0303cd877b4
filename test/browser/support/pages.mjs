// Helpers that drive the crsync API inside a test page (test/browser/pages/test.html).
export async function openTestPage(browser, baseUrl) {
  const page = await browser.newPage(`${baseUrl}/pages/test.html`);
  await page.waitForFunction(() => window.crsyncReady === true, null, { timeout: 10000 });
  return page;
}

// Runs SQL in the page's database `name` (opened with options) and returns exec's result.
export function exec(page, name, sql, params, options = {}) {
  return page.evaluate(async ({ name, sql, params, options }) => {
    const db = await window.crsync.openDatabase(name, options);
    return db.exec(sql, params);
  }, { name, sql, params, options });
}

export function query(page, name, sql, params, options = {}) {
  return page.evaluate(async ({ name, sql, params, options }) => {
    const db = await window.crsync.openDatabase(name, options);
    return db.query(sql, params);
  }, { name, sql, params, options });
}

// In the page: applies schema (name, text) to database dbName, starts syncing it to url/room and
// records every status in window.syncLog[dbName]. Resolves once the status is 'up-to-date' (or
// `until`), rejecting after 15 s.
export function startPageSync(page, dbName, { url, room, schemaName, schemaText, until = 'up-to-date' }) {
  return page.evaluate(async ({ dbName, url, room, schemaName, schemaText, until }) => {
    const db = await window.crsync.openDatabase(dbName);
    if (schemaText) await db.applySchema(schemaName, schemaText);
    const handle = await db.startSync(url, { room });
    window.syncLog ??= {};
    window.syncHandles ??= {};
    window.syncLog[dbName] = [];
    window.syncHandles[dbName] = handle;
    handle.onStatus(({ status, detail }) => window.syncLog[dbName].push({ status, detail }));
    await handle.waitFor(until, 15000);
    return { status: handle.status, detail: handle.detail };
  }, { dbName, url, room, schemaName, schemaText, until });
}

export function syncStatus(page, dbName) {
  return page.evaluate((dbName) => {
    const handle = window.syncHandles?.[dbName];
    return handle ? { status: handle.status, detail: handle.detail } : null;
  }, dbName);
}
