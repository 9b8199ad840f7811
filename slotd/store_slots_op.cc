// The control request `store_slots` (doc/control.md): a store's slots
// changed in production.dat (mailctl move). A spare joins a store as a
// replica, a replica retires to spare, or a slot that stays learns the new
// list (a master then ships to the new list).
#include "common/log.h"
#include "slotd/service.h"

namespace slotmail::slotd {

void SlotService::StoreSlotsOp(const json::Value& req, Reply reply) {
  std::string f[6];
  const char* keys[6] = {"store", "role", "master", "master_imap", "master_lmtp", "store_slots"};
  for (int i = 0; i < 6; ++i) {
    auto v = req.GetString(keys[i]);
    if (!v.ok()) return reply(slots::ErrorReply(v.status()));
    f[i] = *v;
  }
  auto epoch = req.GetInt("epoch");
  if (!epoch.ok() || *epoch < 0) {
    return reply(slots::ErrorReply(Status::InvalidArgument("epoch must be a number >= 0")));
  }
  auto peers = ParseStoreSlots(f[5]);
  if (!peers.ok()) return reply(slots::ErrorReply(peers.status()));
  const std::string& store = f[0];
  const std::string& role = f[1];
  const uint64_t e = static_cast<uint64_t>(*epoch);
  auto done = [this, reply, list = *peers](const Status& st) {
    if (!st.ok()) return reply(slots::ErrorReply(st));
    config_.identity.store_slots = list;
    if (replicator_) {  // a master ships to the new list from now on
      StopReplicator();
      StartReplicator();
    }
    log::Info("control: store " + (role_.store.empty() ? std::string("-") : role_.store) +
              " slots now " + std::to_string(list.size()) + "; this slot is " +
              slots::RoleName(role_.role));
    reply(json::Value::Object()
              .Set("role", slots::RoleName(role_.role))
              .Set("store", role_.store)
              .Set("epoch", role_.epoch));
  };
  const slots::Role now = role_.role;
  if (now == slots::Role::kSpare && role == "replica" && !store.empty()) {
    // Joins: an empty slot becomes a replica; the master's full pass fills it.
    return ChangeRole(slots::RoleRecord{e, slots::Role::kReplica, store, 0}, f[2], f[3], f[4],
                      done);
  }
  if (now == slots::Role::kReplica && role == "spare" && store.empty()) {
    // Retired (production.dat names it in no store now): serves nothing;
    // its files stay until the operator removes them.
    return ChangeRole(slots::RoleRecord{0, slots::Role::kSpare, "", 0}, "", "", "", done);
  }
  if (store != role_.store) {
    return reply(slots::ErrorReply(Status::InvalidArgument(
        "this slot belongs to store " + (role_.store.empty() ? "(none)" : role_.store) +
        ", not " + store)));
  }
  if (role != slots::RoleName(now) || e != role_.epoch) {
    return reply(slots::ErrorReply(Status::InvalidArgument(
        std::string("store_slots changes no role: this slot is ") + slots::RoleName(now) +
        " at epoch " + std::to_string(role_.epoch) + ", not " + role + " at epoch " +
        std::to_string(e))));
  }
  done(Status::Ok());
}

}  // namespace slotmail::slotd
