// The observer hears about every durable change to a mailbox, once the
// change is visible, and about nothing that changed nothing.
#include <doctest/doctest.h>

#include <mutex>
#include <vector>

#include "store/store.h"
#include "t/unit/temp_dir.h"

using namespace slotmail::store;

TEST_CASE("store: the observer is told about each mailbox change after it is visible") {
  slotmail::testing::TempDir dir;
  auto opened = Store::Open(dir.path() + "/slot", StoreOptions{.kdf_iterations = 1000});
  REQUIRE(opened.ok());
  Store& s = **opened;
  std::mutex mu;
  std::vector<std::string> heard;
  uint32_t messages_seen_at_notify = 0;
  s.SetObserver([&](const std::string& user, const std::string& box) {
    std::lock_guard<std::mutex> lock(mu);
    heard.push_back(user + ":" + box);
    // Called without the user's lock: reading back works and sees the change.
    auto info = s.GetMailbox(user, "INBOX");
    if (info.ok()) messages_seen_at_notify = info->messages;
  });
  REQUIRE(s.CreateUser("ann", "pw").ok());
  REQUIRE(s.CreateMailbox("ann", "Archive").ok());
  heard.clear();

  REQUIRE(s.Append("ann", "inbox", "Subject: x\r\n\r\nhi\r\n", Flags{}, 0).ok());
  CHECK(heard == std::vector<std::string>{"ann:INBOX"});
  CHECK(messages_seen_at_notify == 1);

  heard.clear();
  auto unchanged = s.StoreFlags("ann", "INBOX", {{1, 1}}, FlagOp::kRemove, Flags{kFlagSeen, {}});
  REQUIRE(unchanged.ok());
  CHECK(heard.empty());  // nothing changed, nobody told

  REQUIRE(s.StoreFlags("ann", "INBOX", {{1, 1}}, FlagOp::kAdd, Flags{kFlagDeleted, {}}).ok());
  REQUIRE(s.Copy("ann", "INBOX", {{1, 1}}, "Archive").ok());
  REQUIRE(s.Expunge("ann", "INBOX").ok());
  CHECK(heard == std::vector<std::string>{"ann:INBOX", "ann:Archive", "ann:INBOX"});
  CHECK(messages_seen_at_notify == 0);
}
