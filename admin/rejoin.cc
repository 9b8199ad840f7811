// mailctl rejoin SLOT: a fenced old master copies what only it holds into
// its store's master, then becomes its replica (doc/mailctl.md "rejoin").
#include <chrono>
#include <ostream>
#include <thread>

#include "admin/cluster.h"
#include "admin/cluster_handlers.h"
#include "admin/control_client.h"
#include "admin/exit_code.h"
#include "admin/summaries.h"
#include "common/limits.h"

namespace slotmail::admin {
namespace {

using Clock = std::chrono::steady_clock;

// How long the rejoined slot may take to become equal to the master (the
// master's first sync to it), and how often it is compared.
constexpr std::chrono::seconds kRejoinFollowTimeout{60};
constexpr std::chrono::milliseconds kRejoinPollInterval{200};

const slots::StoreDef* StoreOf(const slots::Production& prod, const std::string& slot) {
  for (const auto& s : prod.stores) {
    for (const auto* list : {&s.masters, &s.replicas}) {
      for (const auto& n : *list) {
        if (n == slot) return &s;
      }
    }
  }
  return nullptr;
}

void PrintReport(const json::Value& r, std::ostream& out) {
  const json::Value* copied = r.Find("copied");
  for (const json::Value& c : copied->Items()) {
    out << "copied back: " << *c.GetString("user") << " " << *c.GetString("mailbox") << " UID "
        << *c.GetInt("old_uid") << " -> UID " << *c.GetInt("new_uid") << " ("
        << *c.GetString("why") << ")\n";
  }
  auto listed = [&](const char* key, const char* what) {
    if (const json::Value* items = r.Find(key)) {
      for (const json::Value& i : items->Items()) out << what << i.AsString() << '\n';
    }
  };
  listed("users_created", "copied back whole: user ");
  listed("mailboxes_created", "created: mailbox ");
  listed("notes", "note: ");
  const int64_t total = *r.GetInt("copied_total");
  if (total > static_cast<int64_t>(copied->Items().size())) {
    out << "(" << total - static_cast<int64_t>(copied->Items().size())
        << " more copied messages are listed in the slot's log)\n";
  }
}

}  // namespace

int ClusterRejoin(const Invocation& inv, Io io) {
  const std::string slot = inv.args[0];
  const bool json_out = inv.Has("json");
  auto refuse = [&](const std::string& why, int code) {
    io.err << "mailctl: rejoin " << slot << ": refused: " << why << '\n';
    return code;
  };
  auto cluster = LoadCluster(inv);
  if (!cluster.ok()) return refuse("cannot read the cluster: " + cluster.status().message(), kExitFailure);
  if (cluster->prod.FindSlot(slot) == nullptr) return refuse("no slot " + slot, kExitNotFound);
  const slots::StoreDef* store = StoreOf(cluster->prod, slot);
  if (store == nullptr) return refuse(slot + " belongs to no store", kExitInvalid);
  const std::string master = store->masters[0];
  if (master == slot) {
    return refuse(cluster->path + " names " + slot + " master of " + store->name +
                      ": nothing to rejoin (a forced failover names the new master)",
                  kExitInvalid);
  }
  auto call = [](ControlClient* c, json::Value req) {
    return c->Call(std::move(req), limits::kControlCommandTimeout);
  };
  std::unique_ptr<ControlClient> clients[2];
  const std::string names[2] = {slot, master};
  const char* wanted[2] = {"fenced", "master"};
  for (int i = 0; i < 2; ++i) {
    auto c = ConnectSlot(cluster->prod, cluster->local, *cluster->prod.FindSlot(names[i]),
                         limits::kControlConnectTimeout);
    if (!c.ok()) return refuse("cannot reach " + names[i] + ": " + c.status().message(), kExitUnhealthy);
    auto st = call(c->get(), json::Value::Object().Set("op", "status"));
    if (!st.ok()) return refuse(names[i] + " did not answer: " + st.status().message(), kExitUnhealthy);
    auto role = st->GetString("role");
    auto epoch = st->GetInt("epoch");
    if (!role.ok() || *role != wanted[i]) {
      return refuse(names[i] + " is " + (role.ok() ? *role : "?") + ", not " + wanted[i] +
                        (i == 0 && role.ok() && *role == "replica"
                             ? " (it had nothing unreplicated, or rejoined already)"
                             : ""),
                    kExitUnhealthy);
    }
    if (i == 1 && (!epoch.ok() || static_cast<uint64_t>(*epoch) != store->epoch)) {
      return refuse(master + " is master at epoch " + std::to_string(epoch.ok() ? *epoch : -1) +
                        ", not " + std::to_string(store->epoch) + " as " + cluster->path + " says",
                    kExitUnhealthy);
    }
    clients[i] = std::move(*c);
  }
  if (!json_out) {
    io.out << slot << ": copying what only it holds into " << master << " (store " << store->name
           << ", epoch " << store->epoch << ")" << std::endl;
  }
  const auto t0 = Clock::now();
  auto report = call(clients[0].get(), json::Value::Object()
                                           .Set("op", "rejoin")
                                           .Set("master", master)
                                           .Set("epoch", store->epoch));
  if (!report.ok()) {
    io.err << "mailctl: rejoin " << slot << ": failed, it stays fenced with its changes: "
           << report.status().message() << '\n';
    return ExitCodeFor(report.status());
  }
  if (!json_out) {
    PrintReport(*report, io.out);
    io.out << slot << ": now a replica of " << master << "; waiting until it is equal" << std::endl;
  }
  // The master's sync makes the rejoined slot equal: wait for it, compare.
  std::vector<std::string> differ;
  for (const auto deadline = Clock::now() + kRejoinFollowTimeout;;) {
    auto mine = SlotSummaries(clients[0].get());
    auto theirs = SlotSummaries(clients[1].get());
    if (mine.ok() && theirs.ok()) {
      differ = DifferingUsers(*mine, *theirs);
      if (differ.empty()) break;
    }
    if (Clock::now() > deadline) break;
    std::this_thread::sleep_for(kRejoinPollInterval);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (json_out) {
    io.out << json::Serialize(report->Set("slot", slot)
                                  .Set("master", master)
                                  .Set("store", store->name)
                                  .Set("equal", differ.empty())
                                  .Set("seconds", seconds))
           << '\n';
  } else {
    io.out << "rejoin " << slot << ": " << *report->GetInt("users") << " users compared, "
           << *report->GetInt("copied_total") << " messages copied back, "
           << *report->GetInt("flags_restored") << " flag changes and "
           << *report->GetInt("expunges_applied") << " expunges carried over; "
           << (differ.empty() ? "equal to " + master
                              : std::to_string(differ.size()) + " users not yet equal to " +
                                    master + ": " + FirstUsers(differ))
           << " (" << seconds << " s)\n";
  }
  return differ.empty() ? kExitOk : kExitUnhealthy;
}

}  // namespace slotmail::admin
