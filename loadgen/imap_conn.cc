#include "loadgen/imap_conn.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace slotmail::loadgen {
namespace {

// A blocking connect (loopback benchmarks: it completes at once), TCP_NODELAY.
Result<int> Dial(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) return Status::InvalidArgument(host + ": " + gai_strerror(rc));
  int fd = -1, err = 0;
  for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      err = errno;
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) return Status::IOError("connect " + host + ":" + service + ": " + strerror(err));
  // Commands go out whole; Nagle would only add delayed-ACK stalls.
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

Result<ImapConn*> ImapConn::Open(net::EventLoop* loop, const std::string& host, uint16_t port,
                                 Callback greeting) {
  ASSIGN_OR_RETURN(int fd, Dial(host, port));
  ImapConn* c = new ImapConn(loop);
  c->pending_ = std::move(greeting);
  c->conn_ = net::Connection::Adopt(loop, fd, host, nullptr, c);
  return c;
}

void ImapConn::Send(std::string_view command, Callback done) {
  tag_ = "a" + std::to_string(next_tag_++);
  pending_ = std::move(done);
  reply_ = Reply();
  std::string line = tag_ + " ";
  line.append(command);
  line.append("\r\n");
  conn_->Write(line);
}

void ImapConn::SendLiteral(std::string_view prefix, const std::string* literal, Callback done) {
  std::string command(prefix);
  command += " {" + std::to_string(literal->size()) + "}";
  Send(command, std::move(done));
  literal_ = literal;
}

void ImapConn::Close() {
  pending_ = nullptr;
  close_requested_ = true;
  if (!closed_) conn_->CloseAfterFlush();
  MaybeDelete();
}

void ImapConn::OnInput(net::Connection* c) {
  std::string data;
  c->TakeInput(&data);
  responses_.clear();
  reader_.Feed(data, &responses_);
  for (std::string& r : responses_) {
    if (close_requested_ || !pending_) return;
    if (greeting_) {
      greeting_ = false;
      Finish(false, r.size() > 2 ? r.substr(2) : r);
    } else if (r.size() >= 1 && r[0] == '+') {
      if (literal_ != nullptr) {
        conn_->Write(*literal_);
        conn_->Write("\r\n");
        literal_ = nullptr;
      } else {
        reply_.untagged.push_back(std::move(r));  // unexpected; the check will see it
      }
    } else if (r.size() > tag_.size() && r.compare(0, tag_.size(), tag_) == 0 &&
               r[tag_.size()] == ' ') {
      Finish(false, r.substr(tag_.size() + 1));
    } else {
      reply_.untagged.push_back(std::move(r));
    }
  }
}

void ImapConn::OnEvent(net::Connection*, net::Connection::Event e) {
  if (e != net::Connection::Event::kClosed) return;
  closed_ = true;
  if (pending_) Finish(true, "");
  MaybeDelete();
}

void ImapConn::Finish(bool closed, std::string status) {
  Callback done = std::move(pending_);
  pending_ = nullptr;
  literal_ = nullptr;
  reply_.closed = closed;
  reply_.status = std::move(status);
  Reply reply = std::move(reply_);
  reply_ = Reply();
  done(&reply);  // may call Send (next command) or Close
}

void ImapConn::MaybeDelete() {
  if (!(closed_ && close_requested_) || delete_posted_) return;
  delete_posted_ = true;
  loop_->Post([this] { delete this; });
}

}  // namespace slotmail::loadgen
