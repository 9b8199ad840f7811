// The operations of the IMAP load mix and their weights.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "loadgen/rng.h"

namespace slotmail::loadgen {

enum class Op {
  kLogin,    // connect, greeting, LOGIN (after every LOGOUT, never picked)
  kList,     // LIST "" "*"
  kStatus,   // STATUS INBOX (MESSAGES UIDNEXT UNSEEN)
  kSelect,   // SELECT INBOX (also after every LOGIN)
  kFetch,    // FETCH of the newest ~100 messages: UID FLAGS ENVELOPE
  kBody,     // FETCH of one whole message: BODY.PEEK[] and RFC822.SIZE
  kStore,    // STORE +/-FLAGS of \Seen or \Flagged on one message
  kExpunge,  // STORE +FLAGS.SILENT (\Deleted) on one message, then EXPUNGE
  kAppend,   // APPEND of a corpus message to INBOX
  kLogout,   // LOGOUT (then a new connection and LOGIN)
  kCount
};

constexpr size_t kOpCount = size_t(Op::kCount);

std::vector<std::string> OpNames();  // indexed by Op, upper case

// Relative weights of the picked operations (kLogin's is ignored).
class Weights {
 public:
  Weights();  // the default mix (doc/bench.md)
  // "list=5,fetch=20,...": sets the named weights, others keep theirs.
  Status Parse(std::string_view spec);
  Op Pick(Rng* rng) const;
  std::string ToString() const;

 private:
  std::array<unsigned, kOpCount> w_{};
};

}  // namespace slotmail::loadgen
