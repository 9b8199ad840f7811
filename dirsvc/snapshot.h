// The directory's data: for every user the store that holds it, and for
// every store its current master with the addresses clients reach it at.
// A Snapshot is immutable once built; the poller builds a new one from what
// the slots answered (BuildSnapshot, pure) and hands it to the loop thread,
// which swaps it in whole (doc/directory.md "Generations").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "slots/production.h"

namespace slotmail::dirsvc {

struct HostPort {
  std::string host;  // an IP literal
  uint16_t port = 0;
  bool empty() const { return port == 0; }
};

// "127.0.0.1:143" -> {127.0.0.1, 143}; false if malformed or port 0.
bool ParseHostPort(const std::string& text, HostPort* out);

// What one slot answered over its control channel in one poll round.
struct SlotReport {
  std::string slot;        // "m1:1"
  bool reachable = false;  // false: the rest is meaningless
  std::string store, role;
  uint64_t epoch = 0;
  std::string imap, lmtp;  // "host:port" from `status`, "" if none
  bool has_users = false;  // `users` was asked (masters only)
  std::vector<std::string> users;
  // Equal reports build equal snapshots: the poller skips the rebuild.
  bool operator==(const SlotReport&) const = default;
};

struct Route {
  std::string store;
  std::string master;  // slot name; "" when no reachable slot is master
  uint64_t epoch = 0;
  HostPort imap, pop3, lmtp;
  bool has_master() const { return !master.empty(); }
};

struct Snapshot {
  uint64_t generation = 0;
  std::unordered_map<std::string, std::string> user_store;  // user -> store
  std::unordered_map<std::string, Route> routes;            // store -> route
  size_t conflicts = 0;  // users listed by two stores' masters (the first store wins)

  // The route of `user`'s store, or nullptr for an unknown user.
  const Route* Find(const std::string& user) const;
};

// The master of each store is the reachable slot answering role master for
// it with the highest epoch (a fenced or stale one answers otherwise). Its
// `users` are the store's users. A store without such a slot keeps the
// users `previous` had for it (nullptr: none), with no master: a lookup
// then fails temporarily, never "unknown user", while the directory is blind.
// POP3 goes to the master's machine address at its production.dat port.
std::shared_ptr<const Snapshot> BuildSnapshot(const slots::Production& prod,
                                              const std::vector<SlotReport>& reports,
                                              const Snapshot* previous, uint64_t generation);

}  // namespace slotmail::dirsvc
