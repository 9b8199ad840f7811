#include "admin/cluster.h"

#include <mutex>

#include "common/fs.h"

namespace slotmail::admin {
namespace {

std::string FirstExisting(const std::string& given, const char* a, const char* b) {
  if (!given.empty()) return given;
  return fs::Exists(a) ? a : b;
}

}  // namespace

std::string ClusterPath(const Invocation& inv) {
  return FirstExisting(inv.Option("cluster"), "var/production.dat", "production.dat");
}

Result<Cluster> LoadCluster(const Invocation& inv) {
  Cluster c;
  c.path = ClusterPath(inv);
  c.local_path = FirstExisting(inv.Option("local"), "var/local.conf", "/etc/slotmail/local.conf");
  ASSIGN_OR_RETURN(c.prod, slots::LoadValidProduction(c.path));
  ASSIGN_OR_RETURN(c.local, slots::LoadLocalSettings(c.local_path));
  return c;
}

bool ClusterMode(const Invocation& inv) { return !inv.Has("slot-dir") && !inv.Has("config"); }

Status RewriteProduction(const std::string& path,
                         const std::function<Result<std::string>(const std::string&)>& edit,
                         uint64_t* serial) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  ASSIGN_OR_RETURN(std::string text, fs::ReadFile(path));
  ASSIGN_OR_RETURN(std::string edited, edit(text));
  std::vector<slots::Problem> ignored;
  *serial = slots::ParseProduction(edited, path, &ignored).serial;
  return fs::WriteFileAtomic(path, edited);
}

}  // namespace slotmail::admin
