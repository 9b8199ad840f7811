// sort_bench: SORT and THREAD over a 100,000-message mailbox through the
// store and the sort code, as the IMAP server runs them: one
// Store::FetchSortKeys (one index query) and then the in-memory order.
// The message files are removed before measuring, so the figures cannot
// include reading or parsing a message: keys come from the index only.
// Prints "name: value unit" lines, best of 3. Exits non-zero only when a
// store call fails. `--quick` uses 2,000 messages (a smoke test),
// `--messages N` N messages.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "imap/sort.h"
#include "imap/thread.h"
#include "store/store.h"

namespace slotmail::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Messages per AppendBatch (one transaction), and appenders at once: each
// message file is fsynced on its own, so concurrent appenders share the
// file system's journal commits (see doc/store.md "Durability").
constexpr size_t kBatch = 100;
constexpr int kAppenders = 32;

// A plausible header: 200 subjects with Re:/[list] prefixes, dates over a
// year in several zones, replies referencing earlier messages.
std::string Message(uint64_t n) {
  uint64_t x = n * 6364136223846793005ull + 1442695040888963407ull;
  const uint64_t topic = (x >> 33) % 200;
  const char* prefix[] = {"", "Re: ", "[list] Re: ", "Fwd: "};
  const int day = static_cast<int>((x >> 20) % 28) + 1;
  const int hour = static_cast<int>((x >> 12) % 24);
  const char* zone[] = {"+0000", "-0500", "+0200", "+0930"};
  std::string m = "From: User " + std::to_string(x % 977) + " <u" + std::to_string(x % 977) +
                  "@example.com>\r\nTo: list@example.org\r\n";
  m += "Subject: " + std::string(prefix[(x >> 40) % 4]) + "Topic number " +
       std::to_string(topic) + "\r\n";
  char date[80];
  std::snprintf(date, sizeof date, "Date: %d Mar 2024 %02d:%02d:00 %s\r\n", day, hour,
                static_cast<int>(n % 60), zone[(x >> 50) % 4]);
  m += date;
  m += "Message-ID: <" + std::to_string(n) + "@bench>\r\n";
  if (n > 10 && (x >> 44) % 2 == 0) {
    m += "References: <" + std::to_string(n - 1 - (x % 10)) + "@bench>\r\n";
  }
  m += "\r\nHello " + std::to_string(n) + "\r\n";
  return m;
}

// Appends `count` messages with kAppenders threads taking batches in turn
// (so UIDs follow batch commit order, not n: the sorts do not care).
Status Fill(store::Store& st, uint64_t count) {
  RETURN_IF_ERROR(st.CreateUser("bench", "secret"));
  std::atomic<uint64_t> next{0};
  std::mutex mu;
  Status failed = Status::Ok();
  auto appender = [&] {
    while (true) {
      const uint64_t first = next.fetch_add(kBatch);
      if (first >= count) return;
      std::vector<std::string> bytes;
      std::vector<store::AppendItem> items;
      for (uint64_t n = first; n < std::min(count, first + kBatch); ++n) bytes.push_back(Message(n));
      for (size_t i = 0; i < bytes.size(); ++i) {
        items.push_back({bytes[i], {}, 1700000000 + static_cast<int64_t>(first + i)});
      }
      Status s = st.AppendBatch("bench", "INBOX", items).status();
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        failed = s;
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < kAppenders; ++i) threads.emplace_back(appender);
  for (auto& t : threads) t.join();
  return failed;
}

// Best of 3 wall-clock milliseconds of `run`, which fetches and orders.
Result<double> Best(const std::function<Status()>& run) {
  double best = 1e30;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = Clock::now();
    RETURN_IF_ERROR(run());
    best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return best;
}

Status Run(const std::string& dir, uint64_t count) {
  ASSIGN_OR_RETURN(auto st, store::Store::Open(dir + "/slot", {.kdf_iterations = 1000}));
  const auto t0 = Clock::now();
  RETURN_IF_ERROR(Fill(*st, count));
  std::printf("sort_fill: %.0f ms (%llu messages appended in batches of %zu by %d threads)\n",
              std::chrono::duration<double, std::milli>(Clock::now() - t0).count(),
              static_cast<unsigned long long>(count), kBatch, kAppenders);
  // No message file is left: whatever runs below reads the index only.
  uint64_t removed = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_directory() && e.path().filename() == "blobs") {
      removed += std::filesystem::remove_all(e.path());
      break;
    }
  }
  std::vector<store::SortRecord> records;
  std::vector<imap::SortItem> items;
  auto fetch = [&]() -> Status {
    ASSIGN_OR_RETURN(records, st->FetchSortKeys("bench", "INBOX", {1, UINT32_MAX}));
    if (records.size() != count) return Status::Corruption("wrong message count");
    items.clear();
    for (size_t i = 0; i < records.size(); ++i) {
      const auto& r = records[i];
      items.push_back({static_cast<uint32_t>(i + 1), r.info.internal_date, r.info.size, &r.keys});
    }
    return Status::Ok();
  };
  using Key = imap::SortCriterion::Key;
  struct Case {
    const char* name;
    std::function<size_t()> order;
  } cases[] = {
      {"fetch_keys", [&] { return items.size(); }},
      {"sort_date", [&] { return imap::SortOrder({{Key::kDate, false}}, items).size(); }},
      {"sort_subject", [&] { return imap::SortOrder({{Key::kSubject, false}}, items).size(); }},
      {"sort_reverse_from_date",
       [&] { return imap::SortOrder({{Key::kFrom, true}, {Key::kDate, false}}, items).size(); }},
      {"thread_references", [&] { return imap::ThreadReferences(items).size(); }},
      {"thread_orderedsubject", [&] { return imap::ThreadOrderedSubject(items).size(); }},
  };
  std::printf("(%llu blob files and directories removed before measuring)\n",
              static_cast<unsigned long long>(removed));
  for (const Case& c : cases) {
    auto order = [&]() -> Status {
      return c.order() == 0 ? Status::Corruption("nothing ordered") : Status::Ok();
    };
    ASSIGN_OR_RETURN(double total, Best([&]() -> Status {
                       RETURN_IF_ERROR(fetch());
                       return order();
                     }));
    ASSIGN_OR_RETURN(double alone, Best(order));
    std::printf("%s_%llu_msgs: %.1f ms (index query + order, best of 3; order alone %.1f ms)\n",
                c.name, static_cast<unsigned long long>(count), total, alone);
  }
  return Status::Ok();
}

}  // namespace
}  // namespace slotmail::bench

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  uint64_t count = quick ? 2000 : 100000;
  if (argc > 2 && std::strcmp(argv[1], "--messages") == 0) count = std::strtoull(argv[2], nullptr, 10);
  const char* base = std::getenv("TMPDIR");
  std::string dir = std::string(base ? base : "/tmp") + "/slotmail-sortbench.XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    std::perror("sort_bench: mkdtemp");
    return 1;
  }
  slotmail::Status st = slotmail::bench::Run(dir, count);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (!st.ok()) {
    std::fprintf(stderr, "sort_bench: %s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
