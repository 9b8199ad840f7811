// mailctl move STORE --to SLOT [--retire SLOT]: a new replica for a store,
// filled and verified, then an old slot retired (doc/mailctl.md "move").
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ostream>
#include <set>
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

// How long the new replica may take to be filled and verified, and how
// often mailctl looks.
constexpr std::chrono::minutes kMoveSyncTimeout{30};
constexpr std::chrono::milliseconds kMovePollInterval{200};
// How long verification retries users that differ (replication lag under
// load) before it reports them.
constexpr std::chrono::seconds kMoveVerifyTimeout{120};

// A field of a status answer, or `fallback` when missing.
std::string Field(const json::Value& v, const char* key, const std::string& fallback = "") {
  auto r = v.GetString(key);
  return r.ok() ? *r : fallback;
}
int64_t Number(const json::Value& v, const char* key, int64_t fallback) {
  auto r = v.GetInt(key);
  return r.ok() ? *r : fallback;
}

class Move {
 public:
  Move(const Invocation& inv, Io io) : inv_(inv), io_(io), json_(inv.Has("json")) {}
  int Run();

 private:
  int Refuse(const std::string& why, int code) {
    io_.err << "mailctl: move " << store_ << ": refused: " << why << '\n';
    return code;
  }
  int Fail(const std::string& why, int code) {
    io_.err << "mailctl: move " << store_ << ": " << why << '\n';
    return code;
  }
  void Step(const std::string& what) {
    if (!json_) io_.out << what << std::endl;
  }
  Result<json::Value> Call(const std::string& slot, json::Value req);
  // Tells every slot of `names` its part in production.dat `prod` (the
  // control request store_slots), in order.
  Status Announce(const slots::Production& prod, const std::vector<std::string>& names);
  // Waits for the master's full pass to `to_` and prints its progress.
  Status WaitFilled();
  // Every user equal on the master and `to_` at least once (bounded).
  Status Verify(size_t* users);
  Status Rewrite(const std::string& add, const std::string& remove, slots::Production* next);

  const Invocation& inv_;
  Io io_;
  const bool json_;
  Cluster cluster_;
  std::string store_, to_, retire_, master_;
  std::map<std::string, std::unique_ptr<ControlClient>> clients_;
};

Result<json::Value> Move::Call(const std::string& slot, json::Value req) {
  auto& c = clients_[slot];
  if (!c) {
    ASSIGN_OR_RETURN(c, ConnectSlot(cluster_.prod, cluster_.local, *cluster_.prod.FindSlot(slot),
                                    limits::kControlConnectTimeout));
  }
  return c->Call(std::move(req), limits::kControlCommandTimeout);
}

Status Move::Rewrite(const std::string& add, const std::string& remove, slots::Production* next) {
  uint64_t serial = 0;
  std::string edited;
  RETURN_IF_ERROR(RewriteProduction(
      cluster_.path,
      [&](const std::string& text) -> Result<std::string> {
        ASSIGN_OR_RETURN(edited, slots::WithReplicaChange(text, cluster_.path, store_, add, remove));
        return edited;
      },
      &serial));
  std::vector<slots::Problem> ignored;
  *next = slots::ParseProduction(edited, cluster_.path, &ignored);
  Step(cluster_.path + ": serial " + std::to_string(serial) + ", store " + store_ +
       (add.empty() ? "" : " + replica " + add) + (remove.empty() ? "" : " - slot " + remove));
  return Status::Ok();
}

Status Move::Announce(const slots::Production& prod, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(ConfigFile c, slots::DeriveSlotConfig(prod, name, cluster_.local));
    json::Value req = json::Value::Object().Set("op", "store_slots");
    for (const char* k : {"store", "role", "master", "master_imap", "master_lmtp", "store_slots"}) {
      req.Set(k, c.Get(k, ""));
    }
    req.Set("epoch", static_cast<int64_t>(std::stoll(c.Get("epoch", "0"))));
    auto r = Call(name, req);
    if (!r.ok()) return Status(r.status().code(), name + ": " + r.status().message());
  }
  return Status::Ok();
}

