#include "store/fault_vfs.h"

#include <sqlite3.h>

#include <cstring>
#include <string>

#include "common/fs.h"

namespace slotmail::store {
namespace {

// One open file: our header, then the wrapped VFS's file object.
struct File {
  sqlite3_file base;      // base.pMethods = &kMethods once open
  sqlite3_file* real;     // the wrapped file, right after this struct
  std::string* path;      // owned; nullptr for a temporary file (not routed)
  bool dir_sync_pending;  // the unix VFS fsyncs the directory at the first sync
};

sqlite3_vfs* g_real = nullptr;  // the wrapped VFS
sqlite3_vfs g_vfs;

File* Of(sqlite3_file* f) { return reinterpret_cast<File*>(f); }

std::string DirOf(const std::string& path) { return path.substr(0, path.rfind('/')); }

// Runs `call` (an SQLite call returning a result code) as the file operation
// `op` on `path` through the hook: its result code, or `lost` if the hook
// failed it without running it.
template <typename Call>
int Routed(fs::FileOp op, const std::string& path, int lost, Call&& call) {
  int rc = lost;
  Status st = fs::RunFileOp(op, path, "", [&]() -> Status {
    rc = call();
    return rc == SQLITE_OK ? Status::Ok() : Status::IOError("sqlite result " + std::to_string(rc));
  });
  return st.ok() ? SQLITE_OK : rc;
}

int Close(sqlite3_file* f) {
  File* file = Of(f);
  int rc = file->real->pMethods->xClose(file->real);
  delete file->path;
  file->path = nullptr;
  return rc;
}

int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Of(f)->real->pMethods->xRead(Of(f)->real, buf, n, off);
}

int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  File* file = Of(f);
  auto call = [&] { return file->real->pMethods->xWrite(file->real, buf, n, off); };
  if (file->path == nullptr) return call();
  return Routed(fs::FileOp::kWrite, *file->path, SQLITE_IOERR_WRITE, call);
}

int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  File* file = Of(f);
  auto call = [&] { return file->real->pMethods->xTruncate(file->real, size); };
  if (file->path == nullptr) return call();
  return Routed(fs::FileOp::kTruncate, *file->path, SQLITE_IOERR_TRUNCATE, call);
}

int Sync(sqlite3_file* f, int flags) {
  File* file = Of(f);
  auto call = [&] { return file->real->pMethods->xSync(file->real, flags); };
  if (file->path == nullptr) return call();
  int rc = Routed(fs::FileOp::kSync, *file->path, SQLITE_IOERR_FSYNC, call);
  if (rc == SQLITE_OK && file->dir_sync_pending) {
    // Done by the wrapped xSync when it ran; shown to the hook as its own call.
    rc = Routed(fs::FileOp::kSync, DirOf(*file->path), SQLITE_IOERR_DIR_FSYNC,
                [] { return SQLITE_OK; });
    if (rc == SQLITE_OK) file->dir_sync_pending = false;
  }
  return rc;
}

