#include "slotd/service.h"

#include <algorithm>
#include <optional>
#include <sstream>

#include "admin/mailctl.h"
#include "admin/remote.h"
#include "common/log.h"
#include "imapd/server.h"
#include "lmtpd/server.h"
#include "replication/image_codec.h"
#include "replication/replicator.h"
#include "replication/tcp_channel.h"
#include "store/store.h"

namespace slotmail::slotd {
namespace {

// Pool keys of the service's own work; user names cannot hold \x01, so
// these never serialise behind (or ahead of) a user's work.
const char kStatusKey[] = "\x01status";
// How long a freeze waits for client work admitted before it (a slow
// delivery to many recipients), and how often it looks.
constexpr std::chrono::seconds kFreezeWorkTimeout{30};
constexpr std::chrono::milliseconds kFreezePollInterval{2};
// One answer of `summaries` stops after this many bytes of summaries (the
// control line is at most limits::kMaxControlLineBytes): the caller asks
// again with "after" set to the last user it got.
constexpr size_t kSummariesPageBytes = 256 << 10;
// How stale status totals may be before a status request starts a new pass.
constexpr std::chrono::seconds kTotalsMaxAge{5};
// How long a status request waits for a new pass before it answers with the
// previous totals.
constexpr std::chrono::milliseconds kTotalsWait{500};

std::string Listen(const std::string& configured, uint16_t port) {
  if (configured.empty() || port == 0) return "";
  return configured.substr(0, configured.rfind(':') + 1) + std::to_string(port);
}

}  // namespace

SlotService::SlotService(const SlotdConfig& config, slots::RoleRecord role, ServingGate* gate,
                         SyncBarrier* barrier, imapd::Server* imap, lmtpd::Server* lmtp)
    : config_(config), role_(std::move(role)), gate_(gate), imap_(imap), lmtp_(lmtp),
      barrier_(barrier) {}

json::Value SlotService::Hello() {
  return json::Value::Object()
      .Set("slot", config_.identity.slot)
      .Set("store", role_.store)
      .Set("role", slots::RoleName(role_.role))
      .Set("epoch", role_.epoch);
}

std::string SlotService::Refusal() const {
  const SlotIdentity& id = config_.identity;
  const std::string me = id.slot.empty() ? "This slot" : "This slot (" + id.slot + ")";
  std::string where;
  if (!id.master.empty()) {
    where = "; its master is " + id.master +
            (id.master_imap.empty() ? "" : " at " + id.master_imap);
  }
  switch (role_.role) {
    case slots::Role::kMaster: return "";
    case slots::Role::kReplica: return me + " is a replica of store " + role_.store + where;
    case slots::Role::kFenced:
      return me + " is fenced: store " + role_.store + " has a newer epoch (" +
             std::to_string(role_.epoch) + ") than this slot was started with" + where;
    case slots::Role::kSpare: return me + " is a spare and serves no store";
  }
  return me + " does not serve";
}

SlotService::~SlotService() { Shutdown(); }

void SlotService::Shutdown() { StopReplicator(); }

void SlotService::StopReplicator() {
  if (!replicator_) return;
  barrier_->SetReplicator(nullptr);
  replicator_->Stop();  // wakes sync-mode waiters, who get an error
  replicator_.reset();
}

void SlotService::StartReplicator() {
  std::vector<replication::ReplicaTarget> targets;
  for (const StorePeer& peer : config_.identity.store_slots) {
    if (peer.slot == config_.identity.slot) continue;
    replication::TcpTarget t;
    t.address = peer.address;
    t.port = peer.port;
    t.tls = ClientTls{config_.server.tls_cert, config_.server.tls_key, config_.cluster_ca,
                      peer.address};
    t.store = role_.store;
    t.from = config_.identity.slot;
    t.epoch = role_.epoch;
    t.compress = config_.replication_compress;
    net::EventLoop* loop = imap_->loop();
    targets.push_back({peer.slot, [this, t, loop, peer = peer.slot]()
                                      -> Result<std::unique_ptr<replication::ReplicaChannel>> {
                         auto ch = replication::TcpChannel::Connect(t);
                         if (!ch.ok() && ch.status().code() == Code::kNotMaster) {
                           // Our replica is master now: a failover happened
                           // without us (this slot was stopped or cut off).
                           const std::string why = ch.status().message();
                           loop->Post([this, peer, why] { FenceSuperseded(peer, why); });
                         }
                         if (!ch.ok()) return ch.status();
                         return std::unique_ptr<replication::ReplicaChannel>(std::move(*ch));
                       }});
  }
  if (targets.empty()) return;
  replicator_ = std::make_shared<replication::Replicator>(&imap_->store(), std::move(targets));
  replicator_->Start();
  barrier_->SetReplicator(replicator_);
}

Status SlotService::AcceptReplicationHello(const std::string& store, const std::string& from,
                                           uint64_t epoch) {
  if (role_.store.empty() || store != role_.store) {
    return Status::Permission("this slot does not belong to store " + store);
  }
  if (epoch < role_.epoch) {
    return Status::Permission("sender " + from + " has epoch " + std::to_string(epoch) +
                              ", older than epoch " + std::to_string(role_.epoch) +
                              " this slot has seen");
  }
  if (role_.role == slots::Role::kMaster && epoch <= role_.epoch) {
    return Status::NotMaster("this slot is the master of store " + store + " at epoch " +
                             std::to_string(role_.epoch));
  }
  if (role_.role != slots::Role::kReplica) {
    // This slot was master (or is a fenced old master) and a newer master
    // exists. If it holds changes its replicas never confirmed, a sync
    // would overwrite them: it stays fenced and keeps them for a rejoin.
    StopReplicator();  // nothing may acknowledge the log meanwhile
    auto pending = imap_->store().ReadChanges(1);
    if (!pending.ok() || !pending->users.empty()) {
      slots::RoleRecord fenced = slots::NextRole(role_, epoch, slots::Role::kFenced);
      RETURN_IF_ERROR(slots::WriteRoleFile(config_.server.slot_dir, fenced));
      log::Error("replication: " + from + " is master of store " + store + " at epoch " +
                 std::to_string(epoch) + ", but this slot holds changes its replicas never "
                 "confirmed; it stays fenced and keeps them for a rejoin instead of being "
                 "overwritten");
      role_ = fenced;
      config_.identity.master = from;
      config_.identity.master_imap.clear();
      config_.identity.master_lmtp.clear();
      ApplyRole();
      return Status::Permission("this slot holds changes its replicas never confirmed: it needs "
                                "a rejoin, not a sync");
    }
  }
  if (epoch > role_.epoch || role_.role != slots::Role::kReplica) {
    // A master with a newer epoch exists: whatever this slot was, it is now
    // that master's replica (a master that learns of it stops writing).
    slots::RoleRecord next = slots::NextRole(role_, epoch, slots::Role::kReplica);
    RETURN_IF_ERROR(slots::WriteRoleFile(config_.server.slot_dir, next));  // rare; on the loop
    log::Warning("replication: " + from + " replicates store " + store + " at epoch " +
                 std::to_string(epoch) + "; this slot becomes its replica (was " +
                 slots::RoleName(role_.role) + " at epoch " + std::to_string(role_.epoch) + ")");
    role_ = next;
    config_.identity.master = from;
    config_.identity.master_imap.clear();
    config_.identity.master_lmtp.clear();
    ApplyRole();
  }
  return Status::Ok();
}

void SlotService::ApplyRole() {
  // A master records each user's split point before its first write in
  // this epoch (for a rejoin of the master before it); nothing else does.
  imap_->store().SetMasterEpoch(role_.role == slots::Role::kMaster ? role_.epoch : 0);
  if (role_.role == slots::Role::kMaster) {
    gate_->Open();
    if (!replicator_) StartReplicator();
    return;
  }
  StopReplicator();  // a replica ships nothing
  const bool was_open = gate_->open();
  gate_->Close(Refusal());
  if (was_open) imap_->DisconnectLoggedIn();
}

void SlotService::Handle(const json::Value& req, std::string /*attachment: none here*/,
                         Reply reply) {
  const std::string op = *req.GetString("op");  // the server checked it
  if (op == "status") return StatusOp(std::move(reply));
  if (op == "admin") return Admin(req, std::move(reply));
  if (op == "role") return SetRole(req, std::move(reply));
  if (op == "users") return Users(std::move(reply));
  if (op == "freeze") return Freeze(req, std::move(reply));
  if (op == "summaries") return Summaries(req, std::move(reply));
  if (op == "changed_users") {
    if (!replicator_) {
      return reply(slots::ErrorReply(Status::NotMaster("only a master with replicas knows")));
    }
    json::Value list = json::Value::Array();
    for (const auto& u : replicator_->ChangedSinceStart()) list.Push(u);
    return reply(json::Value::Object().Set("users", list));
  }
  if (op == "rejoin") return RejoinOp(req, std::move(reply));
  if (op == "store_slots") return StoreSlotsOp(req, std::move(reply));
  reply(slots::ErrorReply(Status::InvalidArgument("unknown op '" + op.substr(0, 64) + "'")));
}

void SlotService::StatusOp(Reply reply) {
  json::Value out = json::Value::Object();
  const SlotIdentity& id = config_.identity;
  out.Set("slot", id.slot)
      .Set("machine", id.machine)
      .Set("store", role_.store)
      .Set("role", slots::RoleName(role_.role))
      .Set("epoch", role_.epoch)
      .Set("mode", id.sync_mode ? "sync" : "async")
      .Set("sync_degraded", barrier_->degraded())
      .Set("serving", gate_->open())
      .Set("imap", Listen(config_.server.imap_listen, imap_->imap_port()))
      .Set("imaps", Listen(config_.server.imaps_listen, imap_->imaps_port()))
      .Set("lmtp", Listen(config_.server.lmtp_listen, lmtp_->tcp_port()))
      .Set("size", id.size)
      .Set("uptime_seconds",
           static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now() - started_)
                                    .count()))
      .Set("connections",
           json::Value::Object()
               .Set("imap", static_cast<uint64_t>(imap_->session_count()))
               .Set("lmtp", static_cast<uint64_t>(lmtp_->session_count()))
               .Set("control",
                    static_cast<uint64_t>(control_ ? control_->connection_count() : 0)))
      .Set("lag_seconds", nullptr)
      .Set("pending_users", nullptr);
  if (last_replication_ != std::chrono::steady_clock::time_point{}) {
    out.Set("master_heard_seconds_ago",
            std::chrono::duration<double>(std::chrono::steady_clock::now() - last_replication_)
                .count());
  }
  if (replicator_) {
    const replication::ReplicatorStats rs = replicator_->stats();
    json::Value down = json::Value::Array(), failing = json::Value::Object();
    for (const auto& d : rs.down) down.Push(d);
    for (const auto& [user, why] : rs.failing) failing.Set(user, why);
    json::Value passes = json::Value::Array();
    for (const auto& p : rs.full_passes) {
      passes.Push(json::Value::Object()
                      .Set("replica", p.replica)
                      .Set("users_done", static_cast<uint64_t>(p.users_done))
                      .Set("users_total", static_cast<uint64_t>(p.users_total))
                      .Set("bytes_done", p.bytes_done));
    }
    out.Set("full_sync", passes);
    out.Set("lag_seconds", rs.lag_seconds)
        .Set("pending_users", static_cast<uint64_t>(rs.pending_users))
        .Set("replicas_down", down)
        .Set("replicas_connected", replicator_->AllConnected())
        .Set("failing_users", failing)
        .Set("replicated_bytes", rs.blob_bytes);
  }
  auto answer = [out, reply](const Totals& t) mutable {
    out.Set("users", t.users)
        .Set("messages", t.messages)
        .Set("bytes", t.bytes)
        .Set("totals_age_seconds",
             static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::steady_clock::now() - t.at)
                                      .count()));
    reply(out);
  };
  if (totals_ && std::chrono::steady_clock::now() - totals_->at <= kTotalsMaxAge) {
    return answer(*totals_);
  }
  // A new pass. When it takes longer than kTotalsWait (a slot with very many
  // users) and there are earlier totals, those answer meanwhile, so status
  // stays within mailctl's 1 s.
  auto answered = std::make_shared<bool>(false);
  auto once = [answered, answer](const Totals& t) mutable {
    if (*answered) return;
    *answered = true;
    answer(t);
  };
  std::shared_ptr<net::EventLoop::Timer> fallback;
  if (totals_) {
    fallback = imap_->loop()->After(kTotalsWait, [once, last = *totals_]() mutable { once(last); });
  }
  RefreshTotals([once, fallback](const Totals& t) mutable {
    fallback.reset();  // cancels it if it has not fired
    once(t);
  });
}

