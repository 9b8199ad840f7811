#include "store/change_log.h"

#include <doctest/doctest.h>

#include "common/fs.h"
#include "common/limits.h"
#include "store/fault_fs.h"
#include "t/unit/temp_dir.h"

using slotmail::store::ChangeLog;
using slotmail::store::SlotPaths;

namespace {

std::vector<std::string> ReadAll(ChangeLog* log) {
  auto batch = log->Read(1000000);
  REQUIRE(batch.ok());
  return batch->users;
}

// A log holding "alice\n", then `tail` appended behind the log's back (what
// a crash or power loss can leave), reopened.
std::unique_ptr<ChangeLog> ReopenedAfterTail(const SlotPaths& paths, const std::string& tail) {
  {
    auto log = ChangeLog::Open(paths);
    REQUIRE(log.ok());
    REQUIRE((*log)->Append("alice").ok());
  }
  std::string seg = paths.ChangeSegmentPath(1);
  auto data = slotmail::fs::ReadFile(seg);
  REQUIRE(data.ok());
  REQUIRE(slotmail::fs::Remove(seg).ok());
  REQUIRE(slotmail::fs::WriteNewFile(seg, *data + tail).ok());
  auto log = ChangeLog::Open(paths);
  REQUIRE(log.ok());
  return std::move(log).value();
}

}  // namespace

TEST_CASE("change log: records come back in order until acknowledged") {
  slotmail::testing::TempDir dir;
  SlotPaths paths(dir.path());
  auto log = ChangeLog::Open(paths);
  REQUIRE(log.ok());
  REQUIRE((*log)->Append("alice").ok());
  REQUIRE((*log)->Append("bob").ok());
  auto first = (*log)->Read(1);
  REQUIRE(first.ok());
  CHECK(first->users == std::vector<std::string>{"alice"});
  REQUIRE((*log)->Ack(first->end).ok());
  CHECK(ReadAll(log->get()) == std::vector<std::string>{"bob"});
}

TEST_CASE("change log: the acknowledged position survives reopening") {
  slotmail::testing::TempDir dir;
  SlotPaths paths(dir.path());
  {
    auto log = ChangeLog::Open(paths);
    REQUIRE(log.ok());
    REQUIRE((*log)->Append("alice").ok());
    auto b = (*log)->Read(10);
    REQUIRE(b.ok());
    REQUIRE((*log)->Ack(b->end).ok());
    REQUIRE((*log)->Append("carol").ok());
  }
  auto log = ChangeLog::Open(paths);
  REQUIRE(log.ok());
  CHECK(ReadAll(log->get()) == std::vector<std::string>{"carol"});
}

TEST_CASE("change log: a torn last record is dropped at open, later appends are whole") {
  slotmail::testing::TempDir dir;
  SlotPaths paths(dir.path());
  auto log = ReopenedAfterTail(paths, "bo");  // a crash while writing "bob\n"
  REQUIRE(log->Append("dave").ok());
  CHECK(ReadAll(log.get()) == std::vector<std::string>{"alice", "dave"});
}

TEST_CASE("change log: records a power loss garbled (zeros, stale bytes) name nobody and are skipped") {
  slotmail::testing::TempDir dir;
  SlotPaths paths(dir.path());
  // An unsynced tail that came back as zeros and stale bytes, ending in
  // whole "records".
  auto log = ReopenedAfterTail(paths, std::string(9, '\0') + "\n../x\n\nbob\n");
  REQUIRE(log->Append("carol").ok());
  CHECK(ReadAll(log.get()) == std::vector<std::string>{"alice", "bob", "carol"});
}

TEST_CASE("change log: segments rotate and acknowledged ones are deleted") {
  slotmail::testing::TempDir dir;
  SlotPaths paths(dir.path());
  auto log = ChangeLog::Open(paths);
  REQUIRE(log.ok());
  // Past one segment's size: 4 MiB / 64-byte names ~ 65k records.
  std::string name(63, 'u');
  const size_t n = (slotmail::limits::kChangeLogSegmentBytes / 64) + 100;
  for (size_t i = 0; i < n; ++i) REQUIRE((*log)->Append(name).ok());
  CHECK(slotmail::fs::Exists(paths.ChangeSegmentPath(2)));
  auto all = (*log)->Read(n + 10);
  REQUIRE(all.ok());
  CHECK(all->users.size() == n);
  REQUIRE((*log)->Ack(all->end).ok());
  CHECK_FALSE(slotmail::fs::Exists(paths.ChangeSegmentPath(1)));
  CHECK(ReadAll(log->get()).empty());
  // Acks never move backwards.
  CHECK_FALSE((*log)->Ack(slotmail::store::ChangeLogPosition{1, 0}).ok());
}

TEST_CASE("change log: records logged after a power loss are read though the ack was past the durable end") {
  // A consumer can read and acknowledge a record before it is synced (it
  // was appended after ReadChanges synced the log). A power loss then keeps
  // the acknowledgement (synced) but not the record, and records logged
  // after it, such as the unclean open's re-logging of every user, must
  // still come after the acknowledged position.
  slotmail::testing::TempDir dir;
  REQUIRE(slotmail::fs::MakeDir(dir.path() + "/slot").ok());
  auto layer = slotmail::store::PowerLossFs::Watch(dir.path() + "/slot");
  REQUIRE(layer.ok());
  slotmail::fs::SetFileOpHook(layer->get());
  SlotPaths paths(dir.path() + "/slot");
  {
    auto log = ChangeLog::Open(paths);
    REQUIRE(log.ok());
    REQUIRE(slotmail::fs::FsyncPath(paths.root()).ok());  // sync/ itself, as Store::Open does
    REQUIRE((*log)->Append("alice").ok());
    auto batch = (*log)->Read(10);
    REQUIRE(batch.ok());
    REQUIRE((*log)->Ack(batch->end).ok());
  }
  REQUIRE((*layer)->PowerOn(nullptr).ok());
  auto log = ChangeLog::Open(paths);
  REQUIRE(log.ok());
  REQUIRE((*log)->Append("bob").ok());
  CHECK(ReadAll(log->get()) == std::vector<std::string>{"bob"});
  log->reset();
  slotmail::fs::SetFileOpHook(nullptr);
}
