// One client IMAP connection for the load generator, on the shared event
// loop (common/net.h is the only libevent user). Sends one command at a time
// and hands back the untagged responses and the tagged status.
//
// Lifetime: created by Open; the owner always ends it with Close() (also
// after a reply with `closed` set), and the object deletes itself once the
// connection is gone. The owner must not touch it after calling Close().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/net.h"
#include "common/status.h"
#include "loadgen/response.h"

namespace slotmail::loadgen {

struct Reply {
  std::vector<std::string> untagged;  // "* ..." responses, literals in place
  std::string status;                 // tagged text after the tag: "OK ...", "NO ..."
  bool closed = false;                // the connection closed before the tagged line
  bool ok() const { return !closed && StartsWithNoCase(status, "OK"); }
};

class ImapConn : public net::Connection::Handler {
 public:
  using Callback = std::function<void(Reply*)>;

  // Connects to host:port (numeric or resolvable); `greeting` gets the
  // server greeting as status (e.g. "OK ready") or closed.
  static Result<ImapConn*> Open(net::EventLoop* loop, const std::string& host, uint16_t port,
                                Callback greeting);

  // Sends "TAG command\r\n". REQUIRES: no command in flight.
  void Send(std::string_view command, Callback done);
  // Sends "TAG prefix {N}\r\n", waits for the continuation, then the N bytes
  // of `literal` and CRLF. `literal` must outlive the command.
  void SendLiteral(std::string_view prefix, const std::string* literal, Callback done);
  // Closes the connection; no callback runs afterwards. The object deletes
  // itself once the close is done.
  void Close();
  // Stops `loop` as soon as no ImapConn of this thread is left (at once if
  // none is), so connections still closing are not leaked by a loop that
  // stopped under them.
  static void StopLoopWhenAllGone(net::EventLoop* loop);

  void OnInput(net::Connection* c) override;
  void OnDrained(net::Connection*) override {}
  void OnEvent(net::Connection* c, net::Connection::Event e) override;

 private:
  explicit ImapConn(net::EventLoop* loop) : loop_(loop) {}
  ~ImapConn() override;
  void Finish(bool closed, std::string status);
  void MaybeDelete();

  net::EventLoop* loop_;
  std::unique_ptr<net::Connection> conn_;
  ResponseReader reader_;
  std::vector<std::string> responses_;  // scratch for the reader
  Callback pending_;
  Reply reply_;
  std::string tag_;
  const std::string* literal_ = nullptr;  // waiting for "+" to send this
  uint64_t next_tag_ = 1;
  bool greeting_ = true;
  bool close_requested_ = false;
  bool closed_ = false;
  bool delete_posted_ = false;
};

}  // namespace slotmail::loadgen