void SlotService::RefreshTotals(std::function<void(const Totals&)> done) {
  store::Store* st = &imap_->store();
  net::EventLoop* loop = imap_->loop();
  const uint64_t generation = totals_generation_;
  imap_->pool().Submit(kStatusKey, [this, st, loop, done, generation] {
    Totals t;
    if (auto names = st->ListUsers(); names.ok()) {
      for (const std::string& u : *names) {
        auto q = st->GetQuota(u);
        if (!q.ok()) continue;  // deleted meanwhile
        ++t.users;
        t.messages += q->used_messages;
        t.bytes += q->used_bytes;
      }
    }
    t.at = std::chrono::steady_clock::now();
    loop->Post([this, t, done, generation] {
      if (generation == totals_generation_) totals_ = t;
      done(t);
    });
  });
}

void SlotService::Admin(const json::Value& req, Reply reply) {
  const json::Value* args = req.Find("args");
  if (args == nullptr || !args->is_array()) {
    return reply(slots::ErrorReply(Status::InvalidArgument("admin: args must be an array")));
  }
  std::vector<std::string> argv;
  for (const json::Value& a : args->Items()) {
    if (!a.is_string()) {
      return reply(slots::ErrorReply(Status::InvalidArgument("admin: args must be strings")));
    }
    argv.push_back(a.AsString());
  }
  std::string input;
  if (const json::Value* s = req.Find("stdin")) {
    if (!s->is_string()) {
      return reply(slots::ErrorReply(Status::InvalidArgument("admin: stdin must be a string")));
    }
    input = s->AsString();
  }
  auto inv = admin::PrepareRemoteCommand(argv);
  if (!inv.ok()) return reply(slots::ErrorReply(inv.status()));
  if (!gate_->open() && !admin::ReadsOnly(*inv->command)) {
    // Only the master writes: a replica takes its changes from the master.
    return reply(slots::ErrorReply(Status::NotMaster(gate_->refusal())));
  }
  // A user's commands queue behind that user's IMAP and LMTP work.
  const std::string key = inv->args.empty() ? std::string(kStatusKey) : inv->args[0];
  store::Store* st = &imap_->store();
  net::EventLoop* loop = imap_->loop();
  imap_->pool().Submit(key, [this, st, loop, cmd = *inv, input, reply, pass = gate_->Pass()] {
    std::istringstream in(input);
    std::ostringstream out, err;
    int code = admin::Execute(cmd, st, {in, out, err});
    std::optional<std::string> deleted_user;
    if (cmd.command->group == "user" && cmd.command->verb == "del") deleted_user = cmd.args[0];
    loop->Post([this, reply, code, deleted_user, o = out.str(), e = err.str()] {
      if (deleted_user && code == 0) imap_->DisconnectUser(*deleted_user);
      // Users or quotas may have changed: the next status counts afresh.
      totals_.reset();
      ++totals_generation_;
      reply(json::Value::Object().Set("exit", code).Set("out", o).Set("err", e));
    });
  });
}

