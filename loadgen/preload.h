// Preload: fills every user's INBOX up to M messages over IMAP APPEND, so
// that two servers receive exactly the same content the same way. Message i
// of user u is corpus entry (u * 7919 + i) mod corpus size; a mailbox that
// already holds M or more messages is left alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/net.h"
#include "common/status.h"
#include "loadgen/corpus.h"

namespace slotmail::loadgen {

struct PreloadSpec {
  std::string host;
  uint16_t port = 0;
  std::string password;
  const Corpus* corpus = nullptr;
  std::vector<std::string> users;
  size_t messages = 0;    // M
  int connections = 10;   // users filled in parallel
};

struct PreloadResult {
  uint64_t appended = 0;
  uint64_t errors = 0;
  double seconds = 0;
};

// Runs on `loop` until done (the loop must not be running).
PreloadResult Preload(net::EventLoop* loop, const PreloadSpec& spec);

}  // namespace slotmail::loadgen
