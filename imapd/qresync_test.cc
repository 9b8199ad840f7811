#include "imapd/qresync.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/limits.h"
#include "imap/sequence_set.h"

namespace slotmail::imapd {
namespace {

TEST_CASE("qresync: a short VANISHED set is one response") {
  CHECK(VanishedResponses(false, {3, 4, 5, 9}) == std::vector<std::string>{"VANISHED 3:5,9"});
  CHECK(VanishedResponses(true, {7}) == std::vector<std::string>{"VANISHED (EARLIER) 7"});
}

TEST_CASE("qresync: a long VANISHED set is split at commas within the limit") {
  std::vector<uint32_t> uids;
  for (uint32_t u = 1000000; u < 1000000 + 2 * 5000; u += 2) uids.push_back(u);  // no runs
  auto lines = VanishedResponses(true, uids);
  REQUIRE(lines.size() > 1);
  std::vector<uint32_t> back;
  for (const auto& line : lines) {
    const std::string prefix = "VANISHED (EARLIER) ";
    REQUIRE(line.rfind(prefix, 0) == 0);
    const std::string set = line.substr(prefix.size());
    CHECK(set.size() <= limits::kMaxImapVanishedSetBytes);
    auto parsed = imap::SequenceSet::Parse(set);
    REQUIRE(parsed.ok());
    for (const auto& r : parsed->Resolve(UINT32_MAX)) {
      for (uint64_t u = r.lo; u <= r.hi; ++u) back.push_back(static_cast<uint32_t>(u));
    }
  }
  CHECK(back == uids);
}

}  // namespace
}  // namespace slotmail::imapd