void SlotService::SetRole(const json::Value& req, Reply reply) {
  auto role_name = req.GetString("role");
  auto epoch = req.GetInt("epoch");
  if (!role_name.ok()) return reply(slots::ErrorReply(role_name.status()));
  if (!epoch.ok()) return reply(slots::ErrorReply(epoch.status()));
  auto role = slots::ParseRole(*role_name);
  if (!role || (*role != slots::Role::kMaster && *role != slots::Role::kReplica)) {
    return reply(slots::ErrorReply(Status::InvalidArgument("role must be master or replica")));
  }
  if (*epoch < 0) return reply(slots::ErrorReply(Status::InvalidArgument("epoch must be >= 0")));
  std::string fields[3];
  const char* names[3] = {"master", "master_imap", "master_lmtp"};
  for (int i = 0; i < 3; ++i) {
    if (const json::Value* v = req.Find(names[i])) {
      if (!v->is_string()) {
        return reply(slots::ErrorReply(
            Status::InvalidArgument(std::string(names[i]) + " must be a string")));
      }
      fields[i] = v->AsString();
    }
  }
  if (role_.store.empty()) {
    return reply(slots::ErrorReply(Status::InvalidArgument(
        "this slot belongs to no store; production.dat must name it first")));
  }
  const uint64_t e = static_cast<uint64_t>(*epoch);
  if (e < role_.epoch) {
    return reply(slots::ErrorReply(Status::InvalidArgument(
        "epoch " + std::to_string(e) + " is older than epoch " + std::to_string(role_.epoch) +
        " this slot has seen")));
  }
  const bool repeat = role_.role == slots::Role::kMaster && e == role_.epoch;
  if (*role == slots::Role::kMaster && e == role_.epoch && !repeat) {
    return reply(slots::ErrorReply(Status::InvalidArgument(
        "becoming master needs an epoch above " + std::to_string(role_.epoch))));
  }
  ChangeRole(slots::NextRole(role_, e, *role), fields[0], fields[1], fields[2],
             [this, reply](const Status& st) {
               if (!st.ok()) return reply(slots::ErrorReply(st));
               reply(json::Value::Object()
                         .Set("role", slots::RoleName(role_.role))
                         .Set("epoch", role_.epoch));
             });
}

