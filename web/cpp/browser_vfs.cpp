// The browser VFS ("crsync"): SQLite's file I/O forwarded synchronously to the Worker's file
// backend (web/src/files_opfs.js over OPFS FileSystemSyncAccessHandle, or web/src/files_idb.js
// over IndexedDB when OPFS is missing). SQLite is built with SQLITE_OS_OTHER, so this file also
// provides sqlite3_os_init/sqlite3_os_end and is the only VFS.
//
// Locking is left to the Worker: one tab owns a database at a time (Web Locks, see worker.js), so
// xLock/xUnlock only report the level to the backend (the IndexedDB backend persists when a
// write transaction ends) and never fail. Randomness and time come from crypto and Date.
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

int FileClose(sqlite3_file* file) {
  crsync_js_file_close(AsFile(file)->id);
  return SQLITE_OK;
}

int FileRead(sqlite3_file* file, void* data, int n, sqlite3_int64 offset) {
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
  int rc = crsync_js_file_write(AsFile(file)->id, static_cast<const uint8_t*>(data),
                                static_cast<size_t>(n), static_cast<double>(offset));
  return rc == 0 ? SQLITE_OK : SQLITE_IOERR_WRITE;
}

int FileTruncate(sqlite3_file* file, sqlite3_int64 size) {
  return crsync_js_file_truncate(AsFile(file)->id, static_cast<double>(size)) == 0
             ? SQLITE_OK
             : SQLITE_IOERR_TRUNCATE;
}

int FileSync(sqlite3_file* file, int flags) {
  return crsync_js_file_sync(AsFile(file)->id) == 0 ? SQLITE_OK : SQLITE_IOERR_FSYNC;
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  double bytes = crsync_js_file_size(AsFile(file)->id);
  if (bytes < 0) return SQLITE_IOERR_FSTAT;
  *size = static_cast<sqlite3_int64>(bytes);
  return SQLITE_OK;
}

int FileLock(sqlite3_file* file, int level) {
  BrowserFile* f = AsFile(file);
  if (level > f->lock_level) {
    f->lock_level = level;
    crsync_js_file_lock(f->id, level);
  }
  return SQLITE_OK;
}

int FileUnlock(sqlite3_file* file, int level) {
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

int FileControl(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }
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
  int id = crsync_js_file_open(name != nullptr ? name : "", flags);
  if (id < 0) return SQLITE_CANTOPEN;
  f->id = id;
  f->lock_level = SQLITE_LOCK_NONE;
  f->base.pMethods = &kIoMethods;
  if (out_flags != nullptr) *out_flags = flags;
  return SQLITE_OK;
}

int VfsDelete(sqlite3_vfs*, const char* name, int) {
  return crsync_js_file_delete(name) == 0 ? SQLITE_OK : SQLITE_IOERR_DELETE;
}

int VfsAccess(sqlite3_vfs*, const char* name, int, int* out) {
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
