#include "loadgen/preload.h"

#include <chrono>
#include <algorithm>
#include <cstdio>
#include <map>

#include "loadgen/imap_conn.h"

namespace slotmail::loadgen {
namespace {

class Filler {
 public:
  Filler(net::EventLoop* loop, const PreloadSpec& spec, PreloadResult* result)
      : loop_(loop), spec_(spec), result_(result) {}

  void Start() {
    running_ = std::min<int>(spec_.connections, int(spec_.users.size()));
    if (running_ == 0) return loop_->Stop();
    for (int i = 0; i < running_; ++i) NextUser();
  }

 private:
  void Error(const std::string& what, const Reply* r) {
    ++result_->errors;
    fprintf(stderr, "imapbench: preload error: %s: %s\n", what.c_str(),
            r == nullptr ? "" : r->closed ? "connection closed" : r->status.c_str());
  }

  // One worker: takes the next user, or ends.
  void NextUser() {
    if (next_user_ >= spec_.users.size()) {
      if (--running_ == 0) ImapConn::StopLoopWhenAllGone(loop_);
      return;
    }
    size_t u = next_user_++;
    Result<ImapConn*> c = ImapConn::Open(loop_, spec_.host, spec_.port, [this, u](Reply* r) {
      if (r->closed) return Error("greeting", r), Done(u);
      Login(u);
    });
    if (!c.ok()) {
      Error(c.status().ToString(), nullptr);
      return NextUser();
    }
    conns_[u] = *c;
  }

  void Done(size_t u) {
    conns_[u]->Close();
    conns_.erase(u);
    NextUser();
  }

  void Login(size_t u) {
    std::string cmd = "LOGIN \"" + spec_.users[u] + "\" \"" + spec_.password + "\"";
    conns_[u]->Send(cmd, [this, u](Reply* r) {
      if (!r->ok()) return Error("LOGIN " + spec_.users[u], r), Done(u);
      conns_[u]->Send("STATUS INBOX (MESSAGES)", [this, u](Reply* r) {
        std::optional<uint64_t> have;
        for (const std::string& s : r->untagged) have = NumberAfter(s, "MESSAGES");
        if (!r->ok() || !have) return Error("STATUS " + spec_.users[u], r), Done(u);
        Append(u, *have);
      });
    });
  }

  void Append(size_t u, size_t i) {
    if (i >= spec_.messages) {
      return conns_[u]->Send("LOGOUT", [this, u](Reply*) { Done(u); });
    }
    const std::string& m = spec_.corpus->Message((u * 7919 + i) % spec_.corpus->size());
    conns_[u]->SendLiteral("APPEND INBOX ()", &m, [this, u, i](Reply* r) {
      if (!r->ok()) return Error("APPEND " + spec_.users[u], r), Done(u);
      ++result_->appended;
      Append(u, i + 1);
    });
  }

  net::EventLoop* loop_;
  const PreloadSpec& spec_;
  PreloadResult* result_;
  std::map<size_t, ImapConn*> conns_;
  size_t next_user_ = 0;
  int running_ = 0;
};

}  // namespace

PreloadResult Preload(net::EventLoop* loop, const PreloadSpec& spec) {
  PreloadResult result;
  auto t0 = std::chrono::steady_clock::now();
  Filler filler(loop, spec, &result);
  loop->Post([&filler] { filler.Start(); });
  loop->Run();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace slotmail::loadgen
