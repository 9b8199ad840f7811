// An SQLite VFS for tests that routes SQLite's mutating file calls through
// the fs::FileOpHook seam, so a hook sees the index's files as it sees the
// store's own (store/fault_fs.h). It wraps SQLite's default VFS ("unix"):
//  - xOpen with SQLITE_OPEN_CREATE   -> FileOp::kCreate
//  - xWrite, xTruncate                -> kWrite, kTruncate
//  - xSync                            -> kSync of the file, and at the first
//    sync of a journal or WAL it created, kSync of its directory (what the
//    unix VFS does then);
//  - xDelete                          -> kRemove, and kSync of the directory
//    when SQLite asks for it.
// A call the hook fails returns an SQLite I/O error and does nothing. Reads,
// locks and temporary files go straight to the wrapped VFS. With no hook
// installed the wrapper changes nothing.
#pragma once

#include "common/status.h"

namespace slotmail::store {

// Registers the wrapper as SQLite's default VFS: connections opened from
// now on use it. REQUIRES: not installed.
Status InstallFaultVfs();
// Restores the previous default. REQUIRES: installed, and every connection
// opened through it closed.
void UninstallFaultVfs();

}  // namespace slotmail::store
