// The functions crsync.wasm imports from the Worker (implemented in library_crsync.js, which
// forwards each to Module.crsyncHost). Only the web/cpp glue calls them.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {
// Files (browser_vfs.cpp). file ids are >= 1; -1/negative results are failures.
int crsync_js_file_open(const char* name, int flags);
void crsync_js_file_close(int file);
int crsync_js_file_read(int file, uint8_t* data, size_t n, double offset);         // bytes read, -1
int crsync_js_file_write(int file, const uint8_t* data, size_t n, double offset);  // 0 or -1
int crsync_js_file_truncate(int file, double size);                                // 0 or -1
int crsync_js_file_sync(int file);                                                 // 0 or -1
double crsync_js_file_size(int file);                                              // -1 on error
void crsync_js_file_lock(int file, int level);  // the SQLite lock level the file moved to
int crsync_js_file_delete(const char* name);    // 0 or -1
int crsync_js_file_exists(const char* name);
void crsync_js_random(uint8_t* data, size_t n);
double crsync_js_now_ms();

// WebSockets (browser_transport.cpp): socket ids are chosen by the Worker.
int crsync_js_ws_send(int socket, const uint8_t* data, size_t n);
double crsync_js_ws_buffered(int socket);
void crsync_js_ws_close(int socket, int code, const char* reason);
// Session events (sync_exports.cpp): kind is "streaming", "applied" or "closed".
void crsync_js_sync_event(int socket, const char* kind, int code, const char* text);

// Runs crsync_run_task(task) later from the Worker's event loop (post.cpp).
void crsync_js_post(int task);
}
