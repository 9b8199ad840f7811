// mailctl failover STORE [--to SLOT]: a planned failover (doc/mailctl.md).
// Each step is checked before the next; until the new master is promoted
// any failure thaws the old master and leaves everything as it was.
#include <chrono>
#include <mutex>
#include <optional>
#include <ostream>
#include <thread>

#include "admin/cluster.h"
#include "admin/cluster_handlers.h"
#include "admin/control_client.h"
#include "admin/exit_code.h"
#include "admin/summaries.h"
#include "common/fs.h"
#include "common/limits.h"
#include "slots/production_edit.h"

namespace slotmail::admin {
namespace {

using Clock = std::chrono::steady_clock;

// How long the old master may take to ship what it holds once frozen
// (its clients are refused meanwhile), and how often it is asked.
constexpr std::chrono::seconds kFailoverDrainTimeout{60};
constexpr std::chrono::milliseconds kFailoverPollInterval{50};
// How long to wait for the old master to take the new master's first sync.
constexpr std::chrono::seconds kFailoverFollowTimeout{20};
// Above this many changed users, all are compared (the request naming
// them must fit a control line).
constexpr size_t kMaxNamedUsers = 10000;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Writes `store`'s new master into production.dat.
Status RecordNewMaster(const std::string& path, const std::string& store,
                       const std::string& new_master, uint64_t epoch, uint64_t* serial) {
  return RewriteProduction(
      path,
      [&](const std::string& text) {
        return slots::WithNewMaster(text, path, store, new_master, epoch);
      },
      serial);
}

class Failover {
 public:
  Failover(const Invocation& inv, Io io) : inv_(inv), io_(io), json_(inv.Has("json")) {}
  int Run();

 private:
  int Refuse(const std::string& why, int code) {
    io_.err << "mailctl: failover " << store_ << ": refused: " << why << '\n';
    return code;
  }
  int Abort(const std::string& why, int code) {
    io_.err << "mailctl: failover " << store_ << ": aborted: " << why << '\n';
    if (frozen_) {
      auto thawed = Call(master_.get(), json::Value::Object().Set("op", "freeze").Set("on", false));
      io_.err << "mailctl: failover " << store_ << ": "
              << (thawed.ok() ? old_name_ + " serves again as master"
                              : "could not thaw " + old_name_ + ": " + thawed.status().message())
              << '\n';
    }
    return code;
  }
  void Step(const std::string& what) {
    if (!json_) io_.out << what << std::endl;
  }
  Result<json::Value> Call(ControlClient* c, json::Value req) {
    return c->Call(std::move(req), limits::kControlCommandTimeout);
  }
  // --force: the old master is gone; the replica is promoted without it.
  int Forced(const Cluster& cluster, const slots::StoreDef& store, uint64_t epoch);