void SlotService::ChangeRole(slots::RoleRecord next, std::string master, std::string imap,
                             std::string lmtp, std::function<void(const Status&)> done) {
  if (role_change_running_) return done(Status::InUse("another role change is in progress"));
  role_change_running_ = true;
  const std::string dir = config_.server.slot_dir;
  net::EventLoop* loop = imap_->loop();
  imap_->pool().Submit(kRoleKey, [this, dir, next, loop, done, master, imap, lmtp] {
    // Durable before anyone acts on it: the file is the fence.
    slotmail::Status st = slots::WriteRoleFile(dir, next);
    loop->Post([this, st, next, done, master, imap, lmtp] {
      role_change_running_ = false;
      if (!st.ok()) {
        log::Error("control: role change not recorded: " + st.ToString());
        return done(st);
      }
      log::Info(std::string("control: role ") + slots::RoleName(role_.role) + " epoch " +
                std::to_string(role_.epoch) + " -> " + slots::RoleName(next.role) + " epoch " +
                std::to_string(next.epoch));
      role_ = next;
      if (next.role == slots::Role::kMaster) {
        config_.identity.master = config_.identity.slot;
        config_.identity.master_imap.clear();
        config_.identity.master_lmtp.clear();
      } else {
        // Where the master now is, if the request said; never ourselves.
        config_.identity.master = master;
        config_.identity.master_imap = imap;
        config_.identity.master_lmtp = lmtp;
      }
      ApplyRole();
      done(Status::Ok());
    });
  });
}

