#include "admin/route.h"

#include <algorithm>
#include <ostream>

#include "admin/control_client.h"
#include "admin/exit_code.h"
#include "common/limits.h"

namespace slotmail::admin {
namespace {

struct MasterUsers {
  const slots::StoreDef* store;
  const slots::SlotDef* master;
  Result<json::Value> users = Status::IOError("not asked");
  Result<json::Value> status = Status::IOError("not asked");
};

// Asks every store's master for its users (and, with `with_status`, its
// status). A master that does not answer keeps its error.
std::vector<MasterUsers> AskMasters(const Cluster& c, bool with_status) {
  std::vector<MasterUsers> out;
  for (const slots::StoreDef& store : c.prod.stores) {
    MasterUsers m{&store, c.prod.FindSlot(store.masters.front())};
    auto client = ConnectSlot(c.prod, c.local, *m.master,
                                             limits::kControlConnectTimeout);
    if (!client.ok()) {
      m.users = client.status();
      m.status = client.status();
    } else {
      m.users = (*client)->Call(json::Value::Object().Set("op", "users"),
                                limits::kControlCommandTimeout);
      if (with_status) {
        m.status = (*client)->Call(json::Value::Object().Set("op", "status"),
                                   limits::kControlCommandTimeout);
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

bool HasUser(const json::Value& answer, const std::string& user) {
  const json::Value* list = answer.Find("users");
  if (list == nullptr || !list->is_array()) return false;
  for (const auto& u : list->Items()) {
    if (u.is_string() && u.AsString() == user) return true;
  }
  return false;
}

}  // namespace

Result<const slots::SlotDef*> RouteCommand(const Cluster& c, const Invocation& inv, Io) {
  if (inv.Has("slot")) {
    const slots::SlotDef* s = c.prod.FindSlot(inv.Option("slot"));
    if (s == nullptr) return Status::InvalidArgument("no slot " + inv.Option("slot") + " in " + c.path);
    return s;
  }
  const bool add = inv.command->group == "user" && inv.command->verb == "add";
  if (inv.Has("store") && !add) {
    const slots::StoreDef* st = c.prod.FindStore(inv.Option("store"));
    if (st == nullptr) return Status::InvalidArgument("no store " + inv.Option("store") + " in " + c.path);
    return c.prod.FindSlot(st->masters.front());
  }
  if (inv.args.empty()) {
    return Status::InvalidArgument("give --slot M:N or --store NAME: this command names no user");
  }
  const std::string& user = inv.args[0];
  std::vector<MasterUsers> masters = AskMasters(c, add);
  if (!add) {
    std::string unreachable;
    for (const auto& m : masters) {
      if (m.users.ok() && HasUser(*m.users, user)) return m.master;
      if (!m.users.ok()) unreachable += " " + m.master->Name();
    }
    // "Not found" only when every master answered: exit 3 means the user is gone.
    if (!unreachable.empty()) {
      return Status::IOError("user " + user + " is on no store that answered; masters not answering:" +
                             unreachable);
    }
    return Status::NotFound("no store holds user " + user);
  }
  const MasterUsers* best = nullptr;
  uint64_t best_bytes = 0, best_users = 0;
  for (const auto& m : masters) {
    if (!m.users.ok()) {
      return Status::IOError("cannot check that " + user + " is new: store " + m.store->name +
                             "'s master " + m.master->Name() + " does not answer (" +
                             m.users.status().message() + ")");
    }
    if (HasUser(*m.users, user)) {
      return Status::Exists("user " + user + " exists on store " + m.store->name);
    }
    if (inv.Has("store")) {
      if (m.store->name == inv.Option("store")) best = &m;
      continue;
    }
    auto bytes = m.status.ok() ? m.status->GetInt("bytes") : Result<int64_t>(m.status.status());
    if (!bytes.ok()) continue;
    // Least bytes; among equals, fewest users (new stores fill evenly).
    auto users = m.status->GetInt("users");
    const uint64_t b = static_cast<uint64_t>(*bytes);
    const uint64_t u = users.ok() ? static_cast<uint64_t>(*users) : 0;
    if (best == nullptr || b < best_bytes || (b == best_bytes && u < best_users)) {
      best = &m;
      best_bytes = b;
      best_users = u;
    }
  }
  if (best == nullptr) {
    return inv.Has("store") ? Status::InvalidArgument("no store " + inv.Option("store") + " in " + c.path)
                            : Status::IOError("no store master answers its status");
  }
  return best->master;
}

int ListClusterUsers(const Cluster& c, Io io) {
  std::vector<std::string> all;
  int code = kExitOk;
  for (const auto& m : AskMasters(c, false)) {
    if (!m.users.ok()) {
      io.err << "mailctl: user list: store " << m.store->name << " (master " << m.master->Name()
             << "): " << m.users.status().message() << '\n';
      code = kExitFailure;
      continue;
    }
    const json::Value* list = m.users->Find("users");
    if (list == nullptr || !list->is_array()) continue;
    for (const auto& u : list->Items()) {
      if (u.is_string()) all.push_back(u.AsString());
    }
  }
  std::sort(all.begin(), all.end());
  for (const auto& u : all) io.out << u << '\n';
  return code;
}

}  // namespace slotmail::admin
