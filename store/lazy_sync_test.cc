#include "store/lazy_sync.h"

#include <doctest/doctest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

using slotmail::Status;
using slotmail::store::LazySync;

namespace {

// Records the files synced and the blobs collected, in order.
struct Recorder {
  std::mutex mu;
  std::vector<std::string> events;
  Status fail_with = Status::Ok();

  LazySync::SyncFileFn SyncFn() {
    return [this](const std::string& path) -> Status {
      std::lock_guard<std::mutex> lock(mu);
      if (!fail_with.ok()) return fail_with;
      events.push_back("sync " + path);
      return Status::Ok();
    };
  }
  LazySync::CollectFn CollectFn() {
    return [this](const std::string& user, const std::vector<std::string>& guids) {
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& g : guids) events.push_back("collect " + user + " " + g);
    };
  }
  std::vector<std::string> Events() {
    std::lock_guard<std::mutex> lock(mu);
    return events;
  }
};

constexpr auto kNever = std::chrono::hours(24);

}  // namespace

TEST_CASE("lazy sync: Flush syncs each noted file once, then collects the blobs") {
  Recorder rec;
  LazySync lazy(kNever, rec.SyncFn(), rec.CollectFn());
  lazy.Note("ann", {"ann.wal", "seg.1"});
  lazy.Note("ann", {"ann.wal", "seg.1"}, {"g1"});
  lazy.Note("bob", {"bob.wal", "seg.1"});
  // The background thread waits a day: nothing has been synced yet.
  CHECK(rec.Events().empty());
  CHECK(lazy.stats().pending_users == 2);
  REQUIRE(lazy.Flush().ok());
  CHECK(rec.Events() == std::vector<std::string>{"sync ann.wal", "sync seg.1", "collect ann g1",
                                                 "sync bob.wal"});
  CHECK(lazy.stats().pending_users == 0);
  CHECK(lazy.stats().flushes == 1);
  REQUIRE(lazy.Flush().ok());  // nothing pending: no round
  CHECK(lazy.stats().flushes == 1);
}

TEST_CASE("lazy sync: the background thread syncs a noted change without being asked") {
  Recorder rec;
  LazySync lazy(std::chrono::milliseconds(10), rec.SyncFn(), rec.CollectFn());
  lazy.Note("ann", {"ann.wal"}, {"g1"});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (rec.Events().size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(rec.Events() == std::vector<std::string>{"sync ann.wal", "collect ann g1"});
  CHECK(lazy.stats().pending_users == 0);
  CHECK(lazy.stats().flushes == 1);
}

TEST_CASE("lazy sync: Take hands a user's entry to a synced writer") {
  Recorder rec;
  LazySync lazy(kNever, rec.SyncFn(), rec.CollectFn());
  lazy.Note("ann", {"ann.wal", "seg.1"}, {"g1"});
  lazy.Note("bob", {"bob.wal"});
  LazySync::Pending p = lazy.Take("ann");
  CHECK(p.files == std::set<std::string>{"ann.wal", "seg.1"});
  CHECK(p.guids == std::vector<std::string>{"g1"});
  CHECK(lazy.Take("ann").files.empty());
  CHECK(lazy.stats().pending_users == 1);
  REQUIRE(lazy.Flush().ok());
  CHECK(rec.Events() == std::vector<std::string>{"sync bob.wal"});
}

TEST_CASE("lazy sync: a failed sync reports the error and collects nothing") {
  Recorder rec;
  rec.fail_with = Status::IOError("injected");
  LazySync lazy(kNever, rec.SyncFn(), rec.CollectFn());
  lazy.Note("ann", {"ann.wal"}, {"g1"});
  Status st = lazy.Flush();
  CHECK(st.code() == slotmail::Code::kIOError);
  CHECK(rec.Events().empty());  // the blob stays: an orphan, never a dangling row
}

TEST_CASE("lazy sync: Stop flushes what is pending") {
  Recorder rec;
  {
    LazySync lazy(kNever, rec.SyncFn(), rec.CollectFn());
    lazy.Note("ann", {"ann.wal"});
    REQUIRE(lazy.Stop().ok());
    CHECK(rec.Events() == std::vector<std::string>{"sync ann.wal"});
  }
  CHECK(rec.Events().size() == 1);  // the destructor's Stop found nothing more
}