void SlotService::Users(Reply reply) {
  store::Store* st = &imap_->store();
  net::EventLoop* loop = imap_->loop();
  imap_->pool().Submit(kStatusKey, [st, loop, reply] {
    auto names = st->ListUsers();
    loop->Post([reply, names] {
      if (!names.ok()) return reply(slots::ErrorReply(names.status()));
      json::Value list = json::Value::Array();
      for (const auto& n : *names) list.Push(n);
      reply(json::Value::Object().Set("users", list));
    });
  });
}

void SlotService::FenceSuperseded(const std::string& peer, const std::string& why) {
  if (role_.role != slots::Role::kMaster) return;  // already done, or demoted meanwhile
  // A master that learns of another master stops taking writes at once;
  // the new master's own hello (a newer epoch) settles the role later.
  slots::RoleRecord fenced = slots::NextRole(role_, role_.epoch, slots::Role::kFenced);
  Status st = slots::WriteRoleFile(config_.server.slot_dir, fenced);
  log::Error("replication: replica " + peer + " says it is master (" + why + "): this slot stops "
             "taking writes" + (st.ok() ? "" : " (the fence is not recorded: " + st.ToString() + ")"));
  role_ = fenced;
  config_.identity.master = peer;
  config_.identity.master_imap.clear();
  config_.identity.master_lmtp.clear();
  ApplyRole();
}

