// The browser VFS ("crsync"): SQLite's file I/O forwarded synchronously to the Worker's file
// backend (web/src/files_opfs.js over OPFS FileSystemSyncAccessHandle, or web/src/files_idb.js
// over IndexedDB when OPFS is missing). SQLite is built with SQLITE_OS_OTHER, so this file also
// provides sqlite3_os_init/sqlite3_os_end and is the only VFS.
//
// Locking is left to the Worker: one tab owns a database at a time (Web Locks, see worker.js), so
// xLock/xUnlock only report the level to the backend (the IndexedDB backend persists when a
// write transaction ends) and never fail. Randomness and time come from crypto and Date.
//
// Writes are merged: a write that continues the previous one (same file, next offset) is
// appended to a buffer instead of crossing into JavaScript, so a commit's pages (SQLite writes
// them in page order) and journal records reach the backend in a few large writes rather than
// one call per page. Any other call, on any file, first hands the buffer to the backend: the
// backend sees every write in the order SQLite issued it, before any sync, read, size query,
// lock change or the end of a commit (SQLITE_FCNTL_COMMIT_PHASETWO).
#include <sqlite3.h>

#include <cstring>

#include "js_imports.h"

namespace {

struct BrowserFile {
  sqlite3_file base;
  int id;
  int lock_level;
};

BrowserFile* AsFile(sqlite3_file* file) { return reinterpret_cast<BrowserFile*>(file); }

// The merged writes not yet handed to the backend (one buffer: wasm is single-threaded).
constexpr int kPendingCapacity = 256 * 1024;
struct Pending {
  BrowserFile* file = nullptr;  // null: nothing pending
  unsigned char* bytes = nullptr;
  int size = 0;
  sqlite3_int64 offset = 0;
};
Pending g_pending;

int WriteThrough(BrowserFile* f, const void* data, int n, sqlite3_int64 offset) {
  int rc = crsync_js_file_write(f->id, static_cast<const uint8_t*>(data), static_cast<size_t>(n),
                                static_cast<double>(offset));
  return rc == 0 ? SQLITE_OK : SQLITE_IOERR_WRITE;
}

// Hands the pending writes to the backend. Called first by every method except a write that
// continues them.
int FlushPending() {
  if (g_pending.file == nullptr) return SQLITE_OK;
  BrowserFile* f = g_pending.file;
  g_pending.file = nullptr;
  return WriteThrough(f, g_pending.bytes, g_pending.size, g_pending.offset);
}

int FileClose(sqlite3_file* file) {
  int rc = FlushPending();
  crsync_js_file_close(AsFile(file)->id);
  return rc;
}

int FileRead(sqlite3_file* file, void* data, int n, sqlite3_int64 offset) {
  if (int rc = FlushPending(); rc != SQLITE_OK) return rc;
  int got = crsync_js_file_read(AsFile(file)->id, static_cast<uint8_t*>(data),
                                static_cast<size_t>(n), static_cast<double>(offset));
  if (got < 0) return SQLITE_IOERR_READ;
  if (got < n) {
    std::memset(static_cast<uint8_t*>(data) + got, 0, static_cast<size_t>(n - got));
    return SQLITE_IOERR_SHORT_READ;
  }
  return SQLITE_OK;
}

int FileWrite(sqlite3_file* file, const void* data, int n, sqlite3_int64 offset) {
  BrowserFile* f = AsFile(file);
  Pending& p = g_pending;
  if (p.file == f && offset == p.offset + p.size && n <= kPendingCapacity - p.size) {
    std::memcpy(p.bytes + p.size, data, static_cast<size_t>(n));
    p.size += n;
    return SQLITE_OK;
  }
  if (int rc = FlushPending(); rc != SQLITE_OK) return rc;
  if (p.bytes == nullptr) {
    p.bytes = static_cast<unsigned char*>(sqlite3_malloc(kPendingCapacity));
  }
  if (p.bytes == nullptr || n >= kPendingCapacity) return WriteThrough(f, data, n, offset);
  std::memcpy(p.bytes, data, static_cast<size_t>(n));
  p.file = f;
  p.size = n;
  p.offset = offset;
  return SQLITE_OK;
}

int FileTruncate(sqlite3_file* file, sqlite3_int64 size) {
  if (int rc = FlushPending(); rc != SQLITE_OK) return rc;
  return crsync_js_file_truncate(AsFile(file)->id, static_cast<double>(size)) == 0
             ? SQLITE_OK
             : SQLITE_IOERR_TRUNCATE;
}

int FileSync(sqlite3_file* file, int flags) {
  if (int rc = FlushPending(); rc != SQLITE_OK) return rc;
  return crsync_js_file_sync(AsFile(file)->id) == 0 ? SQLITE_OK : SQLITE_IOERR_FSYNC;
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  if (int rc = FlushPending(); rc != SQLITE_OK) return rc;
  double bytes = crsync_js_file_size(AsFile(file)->id);
  if (bytes < 0) return SQLITE_IOERR_FSTAT;
  *size = static_cast<sqlite3_int64>(bytes);
  return SQLITE_OK;
}

int FileLock(sqlite3_file* file, int level) {
  if (int rc = FlushPending(); rc != SQLITE_OK) return rc;
  BrowserFile* f = AsFile(file);
  if (level > f->lock_level) {
    f->lock_level = level;
    crsync_js_file_lock(f->id, level);
  }
  return SQLITE_OK;
}

int FileUnlock(sqlite3_file* file, int level) {
  if (int rc = FlushPending(); rc != SQLITE_OK) return rc;  // before the backend persists
  BrowserFile* f = AsFile(file);
  if (level < f->lock_level) {
    f->lock_level = level;
    crsync_js_file_lock(f->id, level);
  }
  return SQLITE_OK;
}

int FileCheckReservedLock(sqlite3_file* file, int* out) {
  *out = AsFile(file)->lock_level >= SQLITE_LOCK_RESERVED ? 1 : 0;
  return SQLITE_OK;
}

// No file control is implemented, but every one (SQLITE_FCNTL_COMMIT_PHASETWO at the end of
// each commit among them) hands the pending writes over.
int FileControl(sqlite3_file*, int, void*) {
  if (int rc = FlushPending(); rc != SQLITE_OK) return rc;
  return SQLITE_NOTFOUND;
}
int FileSectorSize(sqlite3_file*) { return 4096; }
int FileDeviceCharacteristics(sqlite3_file*) { return SQLITE_IOCAP_POWERSAFE_OVERWRITE; }

const sqlite3_io_methods kIoMethods = {
    1,
    FileClose,
    FileRead,
    FileWrite,
    FileTruncate,
    FileSync,
    FileSize,
    FileLock,
    FileUnlock,
    FileCheckReservedLock,
    FileControl,
    FileSectorSize,
    FileDeviceCharacteristics,
};

int VfsOpen(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* f = AsFile(file);
  f->base.pMethods = nullptr;  // SQLite calls no xClose when xOpen fails
  if (FlushPending() != SQLITE_OK) return SQLITE_IOERR_WRITE;
  int id = crsync_js_file_open(name != nullptr ? name : "", flags);
  if (id < 0) return SQLITE_CANTOPEN;
  f->id = id;
  f->lock_level = SQLITE_LOCK_NONE;
  f->base.pMethods = &kIoMethods;
  if (out_flags != nullptr) *out_flags = flags;
  return SQLITE_OK;
}

int VfsDelete(sqlite3_vfs*, const char* name, int) {
  if (int rc = FlushPending(); rc != SQLITE_OK) return rc;
  return crsync_js_file_delete(name) == 0 ? SQLITE_OK : SQLITE_IOERR_DELETE;
}

int VfsAccess(sqlite3_vfs*, const char* name, int, int* out) {
  if (int rc = FlushPending(); rc != SQLITE_OK) return rc;
  *out = crsync_js_file_exists(name);
  return SQLITE_OK;
}

int VfsFullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  sqlite3_snprintf(n, out, "%s", name);
  return SQLITE_OK;
}