Status Move::WaitFilled() {
  const bool tty = !json_ && isatty(STDOUT_FILENO);
  const auto t0 = Clock::now();
  for (bool seen_pass = false;;) {
    ASSIGN_OR_RETURN(json::Value st, Call(master_, json::Value::Object().Set("op", "status")));
    const json::Value* passes = st.Find("full_sync");
    const json::Value* down = st.Find("replicas_down");
    bool running = false, is_down = false;
    if (passes != nullptr && passes->is_array()) {
      for (const json::Value& p : passes->Items()) {
        if (*p.GetString("replica") != to_) continue;
        running = seen_pass = true;
        const int64_t done = *p.GetInt("users_done"), total = *p.GetInt("users_total");
        const double mb = static_cast<double>(*p.GetInt("bytes_done")) / 1e6;
        const double all_mb = static_cast<double>(Number(st, "bytes", 0)) / 1e6;
        const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
        const double eta = mb > 0 && all_mb > mb ? secs * (all_mb - mb) / mb : 0;
        char line[200];
        std::snprintf(line, sizeof line, "%s users %lld/%lld, %.1f of ~%.1f MB, ETA %.0f s",
                      to_.c_str(), static_cast<long long>(done), static_cast<long long>(total),
                      mb, all_mb, eta);
        if (tty) io_.out << '\r' << line << std::flush;
      }
    }
    if (down != nullptr && down->is_array()) {
      for (const json::Value& d : down->Items()) is_down = is_down || d.AsString() == to_;
    }
    // Done once the master has connected and no pass to it runs. (A pass
    // too short to be seen is fine: the verification follows.)
    auto connected = st.GetBool("replicas_connected");
    if (!running && !is_down && connected.ok() && *connected) {
      if (tty && seen_pass) io_.out << '\n';
      return Status::Ok();
    }
    if (Clock::now() - t0 > kMoveSyncTimeout) {
      return Status::IOError("the initial sync to " + to_ + " did not finish within " +
                             std::to_string(kMoveSyncTimeout.count()) + " minutes");
    }
    std::this_thread::sleep_for(kMovePollInterval);
  }
}

Status Move::Verify(size_t* users) {
  std::set<std::string> unverified;
  bool first = true;
  for (const auto deadline = Clock::now() + kMoveVerifyTimeout;;) {
    ASSIGN_OR_RETURN(ControlClient * m, [&]() -> Result<ControlClient*> {
      RETURN_IF_ERROR(Call(master_, json::Value::Object().Set("op", "status")).status());
      return clients_[master_].get();
    }());
    ASSIGN_OR_RETURN(Summaries mine, SlotSummaries(m));
    ASSIGN_OR_RETURN(Summaries theirs, SlotSummaries(clients_[to_].get()));
    const std::vector<std::string> differ = DifferingUsers(mine, theirs);
    const std::set<std::string> now_differ(differ.begin(), differ.end());
    if (first) {
      for (const auto& [u, image] : mine) unverified.insert(u);
      *users = mine.size();
      first = false;
    }
    for (auto it = unverified.begin(); it != unverified.end();) {
      it = now_differ.count(*it) ? std::next(it) : unverified.erase(it);
    }
    if (unverified.empty()) return Status::Ok();
    if (Clock::now() > deadline) {
      return Status::Corruption(std::to_string(unverified.size()) + " users never equal on " +
                                master_ + " and " + to_ + ": " +
                                FirstUsers({unverified.begin(), unverified.end()}));
    }
    std::this_thread::sleep_for(kMovePollInterval);
  }
}