void SlotService::Freeze(const json::Value& req, Reply reply) {
  auto on = req.GetBool("on");
  if (!on.ok()) return reply(slots::ErrorReply(on.status()));
  if (role_.role != slots::Role::kMaster) {
    return reply(slots::ErrorReply(Status::NotMaster("only a master can be frozen or thawed")));
  }
  if (!*on) {
    if (!gate_->open()) {
      gate_->Open();
      log::Info("control: thawed: taking client writes again");
    }
    return reply(json::Value::Object().Set("serving", true));
  }
  const bool was_open = gate_->open();
  gate_->Close("store " + role_.store + " is changing master (planned failover); try again shortly");
  if (was_open) {
    log::Info("control: frozen for a planned failover: no client writes from now on");
    imap_->DisconnectLoggedIn();
  }
  // The answer waits for the work the gate let in before it closed (a
  // delivery or APPEND still in the pool): only then is "nothing pending"
  // in the change log the whole truth.
  WhenAdmittedWorkDone(std::chrono::steady_clock::now() + kFreezeWorkTimeout,
                       [this, reply](size_t left) {
                         if (left == 0) return reply(json::Value::Object().Set("serving", false));
                         log::Warning("control: frozen, but " + std::to_string(left) +
                                      " client jobs admitted before are still running");
                         reply(slots::ErrorReply(Status::InUse(
                             std::to_string(left) + " client jobs admitted before the freeze "
                             "are still running after " +
                             std::to_string(kFreezeWorkTimeout.count()) + " s")));
                       });
}

void SlotService::WhenAdmittedWorkDone(std::chrono::steady_clock::time_point deadline,
                                       std::function<void(size_t left)> done) {
  const size_t left = gate_->in_flight();
  if (left == 0 || std::chrono::steady_clock::now() >= deadline) return done(left);
  auto timer = std::make_shared<std::unique_ptr<net::EventLoop::Timer>>();
  *timer = imap_->loop()->After(kFreezePollInterval, [this, deadline, done, timer]() mutable {
    auto keep = std::move(*timer);  // alive until this call ends
    WhenAdmittedWorkDone(deadline, std::move(done));
  });
}

void SlotService::Summaries(const json::Value& req, Reply reply) {
  std::string after;
  if (const json::Value* a = req.Find("after")) {
    if (!a->is_string()) return reply(slots::ErrorReply(Status::InvalidArgument("after: not a string")));
    after = a->AsString();
  }
  // Only these users (sorted; those this slot lacks are left out).
  std::optional<std::vector<std::string>> only;
  if (const json::Value* u = req.Find("users")) {
    if (!u->is_array()) return reply(slots::ErrorReply(Status::InvalidArgument("users: not an array")));
    only.emplace();
    for (const json::Value& n : u->Items()) {
      if (!n.is_string()) return reply(slots::ErrorReply(Status::InvalidArgument("users: not names")));
      only->push_back(n.AsString());
    }
    std::sort(only->begin(), only->end());
  }
  store::Store* st = &imap_->store();
  net::EventLoop* loop = imap_->loop();
  imap_->pool().Submit(kStatusKey, [st, loop, reply, after, only] {
    Result<json::Value> out = [&]() -> Result<json::Value> {
      std::vector<std::string> names;
      if (only) {
        names = *only;
      } else {
        ASSIGN_OR_RETURN(names, st->ListUsers());  // sorted
      }
      json::Value users = json::Value::Object();
      size_t bytes = 0;
      for (const auto& n : names) {
        if (n <= after) continue;
        if (bytes >= kSummariesPageBytes) {
          return json::Value::Object().Set("users", users).Set("more", true);
        }
        auto image = st->SummarizeUser(n);
        if (!image.ok() && image.status().code() == Code::kNotFound) continue;  // deleted meanwhile
        if (!image.ok()) return image.status();
        json::Value encoded = replication::EncodeImage(*image);
        bytes += json::Serialize(encoded).size() + n.size();
        users.Set(n, std::move(encoded));
      }
      return json::Value::Object().Set("users", users).Set("more", false);
    }();
    loop->Post([reply, out] { reply(out.ok() ? *out : slots::ErrorReply(out.status())); });
  });
}

}  // namespace slotmail::slotd
