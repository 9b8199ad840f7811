// THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (RFC 5256 4) over messages
// with their sort keys, and the THREAD response. Pure functions; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "imap/sort.h"

namespace slotmail::imap {

// A thread tree node: a message (`item`, a position in the items given) or
// a dummy standing for a message that is not there (item == kDummy).
struct ThreadNode {
  static constexpr size_t kDummy = SIZE_MAX;
  size_t item = kDummy;
  std::vector<ThreadNode> children;
  bool operator==(const ThreadNode&) const = default;
};

// REQUIRES for both: `items` in ascending sequence-number order.
// ORDEREDSUBJECT: messages grouped by base subject, each group's first
// message (by sent date) the parent of the others; groups ordered by the
// sent date of their first message.
std::vector<ThreadNode> ThreadOrderedSubject(const std::vector<SortItem>& items);
// REFERENCES: RFC 5256 4 steps 1 to 6 (parents from References, else the
// first msg-id of In-Reply-To; loops refused; a duplicate Message-ID counts
// only for the lowest-numbered message; dummies pruned; roots merged by base
// subject; siblings ordered by sent date).
std::vector<ThreadNode> ThreadReferences(const std::vector<SortItem>& items);

// "THREAD (1 2)(3 (4)(5))", without "* "; `number` names an item as the
// answer names it (sequence number or UID).
std::string ThreadResponse(const std::vector<ThreadNode>& threads,
                           const std::function<uint32_t(size_t)>& number);

}  // namespace slotmail::imap
