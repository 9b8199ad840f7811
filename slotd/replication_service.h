// The replica's end of the replication channel in slotd: the hello goes to
// the SlotService (store, epoch, role: the fence), each request to
// replication::HandleReplicaRequest on the worker pool, serialised with the
// user's other work. On a master, a fenced old master's rejoin requests
// (hello with "rejoin": true) go to replication::HandleRejoinRequest the
// same way. Loop thread.
#pragma once

#include <string>

#include "slots/control_server.h"

namespace slotmail::imapd {
class Server;
}

namespace slotmail::slotd {

class SlotService;

class ReplicationService : public slots::ControlService {
 public:
  // Both must outlive the service.
  ReplicationService(SlotService* slot, imapd::Server* imap) : slot_(slot), imap_(imap) {}

  json::Value Hello() override;
  Status AcceptHello(const json::Value& hello) override;
  void Handle(const json::Value& request, std::string attachment, Reply reply) override;

 private:
  void HandleRejoin(const json::Value& request, std::string attachment, Reply reply);

  SlotService* slot_;
  imapd::Server* imap_;
};

}  // namespace slotmail::slotd
