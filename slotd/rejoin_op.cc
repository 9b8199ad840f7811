// The rejoin of a fenced old master (doc/replication.md "Rejoin",
// doc/control.md "rejoin"): both ends of it in slotd.
#include <algorithm>

#include "common/log.h"
#include "imapd/server.h"
#include "replication/rejoin.h"
#include "replication/tcp_channel.h"
#include "slotd/service.h"

namespace slotmail::slotd {
namespace {

// The longest lists a rejoin's answer carries (the control line is at most
// limits::kMaxControlLineBytes); the slot's log has every item.
constexpr size_t kMaxListed = 500;

json::Value Listed(const std::vector<std::string>& items) {
  json::Value out = json::Value::Array();
  for (size_t i = 0; i < items.size() && i < kMaxListed; ++i) out.Push(items[i]);
  return out;
}

json::Value ReportJson(const replication::RejoinReport& r) {
  json::Value copied = json::Value::Array();
  for (size_t i = 0; i < r.copied.size() && i < kMaxListed; ++i) {
    const auto& c = r.copied[i];
    copied.Push(json::Value::Object()
                    .Set("user", c.user)
                    .Set("mailbox", c.mailbox)
                    .Set("old_uid", static_cast<int64_t>(c.old_uid))
                    .Set("new_uid", static_cast<int64_t>(c.new_uid))
                    .Set("guid", c.guid)
                    .Set("why", c.why));
  }
  return json::Value::Object()
      .Set("users", static_cast<uint64_t>(r.users))
      .Set("copied", copied)
      .Set("copied_total", static_cast<uint64_t>(r.copied.size()))
      .Set("users_created", Listed(r.users_created))
      .Set("mailboxes_created", Listed(r.mailboxes_created))
      .Set("flags_restored", static_cast<uint64_t>(r.flags_restored))
      .Set("expunges_applied", static_cast<uint64_t>(r.expunges_applied))
      .Set("notes", Listed(r.notes))
      .Set("notes_total", static_cast<uint64_t>(r.notes.size()));
}

void LogReport(const replication::RejoinReport& r) {
  for (const auto& c : r.copied) {
    log::Info("rejoin: copied back " + c.user + "/" + c.mailbox + " UID " +
              std::to_string(c.old_uid) + " as UID " + std::to_string(c.new_uid) + " (" + c.guid +
              ", " + c.why + ")");
  }
  for (const auto& u : r.users_created) log::Info("rejoin: copied back user " + u + " whole");
  for (const auto& n : r.notes) log::Info("rejoin: " + n);
  log::Info("rejoin: " + std::to_string(r.users) + " users compared, " +
            std::to_string(r.copied.size()) + " messages copied back, " +
            std::to_string(r.flags_restored) + " flag changes and " +
            std::to_string(r.expunges_applied) + " expunges carried over");
}

}  // namespace

Status SlotService::AcceptRejoinHello(const std::string& store, const std::string& from,
                                      uint64_t epoch) {
  if (role_.store.empty() || store != role_.store) {
    return Status::Permission("this slot does not belong to store " + store);
  }
  if (role_.role != slots::Role::kMaster) {
    return Status::NotMaster("a rejoin goes to the master of store " + store +
                             "; this slot is " + slots::RoleName(role_.role));
  }
  if (epoch > role_.epoch) {
    return Status::Permission("sender " + from + " has epoch " + std::to_string(epoch) +
                              ", newer than this master's " + std::to_string(role_.epoch));
  }
  log::Info("replication: " + from + " rejoins store " + store + ": taking what only it holds");
  return Status::Ok();
}

void SlotService::RejoinOp(const json::Value& req, Reply reply) {
  auto master = req.GetString("master");
  auto epoch = req.GetInt("epoch");
  if (!master.ok()) return reply(slots::ErrorReply(master.status()));
  if (!epoch.ok()) return reply(slots::ErrorReply(epoch.status()));
  if (role_.role != slots::Role::kFenced) {
    return reply(slots::ErrorReply(Status::InvalidArgument(
        std::string("only a fenced slot rejoins; this slot is ") + slots::RoleName(role_.role))));
  }
  const StorePeer* peer = nullptr;
  for (const StorePeer& p : config_.identity.store_slots) {
    if (p.slot == *master && p.slot != config_.identity.slot) peer = &p;
  }
  if (peer == nullptr) {
    return reply(slots::ErrorReply(Status::InvalidArgument(
        *master + " is not another slot of store " + role_.store)));
  }
  if (*epoch < 0 || static_cast<uint64_t>(*epoch) < role_.epoch) {
    return reply(slots::ErrorReply(Status::InvalidArgument(
        "epoch " + std::to_string(*epoch) + " is older than epoch " +
        std::to_string(role_.epoch) + " this slot has seen")));
  }
  if (rejoin_running_) {
    return reply(slots::ErrorReply(Status::InUse("a rejoin is already running")));
  }
  rejoin_running_ = true;
  replication::TcpTarget t;
  t.address = peer->address;
  t.port = peer->port;
  t.tls = ClientTls{config_.server.tls_cert, config_.server.tls_key, config_.cluster_ca,
                    peer->address};
  t.store = role_.store;
  t.from = config_.identity.slot;
  t.epoch = role_.epoch;
  t.compress = config_.replication_compress;
  t.rejoin = true;
  // What the new master wrote after this slot's last epoch as master is
  // past its split point (a fence from before master_epoch was kept: the
  // epoch just below the one it was fenced at).
  const uint64_t after = role_.master_epoch != 0 ? role_.master_epoch
                                                 : std::max<uint64_t>(role_.epoch, 1) - 1;
  const uint64_t next_epoch = static_cast<uint64_t>(*epoch);
  store::Store* st = &imap_->store();
  net::EventLoop* loop = imap_->loop();
  log::Info("rejoin: copying what only this slot holds into " + *master + " (changes after epoch " +
            std::to_string(after) + ")");
  imap_->pool().Submit(kRoleKey, [this, st, loop, t, after, next_epoch, reply, m = *master] {
    Result<replication::RejoinReport> report = [&]() -> Result<replication::RejoinReport> {
      ASSIGN_OR_RETURN(auto ch, replication::TcpChannel::Connect(t));
      return replication::Rejoin(st, ch.get(), after);
    }();
    loop->Post([this, report, next_epoch, reply, m] {
      if (!report.ok()) {
        rejoin_running_ = false;
        log::Error("rejoin: stopped, this slot stays fenced: " + report.status().ToString());
        return reply(slots::ErrorReply(report.status()));
      }
      LogReport(*report);
      ChangeRole(slots::NextRole(role_, next_epoch, slots::Role::kReplica), m, "", "",
                 [this, reply, out = ReportJson(*report)](const Status& st) mutable {
                   rejoin_running_ = false;
                   if (!st.ok()) return reply(slots::ErrorReply(st));
                   reply(out.Set("role", slots::RoleName(role_.role)).Set("epoch", role_.epoch));
                 });
    });
  });
}

}  // namespace slotmail::slotd
