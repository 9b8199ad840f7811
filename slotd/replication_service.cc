#include "slotd/replication_service.h"

#include "common/log.h"
#include "imapd/server.h"
#include "replication/rejoin_side.h"
#include "replication/replica_side.h"
#include "slotd/service.h"
#include "store/store.h"

namespace slotmail::slotd {

json::Value ReplicationService::Hello() {
  return json::Value::Object()
      .Set("slot", slot_->slot_name())
      .Set("store", slot_->role().store)
      .Set("epoch", slot_->role().epoch);
}

Status ReplicationService::AcceptHello(const json::Value& hello) {
  ASSIGN_OR_RETURN(std::string store, hello.GetString("store"));
  ASSIGN_OR_RETURN(std::string from, hello.GetString("from"));
  ASSIGN_OR_RETURN(int64_t epoch, hello.GetInt("epoch"));
  if (epoch < 0) return Status::InvalidArgument("epoch must be >= 0");
  if (const json::Value* rejoin = hello.Find("rejoin"); rejoin != nullptr && rejoin->is_bool() &&
                                                        rejoin->AsBool()) {
    return slot_->AcceptRejoinHello(store, from, static_cast<uint64_t>(epoch));
  }
  return slot_->AcceptReplicationHello(store, from, static_cast<uint64_t>(epoch));
}

void ReplicationService::Handle(const json::Value& req, std::string attachment, Reply reply) {
  auto refuse = [&](const Status& st) {
    log::Warning("replication: refused a request: " + st.ToString());
    reply(slots::ErrorReply(st));
  };
  if (replication::IsRejoinRequest(req)) return HandleRejoin(req, std::move(attachment), reply);
  if (!slot_->TakesReplication()) {
    // Became master since the hello: nobody else may write here now.
    return refuse(Status::NotMaster("this slot is now the master of its store"));
  }
  slot_->NoteReplication();
  auto user = replication::RequestUser(req);
  if (!user.ok()) return refuse(user.status());
  store::Store* st = &imap_->store();
  net::EventLoop* loop = imap_->loop();
  // A user's requests queue behind its other work; requests about no user
  // (the user list) take a key no user name can be.
  const std::string key = user->empty() ? std::string("\x01replication") : *user;
  auto bytes = std::make_shared<std::string>(std::move(attachment));  // not copied per task copy
  imap_->pool().Submit(key, [st, loop, req, reply, bytes, who = *user] {
    auto answer = replication::HandleReplicaRequest(st, req, *bytes);
    loop->Post([answer, reply, req, who] {
      if (!answer.ok()) {
        // A refused request may be damage in transit or a confused master:
        // an operator wants to see it.
        auto op = req.GetString("op");
        log::Warning("replication: refused " + (op.ok() ? op->substr(0, 32) : std::string("?")) +
                     (who.empty() ? "" : " for " + who) + ": " + answer.status().ToString());
      }
      reply(answer.ok() ? *answer : slots::ErrorReply(answer.status()));
    });
  });
}

void ReplicationService::HandleRejoin(const json::Value& req, std::string attachment, Reply reply) {
  if (!slot_->ServesWrites()) {
    log::Warning("replication: refused a rejoin request: this slot takes no writes now");
    return reply(slots::ErrorReply(Status::NotMaster("this slot takes no writes now")));
  }
  auto user = replication::RequestUser(req);
  if (!user.ok()) return reply(slots::ErrorReply(user.status()));
  store::Store* st = &imap_->store();
  net::EventLoop* loop = imap_->loop();
  auto bytes = std::make_shared<std::string>(std::move(attachment));
  // Behind the user's IMAP and LMTP work, like any write of the user.
  imap_->pool().Submit(*user, [st, loop, req, reply, bytes, who = *user, pass = slot_->WorkPass()] {
    auto answer = replication::HandleRejoinRequest(st, req, *bytes);
    loop->Post([answer, reply, req, who] {
      auto op = req.GetString("op");
      const std::string what = (op.ok() ? op->substr(0, 32) : std::string("?")) + " for " + who;
      if (!answer.ok()) log::Warning("replication: rejoin " + what + " refused: " + answer.status().ToString());
      if (answer.ok() && op.ok() && *op == "rejoin_append") {
        log::Info("replication: rejoin copied back a message for " + who + " as UID " +
                  std::to_string(*answer->GetInt("uid")));
      }
      reply(answer.ok() ? *answer : slots::ErrorReply(answer.status()));
    });
  });
}

}  // namespace slotmail::slotd
