#include "dirsvc/snapshot.h"

#include <map>

#include "common/config.h"

namespace slotmail::dirsvc {

bool ParseHostPort(const std::string& text, HostPort* out) {
  HostPort hp;
  if (!SplitHostPort(text, &hp.host, &hp.port).ok() || hp.port == 0) return false;
  *out = std::move(hp);
  return true;
}

const Route* Snapshot::Find(const std::string& user) const {
  auto u = user_store.find(user);
  if (u == user_store.end()) return nullptr;
  auto r = routes.find(u->second);
  return r == routes.end() ? nullptr : &r->second;
}

namespace {

// A listener bound to every address names no host a client can dial: the
// slot's machine address stands in.
HostPort Reachable(const std::string& listen, const std::string& machine_address) {
  HostPort hp;
  if (!ParseHostPort(listen, &hp)) return {};
  if (hp.host == "0.0.0.0" || hp.host == "::") hp.host = machine_address;
  return hp;
}

Route MasterRoute(const slots::Production& prod, const std::string& store,
                  const SlotReport& master) {
  Route r;
  r.store = store;
  r.master = master.slot;
  r.epoch = master.epoch;
  const slots::SlotDef* def = prod.FindSlot(master.slot);
  const slots::Machine* m = def ? prod.FindMachine(def->machine) : nullptr;
  std::string address = m ? m->address : "";
  r.imap = Reachable(master.imap, address);
  r.lmtp = Reachable(master.lmtp, address);
  if (def != nullptr && !address.empty()) r.pop3 = {address, def->ports.pop3};
  return r;
}

}  // namespace

std::shared_ptr<const Snapshot> BuildSnapshot(const slots::Production& prod,
                                              const std::vector<SlotReport>& reports,
                                              const Snapshot* previous, uint64_t generation) {
  auto snap = std::make_shared<Snapshot>();
  snap->generation = generation;
  // Stores in name order, so that a user listed twice lands in the same one every time.
  std::map<std::string, const SlotReport*> masters;
  for (const slots::StoreDef& s : prod.stores) masters[s.name] = nullptr;
  for (const SlotReport& r : reports) {
    if (!r.reachable || r.role != "master" || r.store.empty()) continue;
    const SlotReport*& best = masters[r.store];
    if (best == nullptr || r.epoch > best->epoch) best = &r;
  }
  for (const auto& [store, master] : masters) {
    if (master != nullptr) {
      snap->routes[store] = MasterRoute(prod, store, *master);
    } else {
      snap->routes[store].store = store;
    }
  }
  auto add = [&](const std::string& user, const std::string& store) {
    if (!snap->user_store.emplace(user, store).second) ++snap->conflicts;
  };
  for (const auto& [store, master] : masters) {
    if (master != nullptr && master->has_users) {
      for (const std::string& u : master->users) add(u, store);
    } else if (previous != nullptr) {
      for (const auto& [u, s] : previous->user_store) {
        if (s == store) add(u, store);
      }
    }
  }
  return snap;
}

}  // namespace slotmail::dirsvc