  const Invocation& inv_;
  Io io_;
  const bool json_;
  std::string store_, old_name_, new_name_;
  std::unique_ptr<ControlClient> master_, target_;
  bool frozen_ = false;
  bool verified_all_ = false;  // every user compared, not only the changed
};

int Failover::Run() {
  store_ = inv_.args[0];
  auto cluster = LoadCluster(inv_);
  if (!cluster.ok()) return Refuse("cannot read the cluster: " + cluster.status().message(), kExitFailure);
  const slots::StoreDef* store = cluster->prod.FindStore(store_);
  if (store == nullptr) return Refuse("no store " + store_ + " in " + cluster->path, kExitNotFound);
  old_name_ = store->masters[0];
  new_name_ = inv_.Has("to") ? inv_.Option("to") : store->replicas[0];
  const uint64_t epoch = store->epoch + 1;
  auto text = fs::ReadFile(cluster->path);
  if (!text.ok()) return Refuse(text.status().message(), kExitFailure);
  auto edited = slots::WithNewMaster(*text, cluster->path, store_, new_name_, epoch);
  if (!edited.ok()) return Refuse(edited.status().message(), kExitInvalid);
  std::vector<slots::Problem> ignored;
  const slots::Production next = slots::ParseProduction(*edited, cluster->path, &ignored);
  if (inv_.Has("force")) return Forced(*cluster, *store, epoch);

  // Both slots up, in the roles and epoch production.dat gives them.
  for (auto [name, role, client] : {std::tuple{old_name_, "master", &master_},
                                    std::tuple{new_name_, "replica", &target_}}) {
    auto c = ConnectSlot(cluster->prod, cluster->local, *cluster->prod.FindSlot(name),
                         limits::kControlConnectTimeout);
    if (!c.ok()) {
      return Refuse("cannot reach " + name + ": " + c.status().message() +
                        (std::string(role) == "master"
                             ? " (a planned failover needs the old master; its machine gone "
                               "needs a forced failover)"
                             : ""),
                    kExitUnhealthy);
    }
    auto st = Call(c->get(), json::Value::Object().Set("op", "status"));
    if (!st.ok()) return Refuse(name + " did not answer: " + st.status().message(), kExitUnhealthy);
    auto got_role = st->GetString("role");
    auto got_epoch = st->GetInt("epoch");
    if (!got_role.ok() || *got_role != role || !got_epoch.ok() ||
        static_cast<uint64_t>(*got_epoch) != store->epoch) {
      return Refuse(name + " is " + (got_role.ok() ? *got_role : "?") + " at epoch " +
                        std::to_string(got_epoch.ok() ? *got_epoch : -1) + ", not " + role +
                        " at epoch " + std::to_string(store->epoch) + " as " + cluster->path +
                        " says",
                    kExitUnhealthy);
    }
    *client = std::move(*c);
  }

  // 1. No client writes on the old master from now on.
  const auto t_freeze = Clock::now();
  Step("freezing " + old_name_ + ": clients get BYE [UNAVAILABLE], deliveries 451");
  auto frozen = Call(master_.get(), json::Value::Object().Set("op", "freeze").Set("on", true));
  if (!frozen.ok()) return Abort("freeze: " + frozen.status().message(), ExitCodeFor(frozen.status()));
  frozen_ = true;

  // 2. Replication drains (nothing pending, every replica connected, no
  // full pass running) and 3. both sides are equal, user by user
  // (checksums and counts of every mailbox). A write admitted just before
  // the freeze may still be finishing (in sync mode, with its own round
  // trip to the replica): then they differ for a moment, and both steps
  // run again. Only a difference that outlasts kFailoverDrainTimeout aborts.
  Step("waiting for " + old_name_ + " to ship everything to " + new_name_ +
       ", then comparing on both the checksums of every user " +
       (inv_.Has("verify-all") ? "" : "changed since the last verified point"));
  Clock::time_point t_drained;
  std::vector<std::string> differ;
  size_t compared_users = 0;
  for (;;) {
    auto st = Call(master_.get(), json::Value::Object().Set("op", "status"));
    if (!st.ok()) return Abort("status of " + old_name_ + ": " + st.status().message(), kExitFailure);
    const json::Value* full = st->Find("full_sync");
    auto pending = st->GetInt("pending_users");
    // As of the replicator's last pass (false until its first one ends).
    auto all = st->GetBool("replicas_connected");
    const bool connected = all.ok() && *all;
    const bool passes_done = full != nullptr && full->is_array() && full->Items().empty();
    const bool drained = pending.ok() && *pending == 0 && connected && passes_done;
    if (drained) {
      t_drained = Clock::now();
      // The users changed since the replicator's first full pass verified
      // every one (all of them with --verify-all, or when too many to name).
      std::optional<std::vector<std::string>> only;
      if (!inv_.Has("verify-all")) {
        auto changed = ChangedUsers(master_.get());
        if (!changed.ok()) return Abort("changed users: " + changed.status().message(), kExitFailure);
        if (changed->size() <= kMaxNamedUsers) only = std::move(*changed);
      }
      verified_all_ = !only;
      auto mine = SlotSummaries(master_.get(), only ? &*only : nullptr);
      auto theirs = SlotSummaries(target_.get(), only ? &*only : nullptr);
      if (!mine.ok() || !theirs.ok()) {
        return Abort("summaries: " + (mine.ok() ? theirs.status() : mine.status()).message(),
                     kExitFailure);
      }
      differ = DifferingUsers(*mine, *theirs);
      compared_users = mine->size();
      if (differ.empty()) break;
    }
    if (Clock::now() - t_freeze > kFailoverDrainTimeout) {
      if (!differ.empty()) {
        return Abort(std::to_string(differ.size()) + " users still differ between " + old_name_ +
                         " and " + new_name_ + " after " +
                         std::to_string(kFailoverDrainTimeout.count()) + " s: " +
                         FirstUsers(differ),
                     kExitIo);
      }
      return Abort("replication did not drain within " +
                       std::to_string(kFailoverDrainTimeout.count()) + " s (" +
                       (pending.ok() ? std::to_string(*pending) : "?") + " users pending" +
                       (connected ? "" : ", a replica down") + ")",
                   kExitUnhealthy);
    }
    std::this_thread::sleep_for(kFailoverPollInterval);
  }

  // 4. The epoch rises: the old master first (it refuses writes for good and
  // points clients at the new one), then the new master.
  auto old_config = slots::DeriveSlotConfig(next, old_name_, cluster->local);
  if (!old_config.ok()) return Abort(old_config.status().message(), kExitFailure);
  Step("epoch " + std::to_string(epoch) + ": " + old_name_ + " becomes a replica of " + new_name_);
  auto demoted = Call(master_.get(), json::Value::Object()
                                         .Set("op", "role")
                                         .Set("role", "replica")
                                         .Set("epoch", epoch)
                                         .Set("master", new_name_)
                                         .Set("master_imap", old_config->Get("master_imap", ""))
                                         .Set("master_lmtp", old_config->Get("master_lmtp", "")));
  if (!demoted.ok()) return Abort("demote " + old_name_ + ": " + demoted.status().message(), kExitFailure);
  frozen_ = false;  // a replica now: thawing means nothing
  Step("epoch " + std::to_string(epoch) + ": " + new_name_ + " becomes master");
  auto promoted = Call(target_.get(), json::Value::Object()
                                          .Set("op", "role")
                                          .Set("role", "master")
                                          .Set("epoch", epoch));
  if (!promoted.ok()) {
    io_.err << "mailctl: failover " << store_ << ": FAILED after the old master stepped down: "
            << "promote " << new_name_ << ": " << promoted.status().message()
            << "\nmailctl: the store has no master now; to serve from the old one again run: "
            << "mailctl slot role " << old_name_ << " master --epoch " << epoch + 1 << '\n';
    return kExitFailure;
  }
  const auto t_promoted = Clock::now();

  // 5. production.dat records it.
  uint64_t serial = 0;
  Status written = RecordNewMaster(cluster->path, store_, new_name_, epoch, &serial);
  if (!written.ok()) {
    io_.err << "mailctl: failover " << store_ << ": done on the slots, but " << cluster->path
            << " was not written: " << written.message() << '\n';
    return kExitIo;
  }
  const slots::StoreDef* after = next.FindStore(store_);
  Step(cluster->path + ": serial " + std::to_string(serial) + ", store " + store_ + " master " + old_name_ + " -> " +
       new_name_ + ", epoch " + std::to_string(store->epoch) + " -> " + std::to_string(epoch));

  // 6. The old master follows the new one (its first sync from it arrived).
  std::string follows = "no";
  for (const auto deadline = Clock::now() + kFailoverFollowTimeout; Clock::now() < deadline;) {
    auto st = Call(target_.get(), json::Value::Object().Set("op", "status"));
    auto pending = st.ok() ? st->GetInt("pending_users") : Result<int64_t>(st.status());
    const json::Value* down = st.ok() ? st->Find("replicas_down") : nullptr;
    if (pending.ok() && *pending == 0 && down != nullptr && down->is_array() && down->Items().empty()) {
      follows = "yes";
      break;
    }
    std::this_thread::sleep_for(kFailoverPollInterval);
  }
  if (json_) {
    json::Value replicas = json::Value::Array();
    for (const auto& r : after->replicas) replicas.Push(r);
    io_.out << json::Serialize(json::Value::Object()
                                   .Set("store", store_)
                                   .Set("old_master", old_name_)
                                   .Set("new_master", new_name_)
                                   .Set("epoch", epoch)
                                   .Set("replicas", replicas)
                                   .Set("users_compared", static_cast<int64_t>(compared_users))
                                   .Set("verified", verified_all_ ? "all" : "changed")
                                   .Set("drain_seconds", Seconds(t_drained - t_freeze))
                                   .Set("writes_refused_seconds", Seconds(t_promoted - t_freeze))
                                   .Set("old_master_follows", follows == "yes"))
            << '\n';
  } else {
    io_.out << "failover " << store_ << ": " << new_name_ << " is master at epoch " << epoch
            << "; " << compared_users << (verified_all_ ? " users (all)" : " changed users")
            << " compared equal; writes refused for "
            << Seconds(t_promoted - t_freeze) << " s; " << old_name_
            << (follows == "yes" ? " replicates from it" : " has not taken its first sync yet")
            << '\n';
  }
  return kExitOk;
}

int Failover::Forced(const Cluster& cluster, const slots::StoreDef& store, uint64_t epoch) {
  // Only when the old master cannot be asked: if it answers as master, a
  // planned failover loses nothing and this could.
  auto old = ConnectSlot(cluster.prod, cluster.local, *cluster.prod.FindSlot(old_name_),
                         limits::kControlConnectTimeout);
  if (old.ok()) {
    auto st = Call(old->get(), json::Value::Object().Set("op", "status"));
    auto role = st.ok() ? st->GetString("role") : Result<std::string>(st.status());
    if (role.ok() && *role == "master") {
      return Refuse(old_name_ + " answers as master: use a planned failover (without --force)",
                    kExitUnhealthy);
    }
  }
  auto c = ConnectSlot(cluster.prod, cluster.local, *cluster.prod.FindSlot(new_name_),
                       limits::kControlConnectTimeout);
  if (!c.ok()) return Refuse("cannot reach " + new_name_ + ": " + c.status().message(), kExitUnhealthy);
  target_ = std::move(*c);
  auto st = Call(target_.get(), json::Value::Object().Set("op", "status"));
  if (!st.ok()) return Refuse(new_name_ + " did not answer: " + st.status().message(), kExitUnhealthy);
  auto role = st->GetString("role");
  auto seen = st->GetInt("epoch");
  if (!role.ok() || *role != "replica" || !seen.ok() || static_cast<uint64_t>(*seen) != store.epoch) {
    return Refuse(new_name_ + " is not a replica at epoch " + std::to_string(store.epoch),
                  kExitUnhealthy);
  }
  const json::Value* heard = st->Find("master_heard_seconds_ago");
  const std::string when = heard != nullptr && heard->is_number()
                               ? std::to_string(static_cast<int64_t>(heard->AsDouble())) + " s before"
                               : "never since it started, before";
  Step("epoch " + std::to_string(epoch) + ": " + new_name_ + " becomes master without " + old_name_);
  auto promoted = Call(target_.get(), json::Value::Object()
                                          .Set("op", "role")
                                          .Set("role", "master")
                                          .Set("epoch", epoch));
  if (!promoted.ok()) return Refuse("promote " + new_name_ + ": " + promoted.status().message(), kExitFailure);
  uint64_t serial = 0;
  Status written = RecordNewMaster(cluster.path, store_, new_name_, epoch, &serial);
  if (!written.ok()) {
    io_.err << "mailctl: failover " << store_ << ": " << new_name_ << " is master, but "
            << cluster.path << " was not written: " << written.message() << '\n';
    return kExitIo;
  }
  const std::string lacks =
      "whatever " + old_name_ + " had not replicated: " + new_name_ +
      " last heard from it (a sync, or its ping every second) " + when + " the failover";
  if (json_) {
    io_.out << json::Serialize(json::Value::Object()
                                   .Set("store", store_)
                                   .Set("old_master", old_name_)
                                   .Set("new_master", new_name_)
                                   .Set("epoch", epoch)
                                   .Set("forced", true)
                                   .Set("master_heard_seconds_ago",
                                        heard != nullptr ? *heard : json::Value()))
            << '\n';
  } else {
    io_.out << "forced failover " << store_ << ": " << new_name_ << " is master at epoch " << epoch
            << " (" << cluster.path << " serial " << serial << ").\nIt may lack " << lacks
            << ".\nWhen " << old_name_ << " comes back it sees epoch " << epoch
            << ": with changes its replicas never confirmed it stays fenced and keeps them "
               "for a rejoin; without, it becomes a replica.\n";
  }
  return kExitOk;
}

}  // namespace

int ClusterFailover(const Invocation& inv, Io io) { return Failover(inv, io).Run(); }

}  // namespace slotmail::admin
