// Session flow of a load client: connect, LOGIN, SELECT, weighted
// operations, LOGOUT, again; errors and the orderly stop at the deadline.
#include <cstdio>

#include "loadgen/client.h"

namespace slotmail::loadgen {

void Client::Begin(Op op) {
  op_ = op;
  t0_ = std::chrono::steady_clock::now();
}

void Client::End() {
  if (!run_->counting) return;
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - t0_);
  run_->stats[size_t(op_)].Record(uint32_t(us.count()));
}

void Client::Fail(const std::string& what, const Reply* reply) {
  run_->stats[size_t(op_)].Error();
  if (run_->errors_printed < 20) {
    ++run_->errors_printed;
    std::string got;
    if (reply != nullptr) {
      got = reply->closed ? "connection closed" : reply->status;
      if (!reply->untagged.empty()) got += " (after: " + reply->untagged.back().substr(0, 120) + ")";
    }
    fprintf(stderr, "imapbench: error: user %s %s: %s%s%s\n", user_->name.c_str(),
            OpNames()[size_t(op_)].c_str(), what.c_str(), got.empty() ? "" : ": ",
            got.substr(0, 300).c_str());
  }
  user_->messages = -1;  // resynchronize the model at the next SELECT
  Restart();
}

void Client::Restart() {
  if (conn_ != nullptr) conn_->Close();
  conn_ = nullptr;
  own_uid_ = 0;
  if (run_->stopping) {
    if (!done_) {
      done_ = true;
      run_->on_client_done();
    }
    return;
  }
  retry_ = run_->loop->After(std::chrono::milliseconds(50), [this] { Connect(); });
}

bool Client::Check(const Reply* reply) {
  if (reply->ok()) return true;
  Fail("expected tagged OK", reply);
  return false;
}

void Client::Apply(const Reply& reply) {
  for (const std::string& r : reply.untagged) {
    if (auto n = UntaggedNumber(r, "EXISTS")) exists_ = long(*n);
    if (UntaggedNumber(r, "EXPUNGE")) --exists_;
  }
}

void Client::Connect() {
  if (run_->stopping) {
    Restart();
    return;
  }
  Begin(Op::kLogin);
  Result<ImapConn*> c = ImapConn::Open(run_->loop, run_->host, run_->port, [this](Reply* r) {
    if (r->closed || !StartsWithNoCase(r->status, "OK")) {
      Fail("bad greeting", r);
      return;
    }
    DoLogin();
  });
  if (!c.ok()) {
    Fail(c.status().ToString(), nullptr);
    return;
  }
  conn_ = *c;
}

void Client::DoLogin() {
  conn_->Send("LOGIN \"" + user_->name + "\" \"" + run_->password + "\"", [this](Reply* r) {
    if (!Check(r)) return;
    End();
    DoSelect();
  });
}

void Client::Next() {
  if (run_->stopping) {
    DoLogout();
    return;
  }
  switch (run_->weights.Pick(&rng_)) {
    case Op::kList: return DoList();
    case Op::kStatus: return DoStatus();
    case Op::kSelect: return DoSelect();
    case Op::kFetch: return exists_ > 0 ? DoFetch() : DoAppend();
    case Op::kBody: return exists_ > 0 ? DoBody() : DoAppend();
    case Op::kStore: return exists_ > 0 ? DoStore() : DoAppend();
    case Op::kExpunge: return exists_ > 1 ? DoExpunge() : DoAppend();
    case Op::kAppend: return DoAppend();
    case Op::kLogout: return DoLogout();
    default: return DoSelect();
  }
}

void Client::DoLogout() {
  Begin(Op::kLogout);
  conn_->Send("LOGOUT", [this](Reply* r) {
    bool bye = false;
    for (const std::string& u : r->untagged) bye |= StartsWithNoCase(u, "* BYE");
    if (!bye) {
      Fail("no BYE", r);
      return;
    }
    if (!Check(r)) return;
    End();
    Restart();
  });
}

}  // namespace slotmail::loadgen
