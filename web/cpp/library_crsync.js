// Imports of crsync.wasm: how the C++ side (browser_vfs.cpp, browser_transport.cpp, post.cpp)
// reaches the Worker. Every function forwards to Module.crsyncHost, an object the Worker passes
// to createCrsyncModule({crsyncHost}) (web/src/host.js documents its methods). Offsets and sizes
// travel as doubles (exact below 2^53).
mergeInto(LibraryManager.library, {
  crsync_js_file_open: function (name, flags) {
    return Module.crsyncHost.fileOpen(UTF8ToString(name), flags);
  },
  crsync_js_file_close: function (file) { Module.crsyncHost.fileClose(file); },
  crsync_js_file_read: function (file, ptr, n, offset) {
    return Module.crsyncHost.fileRead(file, HEAPU8.subarray(ptr, ptr + n), offset);
  },
  crsync_js_file_write: function (file, ptr, n, offset) {
    return Module.crsyncHost.fileWrite(file, HEAPU8.subarray(ptr, ptr + n), offset);
  },
  crsync_js_file_truncate: function (file, size) {
    return Module.crsyncHost.fileTruncate(file, size);
  },
  crsync_js_file_sync: function (file) { return Module.crsyncHost.fileSync(file); },
  crsync_js_file_size: function (file) { return Module.crsyncHost.fileSize(file); },
  crsync_js_file_lock: function (file, level) { Module.crsyncHost.fileLock(file, level); },
  crsync_js_file_delete: function (name) {
    return Module.crsyncHost.fileDelete(UTF8ToString(name));
  },
  crsync_js_file_exists: function (name) {
    return Module.crsyncHost.fileExists(UTF8ToString(name)) ? 1 : 0;
  },
  crsync_js_random: function (ptr, n) { crypto.getRandomValues(HEAPU8.subarray(ptr, ptr + n)); },
  crsync_js_now_ms: function () { return Date.now(); },
  crsync_js_ws_send: function (socket, ptr, n) {
    return Module.crsyncHost.wsSend(socket, HEAPU8.slice(ptr, ptr + n)) ? 1 : 0;
  },
  crsync_js_ws_buffered: function (socket) { return Module.crsyncHost.wsBuffered(socket); },
  crsync_js_ws_close: function (socket, code, reason) {
    Module.crsyncHost.wsClose(socket, code, UTF8ToString(reason));
  },
  crsync_js_sync_event: function (socket, kind, code, text) {
    Module.crsyncHost.syncEvent(socket, UTF8ToString(kind), code, UTF8ToString(text));
  },
  crsync_js_post: function (task) { Module.crsyncHost.post(task); },
});