int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Of(f)->real->pMethods->xFileSize(Of(f)->real, size);
}
int Lock(sqlite3_file* f, int level) { return Of(f)->real->pMethods->xLock(Of(f)->real, level); }
int Unlock(sqlite3_file* f, int level) {
  return Of(f)->real->pMethods->xUnlock(Of(f)->real, level);
}
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Of(f)->real->pMethods->xCheckReservedLock(Of(f)->real, out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Of(f)->real->pMethods->xFileControl(Of(f)->real, op, arg);
}
int SectorSize(sqlite3_file* f) { return Of(f)->real->pMethods->xSectorSize(Of(f)->real); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Of(f)->real->pMethods->xDeviceCharacteristics(Of(f)->real);
}
int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return Of(f)->real->pMethods->xShmMap(Of(f)->real, page, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Of(f)->real->pMethods->xShmLock(Of(f)->real, offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Of(f)->real->pMethods->xShmBarrier(Of(f)->real); }
int ShmUnmap(sqlite3_file* f, int remove) {
  return Of(f)->real->pMethods->xShmUnmap(Of(f)->real, remove);
}
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Of(f)->real->pMethods->xFetch(Of(f)->real, off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Of(f)->real->pMethods->xUnfetch(Of(f)->real, off, p);
}

const sqlite3_io_methods kMethods = {
    3,        Close,      Read,     Write,    Truncate,   Sync,       FileSize,
    Lock,     Unlock,     CheckReservedLock,  FileControl, SectorSize, DeviceCharacteristics,
    ShmMap,   ShmLock,    ShmBarrier,         ShmUnmap,   Fetch,      Unfetch,
};

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  File* file = Of(f);
  std::memset(file, 0, sizeof(File));
  file->real = reinterpret_cast<sqlite3_file*>(file + 1);
  std::memset(file->real, 0, static_cast<size_t>(g_real->szOsFile));
  auto call = [&] { return g_real->xOpen(g_real, name, file->real, flags, out_flags); };
  int rc;
  if (name == nullptr) {
    rc = call();
  } else {
    file->path = new std::string(name);
    const int type = flags & 0xFFFFFF00;
    file->dir_sync_pending = (flags & SQLITE_OPEN_CREATE) != 0 &&
                             (type == SQLITE_OPEN_MAIN_JOURNAL ||
                              type == SQLITE_OPEN_SUPER_JOURNAL || type == SQLITE_OPEN_WAL);
    rc = (flags & SQLITE_OPEN_CREATE) != 0
             ? Routed(fs::FileOp::kCreate, *file->path, SQLITE_CANTOPEN, call)
             : call();
  }
  if (rc != SQLITE_OK) {
    if (file->real->pMethods != nullptr) file->real->pMethods->xClose(file->real);
    delete file->path;
    file->path = nullptr;
    return rc;
  }
  file->base.pMethods = &kMethods;
  return SQLITE_OK;
}

int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  const std::string path(name);
  int rc = Routed(fs::FileOp::kRemove, path, SQLITE_IOERR_DELETE,
                  [&] { return g_real->xDelete(g_real, name, sync_dir); });
  if (rc != SQLITE_OK || !sync_dir) return rc;
  // Done by the wrapped xDelete; shown to the hook as its own call.
  return Routed(fs::FileOp::kSync, DirOf(path), SQLITE_IOERR_DIR_FSYNC, [] { return SQLITE_OK; });
}

int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real->xFullPathname(g_real, name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void DlError(sqlite3_vfs*, int n, char* msg) { g_real->xDlError(g_real, n, msg); }
void (*DlSym(sqlite3_vfs*, void* handle, const char* sym))(void) {
  return g_real->xDlSym(g_real, handle, sym);
}
void DlClose(sqlite3_vfs*, void* handle) { g_real->xDlClose(g_real, handle); }
int Randomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int Sleep(sqlite3_vfs*, int micros) { return g_real->xSleep(g_real, micros); }
int CurrentTime(sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); }
int GetLastError(sqlite3_vfs*, int n, char* out) { return g_real->xGetLastError(g_real, n, out); }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_real->xCurrentTimeInt64(g_real, out);
}

}  // namespace

Status InstallFaultVfs() {
  if (g_real != nullptr) return Status::InUse("the fault VFS is installed already");
  sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
  if (real == nullptr || real->iVersion < 2) return Status::IOError("no usable default SQLite VFS");
  g_real = real;
  g_vfs = sqlite3_vfs{};
  g_vfs.iVersion = 2;
  g_vfs.szOsFile = static_cast<int>(sizeof(File)) + real->szOsFile;
  g_vfs.mxPathname = real->mxPathname;
  g_vfs.zName = "slotmail-fault";
  g_vfs.xOpen = Open;
  g_vfs.xDelete = Delete;
  g_vfs.xAccess = Access;
  g_vfs.xFullPathname = FullPathname;
  g_vfs.xDlOpen = DlOpen;
  g_vfs.xDlError = DlError;
  g_vfs.xDlSym = DlSym;
  g_vfs.xDlClose = DlClose;
  g_vfs.xRandomness = Randomness;
  g_vfs.xSleep = Sleep;
  g_vfs.xCurrentTime = CurrentTime;
  g_vfs.xGetLastError = GetLastError;
  g_vfs.xCurrentTimeInt64 = CurrentTimeInt64;
  if (sqlite3_vfs_register(&g_vfs, /*makeDflt=*/1) != SQLITE_OK) {
    g_real = nullptr;
    return Status::IOError("sqlite3_vfs_register failed");
  }
  return Status::Ok();
}

void UninstallFaultVfs() {
  sqlite3_vfs_unregister(&g_vfs);
  g_real = nullptr;
}

}  // namespace slotmail::store