int VfsRandomness(sqlite3_vfs*, int n, char* out) {
  crsync_js_random(reinterpret_cast<uint8_t*>(out), static_cast<size_t>(n));
  return n;
}

int VfsSleep(sqlite3_vfs*, int microseconds) { return 0; }  // nothing waits: one owner

int VfsCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  // Julian day in milliseconds, as SQLite expects.
  *out = static_cast<sqlite3_int64>(crsync_js_now_ms()) + 210866760000000LL;
  return SQLITE_OK;
}

int VfsCurrentTime(sqlite3_vfs* vfs, double* out) {
  sqlite3_int64 ms = 0;
  VfsCurrentTimeInt64(vfs, &ms);
  *out = static_cast<double>(ms) / 86400000.0;
  return SQLITE_OK;
}

int VfsGetLastError(sqlite3_vfs*, int, char*) { return 0; }

sqlite3_vfs g_vfs = {
    2,                    // iVersion
    sizeof(BrowserFile),  // szOsFile
    512,                  // mxPathname
    nullptr,              // pNext
    "crsync",             // zName
    nullptr,              // pAppData
    VfsOpen,
    VfsDelete,
    VfsAccess,
    VfsFullPathname,
    nullptr,  // xDlOpen
    nullptr,  // xDlError
    nullptr,  // xDlSym
    nullptr,  // xDlClose
    VfsRandomness,
    VfsSleep,
    VfsCurrentTime,
    VfsGetLastError,
    VfsCurrentTimeInt64,
    nullptr,
    nullptr,
    nullptr,
};

}  // namespace

extern "C" int sqlite3_os_init(void) { return sqlite3_vfs_register(&g_vfs, 1); }
extern "C" int sqlite3_os_end(void) { return SQLITE_OK; }