int Move::Run() {
  store_ = inv_.args[0];
  to_ = inv_.Option("to");
  retire_ = inv_.Has("retire") ? inv_.Option("retire") : "";
  auto cluster = LoadCluster(inv_);
  if (!cluster.ok()) return Refuse("cannot read the cluster: " + cluster.status().message(), kExitFailure);
  cluster_ = std::move(*cluster);
  const slots::StoreDef* store = cluster_.prod.FindStore(store_);
  if (store == nullptr) return Refuse("no store " + store_ + " in " + cluster_.path, kExitNotFound);
  master_ = store->masters[0];
  if (cluster_.prod.FindSlot(to_) == nullptr) return Refuse("no slot " + to_, kExitNotFound);
  if (const slots::StoreDef* other = cluster_.prod.StoreOfSlot(to_)) {
    return Refuse(to_ + " belongs to store " + other->name + " (the new slot must be a spare)",
                  kExitInvalid);
  }
  std::vector<std::string> members = store->masters;
  members.insert(members.end(), store->replicas.begin(), store->replicas.end());
  if (!retire_.empty() && std::find(members.begin(), members.end(), retire_) == members.end()) {
    return Refuse(retire_ + " is not a slot of store " + store_, kExitInvalid);
  }
  // The new production.dat must pass its checks before anything moves.
  auto text = fs::ReadFile(cluster_.path);
  if (!text.ok()) return Refuse(text.status().message(), kExitFailure);
  auto trial = slots::WithReplicaChange(*text, cluster_.path, store_, to_, "");
  if (!trial.ok()) return Refuse(trial.status().message(), kExitInvalid);
  // Every slot involved up, in the role production.dat gives it.
  for (const std::string& name : members) {
    auto st = Call(name, json::Value::Object().Set("op", "status"));
    const std::string want = name == master_ ? "master" : "replica";
    if (!st.ok()) return Refuse("cannot reach " + name + ": " + st.status().message(), kExitUnhealthy);
    if (Field(*st, "role") != want || Number(*st, "epoch", -1) != static_cast<int64_t>(store->epoch)) {
      return Refuse(name + " is not " + want + " at epoch " + std::to_string(store->epoch),
                    kExitUnhealthy);
    }
  }
  auto st = Call(to_, json::Value::Object().Set("op", "status"));
  if (!st.ok()) return Refuse("cannot reach " + to_ + ": " + st.status().message(), kExitUnhealthy);
  if (Field(*st, "role") != "spare") {
    return Refuse(to_ + " is " + Field(*st, "role", "?") + ", not spare", kExitUnhealthy);
  }
  const auto t0 = Clock::now();

  // 1. The new replica in production.dat, then on the slots: it joins, the
  // others learn of it, the master starts its full pass to it.
  slots::Production next;
  Status s = Rewrite(to_, "", &next);
  if (!s.ok()) return Fail("production.dat not written: " + s.message(), kExitIo);
  std::vector<std::string> order = {to_};
  for (const auto& n : members) {
    if (n != master_) order.push_back(n);
  }
  order.push_back(master_);
  s = Announce(next, order);
  if (!s.ok()) return Fail("telling the slots: " + s.message(), ExitCodeFor(s));
  Step(to_ + " is a replica of " + store_ + "; " + master_ + " fills it");

  // 2. Filled, then verified user by user.
  s = WaitFilled();
  if (!s.ok()) return Fail(s.message(), kExitUnhealthy);
  const double filled = std::chrono::duration<double>(Clock::now() - t0).count();
  size_t users = 0;
  s = Verify(&users);
  if (!s.ok()) return Fail(s.message(), kExitIo);
  Step(to_ + ": " + std::to_string(users) + " users equal to " + master_);

  // 3. Retire, or keep the extra copy.
  std::string retired;
  if (!retire_.empty()) {
    if (retire_ == master_) {
      Step("the master " + retire_ + " goes first: planned failover to " + to_);
      Invocation fo = inv_;
      fo.args = {store_};
      fo.options.erase("retire");
      fo.options.erase("json");
      fo.options["to"] = to_;
      const int code = ClusterFailover(fo, io_);
      if (code != kExitOk) return Fail("failover to " + to_ + " failed; nothing retired", code);
      auto reloaded = LoadCluster(inv_);
      if (!reloaded.ok()) return Fail(reloaded.status().message(), kExitFailure);
      cluster_ = std::move(*reloaded);
      master_ = to_;
    }
    s = Rewrite("", retire_, &next);
    if (!s.ok()) return Fail("production.dat not written: " + s.message(), kExitIo);
    const slots::StoreDef* now = next.FindStore(store_);
    order = {retire_};
    for (const auto& n : now->replicas) order.push_back(n);
    order.push_back(now->masters[0]);
    // The retired slot hears first: it stops before the master forgets it.
    s = Announce(next, order);
    if (!s.ok()) return Fail("telling the slots: " + s.message(), ExitCodeFor(s));
    retired = retire_;
    Step(retire_ + " retired: a spare now (its files stay until you remove them)");
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (json_) {
    io_.out << json::Serialize(json::Value::Object()
                                   .Set("store", store_)
                                   .Set("added", to_)
                                   .Set("retired", retired)
                                   .Set("master", master_)
                                   .Set("users_verified", static_cast<uint64_t>(users))
                                   .Set("filled_seconds", filled)
                                   .Set("seconds", seconds))
            << '\n';
  } else {
    io_.out << "move " << store_ << ": " << to_ << " holds a verified copy ("
            << users << " users)" << (retired.empty() ? "; the store keeps its other copies too"
                                                      : "; " + retired + " retired")
            << " (" << seconds << " s)\n";
  }
  return kExitOk;
}

}  // namespace

int ClusterMove(const Invocation& inv, Io io) { return Move(inv, io).Run(); }

}  // namespace slotmail::admin
