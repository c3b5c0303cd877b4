// crsync demo app: a todo list in a local database (our engine in a Worker, persisted in OPFS)
// that syncs live with crsync-server at /sync of the page's own host. ?room=NAME picks the room
// (default "demo"), ?db=NAME the local database (default "todos"; tabs of one browser sharing a
// name share the database). Edits made offline sync when the server is reachable again.
import { openDatabase } from '../index.js';

const params = new URLSearchParams(location.search);
const room = params.get('room') ?? 'demo';
const dbName = params.get('db') ?? 'todos';
const syncUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sync`;

const $ = (id) => document.getElementById(id);
$('room').textContent = room;
$('db').textContent = dbName;

function showError(error) {
  $('error').hidden = false;
  $('error').textContent = String(error?.message ?? error);
}

function showStatus({ status, detail }) {
  $('status').dataset.status = status;
  $('status').textContent = status;
  $('status').title = detail ?? '';
  if (status === 'error') showError(detail);
  else $('error').hidden = true;
}

async function render(db) {
  const todos = await db.query('SELECT id, text, completed FROM todo ORDER BY created_at, id');
  const list = $('list');
  list.replaceChildren(...todos.map((todo) => {
    const item = document.createElement('li');
    item.dataset.id = todo.id;
    item.className = todo.completed ? 'done' : '';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = !!todo.completed;
    box.onchange = () => db.exec('UPDATE todo SET completed = ? WHERE id = ?',
      [box.checked ? 1 : 0, todo.id]).catch(showError);
    const text = document.createElement('span');
    text.textContent = todo.text;
    const remove = document.createElement('button');
    remove.textContent = '✕';
    remove.title = 'delete';
    remove.onclick = () => db.exec('DELETE FROM todo WHERE id = ?', [todo.id]).catch(showError);
    item.append(box, text, remove);
    return item;
  }));
}

async function main() {
  const db = await openDatabase(dbName);
  const schema = await (await fetch('todo.sql')).text();
  await db.applySchema('todo.sql', schema);
  db.onChange('todo', () => render(db).catch(showError));
  await render(db);
  $('add').onsubmit = async (event) => {
    event.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    $('text').value = '';
    await db.exec('INSERT INTO todo (id, text, created_at) VALUES (?, ?, ?)',
      [crypto.randomUUID(), text, Date.now()]).catch(showError);
  };
  const sync = await db.startSync(syncUrl, { room });
  if (sync.status) showStatus(sync);
  sync.onStatus(showStatus);
  window.demo = { db, sync }; // for tests and the console
}

main().catch(showError);
