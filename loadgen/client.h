// One simulated IMAP user agent of the load run: logs in as its user, then
// loops over weighted operations (loadgen/workload.h), checking every answer.
// All clients share one event loop thread; nothing here is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/net.h"
#include "loadgen/corpus.h"
#include "loadgen/imap_conn.h"
#include "loadgen/rng.h"
#include "loadgen/stats.h"
#include "loadgen/workload.h"

namespace slotmail::loadgen {

// What all clients of one run share.
struct Run {
  net::EventLoop* loop = nullptr;
  std::string host;
  uint16_t port = 0;
  std::string password;
  const Corpus* corpus = nullptr;
  Weights weights;
  std::vector<OpStats> stats = std::vector<OpStats>(kOpCount);
  bool counting = true;   // false after the deadline: latencies no longer recorded
  bool stopping = false;  // clients log out after the operation in flight
  int errors_printed = 0;
  std::function<void()> on_client_done;  // a client has logged out for good
};

// One user's mailbox as the run knows it. With a single client per user the
// model is exact and SELECT/STATUS counts are checked against it.
struct UserModel {
  std::string name;
  int clients = 0;
  long messages = -1;  // INBOX size, -1 until the first SELECT
};

class Client {
 public:
  Client(Run* run, UserModel* user, uint64_t seed) : run_(run), user_(user), rng_(seed) {}
  void Start() { Connect(); }

 private:
  bool exact() const { return user_->clients == 1; }
  void Connect();
  void Next();
  void Begin(Op op);
  void End();
  // Counts an error for the current operation, prints it (the first few),
  // and starts a new session.
  void Fail(const std::string& what, const Reply* reply);
  void Restart();
  void Apply(const Reply& reply);  // tracks EXISTS / EXPUNGE
  bool Check(const Reply* reply);  // tagged OK, else Fail
  uint64_t RandomSeq() { return rng_.Range(1, uint64_t(exists_)); }

  void DoLogin();
  void DoSelect();
  void DoList();
  void DoStatus();
  void DoFetch();
  void DoBody();
  void DoStore();
  void DoExpunge();
  void DoAppend();
  void DoLogout();
  void CheckBody(const Reply* r, uint64_t seq, bool own);

  Run* run_;
  UserModel* user_;
  Rng rng_;
  ImapConn* conn_ = nullptr;
  std::unique_ptr<net::EventLoop::Timer> retry_;
  Op op_ = Op::kLogin;
  std::chrono::steady_clock::time_point t0_;
  long exists_ = 0;
  uint64_t own_uid_ = 0;  // UID of the last message this client appended, 0: none
  long own_index_ = -1;   // its corpus index
  bool done_ = false;
};

}  // namespace slotmail::loadgen
