#include "loadgen/imap_conn.h"

#include "loadgen/dial.h"

namespace slotmail::loadgen {
namespace {

// Per thread: each event loop runs on one thread.
thread_local size_t live_conns = 0;
thread_local net::EventLoop* stop_when_all_gone = nullptr;

}  // namespace

ImapConn::~ImapConn() {
  if (--live_conns == 0 && stop_when_all_gone != nullptr) {
    stop_when_all_gone->Stop();
    stop_when_all_gone = nullptr;
  }
}

void ImapConn::StopLoopWhenAllGone(net::EventLoop* loop) {
  if (live_conns == 0) return loop->Stop();
  stop_when_all_gone = loop;
}

Result<ImapConn*> ImapConn::Open(net::EventLoop* loop, const std::string& host, uint16_t port,
                                 Callback greeting) {
  ASSIGN_OR_RETURN(int fd, Dial(host, port));
  ImapConn* c = new ImapConn(loop);
  ++live_conns;
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
