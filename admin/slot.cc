#include "admin/slot.h"

#include <sys/stat.h>

#include <cerrno>

#include "common/config.h"
#include "common/fs.h"
#include "store/paths.h"

namespace slotmail::admin {
namespace {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Ok if `dir` is safe to open as a store; see OpenSlot.
Status CheckSlotDir(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return fs::ErrnoStatus("stat", dir, errno);
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(dir + " is not a directory");
  if (IsDirectory(dir + "/users")) return Status::Ok();
  ASSIGN_OR_RETURN(auto names, fs::ListDir(dir));
  for (const auto& n : names) {
    if (IsDirectory(dir + "/" + n)) {
      return Status::InvalidArgument(dir + " is not a slot (no users/) and not empty (has " + n +
                                     "/); refusing to touch it");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<SlotSettings> ResolveSlot(const Invocation& inv) {
  SlotSettings slot;
  if (inv.Has("slot-dir")) {
    slot.dir = inv.Option("slot-dir");
  } else {
    const std::string path = inv.Option("config");
    ASSIGN_OR_RETURN(ConfigFile file, ConfigFile::Load(path));
    slot.dir = file.Get("slot_dir", "");
    if (slot.dir.empty()) return Status::InvalidArgument(path + ": no slot_dir setting");
    const OptionSpec* kdf = FindOption("kdf-iterations");
    ASSIGN_OR_RETURN(uint64_t iterations, file.GetUint("kdf_iterations", slot.options.kdf_iterations,
                                                       kdf->min, kdf->max));
    slot.options.kdf_iterations = static_cast<uint32_t>(iterations);
    ASSIGN_OR_RETURN(slot.options.default_quota_bytes,
                     file.GetUint("default_quota_bytes", 0, 0, UINT64_MAX));
    ASSIGN_OR_RETURN(slot.options.default_quota_messages,
                     file.GetUint("default_quota_messages", 0, 0, UINT64_MAX));
  }
  if (slot.dir.empty()) return Status::InvalidArgument("the slot directory is empty");
  slot.options.kdf_iterations = static_cast<uint32_t>(
      inv.Number("kdf-iterations", slot.options.kdf_iterations));
  return slot;
}

Result<LocalSlot> OpenSlot(const SlotSettings& slot) {
  RETURN_IF_ERROR(CheckSlotDir(slot.dir));
  LocalSlot out;
  auto lock = fs::LockFile(store::SlotPaths(slot.dir).LockPath());
  if (!lock.ok() && lock.status().code() == Code::kInUse) {
    return Status::InUse(slot.dir + " is being served by a running slotd");
  }
  if (!lock.ok()) return lock.status();
  out.lock = std::move(*lock);
  ASSIGN_OR_RETURN(out.store, store::Store::Open(slot.dir, slot.options));
  return out;
}

}  // namespace slotmail::admin
