// Crash safety by real kill -9: t_store_crash_worker (t/bin) runs a
// multi-threaded store workload and acknowledges each call that returned ok;
// this test kills it with SIGKILL at random moments, reopens the store in
// process and checks that nothing acknowledged was lost and every invariant
// holds. The same slot accumulates across kills (fresh every kKillsPerSlot).
//
// Environment: SLOTMAIL_BIN (set by t/run_all.sh) locates the worker;
// SLOTMAIL_CRASH_SEED and SLOTMAIL_CRASH_KILLS reproduce or lengthen a run.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "common/hash.h"
#include "store/store.h"
#include "t/unit/temp_dir.h"

extern char** environ;

namespace slotmail::store {
namespace {

constexpr int kKillsPerSlot = 50;
constexpr int kMinDelayMs = 5;
constexpr int kMaxDelayMs = 60;
// How long a worker may take to acknowledge its first call (startup and
// recovery included) before the test gives up on it. Generous: sanitizers.
constexpr auto kFirstAckDeadline = std::chrono::seconds(20);

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What the acknowledgement file says about one message (see the worker).
struct Ledger {
  struct Entry {
    std::string guid;             // "" if its append was never acknowledged
    uint32_t flags = 0;           // last acknowledged system flags
    std::set<uint32_t> pending;   // flags an unacknowledged call may have set since
    bool may_be_gone = false;     // an expunge or move-out was attempted
    bool gone = false;            // an expunge or move-out was acknowledged
    bool verified_bytes = false;  // bytes already re-hashed once
  };
  using Key = std::tuple<std::string, std::string, uint32_t>;  // user, mailbox, uid
  std::map<Key, Entry> msgs;
  std::set<std::pair<std::string, std::string>> mailboxes;
  size_t offset = 0;  // bytes of the ack file consumed
  uint64_t appends = 0, expunges = 0, flag_changes = 0;

  // Applies the complete records added to the ack file since the last call.
  // Returns a description of any inconsistency in the records themselves.
  std::string Consume(const std::string& path) {
    std::string data = ReadFile(path);
    std::string problems;
    while (offset < data.size()) {
      size_t nl = data.find('\n', offset);
      if (nl == std::string::npos) break;  // torn by a kill; the test cuts it off
      std::istringstream line(data.substr(offset, nl - offset));
      offset = nl + 1;
      std::string kind, user, box;
      uint32_t uid = 0;
      line >> kind >> user >> box;
      if (kind == "M") {
        mailboxes.insert({user, box});
        continue;
      }
      line >> uid;
      Entry& e = msgs[{user, box, uid}];
      if (kind == "A") {
        if (!e.guid.empty() || e.gone) {
          problems += "UID reused: " + user + " " + box + " " + std::to_string(uid) + "\n";
        }
        line >> e.guid >> e.flags;
        ++appends;
      } else if (kind == "f") {
        uint32_t f = 0;
        line >> f;
        e.pending.insert(f);
      } else if (kind == "F") {
        line >> e.flags;
        e.pending.clear();
        ++flag_changes;
      } else if (kind == "D") {
        e.may_be_gone = true;
      } else if (kind == "X") {
        e.gone = true;
        ++expunges;
      }
    }
    return problems;
  }
};

using testing::TempDir;

size_t FileSizeOrZero(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<size_t>(n);
}

// Starts the worker with stdout to /dev/null and stderr appended to `err`.
pid_t Spawn(const std::string& worker, const std::string& slot, const std::string& acks,
            const std::string& err, uint32_t seed) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::string seed_arg = std::to_string(seed);
  std::vector<char*> argv = {const_cast<char*>(worker.c_str()), const_cast<char*>(slot.c_str()),
                             const_cast<char*>(acks.c_str()), seed_arg.data(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, worker.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  REQUIRE_MESSAGE(rc == 0, "posix_spawn ", worker, ": ", std::string(strerror(rc)));
  return pid;
}

// Waits until the ack file is longer than `size`. False if the worker ended
// or `deadline` passed first.
bool WaitForAck(pid_t pid, const std::string& acks, size_t size,
                std::chrono::steady_clock::time_point deadline, std::string* why) {
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    if (std::filesystem::file_size(acks, ec) > size && !ec) return true;
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      *why =
          "worker ended by itself before acknowledging anything, status " + std::to_string(status);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  *why = "worker acknowledged nothing before the deadline";
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return false;
}

// Lets the worker run until `deadline`, then kills it. False (with `why`)
// if it ended by itself first or did not die of the SIGKILL.
bool KillAt(pid_t pid, std::chrono::steady_clock::time_point deadline, std::string* why) {
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      *why = "worker ended by itself, status " + std::to_string(status);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  kill(pid, SIGKILL);
  REQUIRE(waitpid(pid, &status, 0) == pid);
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
    *why = "worker did not die of SIGKILL, status " + std::to_string(status);
    return false;
  }
  return true;
}

// Opens the slot and checks it against the ledger. `cut_short`: the worker
// had the store open when it was killed (it acknowledged something), so this
// open is a recovery. Returns "" or what is wrong.
std::string Verify(const std::string& slot, bool cut_short, Ledger* ledger, std::mt19937* rng) {
  std::string err;
  auto expect = [&](bool cond, const std::string& what) {
    if (!cond) err += "  " + what + "\n";
  };
  auto opened = Store::Open(slot, StoreOptions{.kdf_iterations = 1000});
  if (!opened.ok()) return "  reopen: " + opened.status().ToString() + "\n";
  Store& store = *opened.value();
  auto users = store.ListUsers();
  if (!users.ok()) return "  ListUsers: " + users.status().ToString() + "\n";

  // What the store holds now, per mailbox.
  std::map<std::pair<std::string, std::string>, std::map<uint32_t, MessageInfo>> live;
  std::map<std::pair<std::string, std::string>, std::set<uint32_t>> vanished;
  for (const std::string& u : users.value()) {
    Status st = store.CheckUser(u);
    expect(st.ok(), "CheckUser " + u + ": " + st.ToString());
    auto boxes = store.ListMailboxes(u, "*");
    if (!boxes.ok()) return err + "  ListMailboxes " + u + ": " + boxes.status().ToString() + "\n";
    for (const MailboxInfo& mi : boxes.value()) {
      std::string where = u + " " + mi.name + ": ";
      auto msgs = store.FetchByUid(u, mi.name, {{1, UINT32_MAX}});
      auto gone = store.VanishedSince(u, mi.name, 0);
      auto crc = store.RecomputeCrc(u, mi.name);
      if (!msgs.ok() || !gone.ok() || !crc.ok()) {
        err += "  " + where + "read failed\n";
        continue;
      }
      expect(crc.value() == mi.crc, where + "stored CRC differs from recomputed");
      expect(msgs->size() == mi.messages, where + "message count differs from rows");
      auto& box = live[{u, mi.name}];
      uint32_t prev = 0;
      for (const MessageInfo& m : msgs.value()) {
        expect(m.uid > prev, where + "UIDs not unique and ascending at " + std::to_string(m.uid));
        expect(m.uid < mi.uidnext, where + "UID " + std::to_string(m.uid) + " not below UIDNEXT");
        expect(m.modseq <= mi.highestmodseq, where + "modseq above HIGHESTMODSEQ");
        prev = m.uid;
        box[m.uid] = m;
      }
      vanished[{u, mi.name}] = std::set<uint32_t>(gone->begin(), gone->end());
      for (uint32_t t : gone.value()) {
        expect(!box.count(t), where + "UID " + std::to_string(t) + " both live and expunged");
      }
    }
  }
  for (auto& [u, box] : ledger->mailboxes) {
    expect(live.count({u, box}) == 1, "acknowledged mailbox missing: " + u + " " + box);
  }
  for (auto& [key, e] : ledger->msgs) {
    auto& [u, box, uid] = key;
    std::string what = u + " " + box + " UID " + std::to_string(uid);
    auto lit = live.find({u, box});
    const MessageInfo* m = nullptr;
    if (lit != live.end()) {
      auto it = lit->second.find(uid);
      if (it != lit->second.end()) m = &it->second;
    }
    if (e.gone) {
      expect(m == nullptr, "acknowledged expunge undone: " + what);
      expect(vanished[{u, box}].count(uid) == 1, "acknowledged expunge left no tombstone: " + what);
      continue;
    }
    if (e.guid.empty() || e.may_be_gone) continue;  // never acknowledged, or maybe removed
    if (m == nullptr) {
      err += "  acknowledged message lost: " + what + "\n";
      continue;
    }
    expect(m->guid == e.guid, "acknowledged message changed GUID: " + what);
    expect(m->flags.system == e.flags || e.pending.count(m->flags.system),
           "flags of " + what + " are " + std::to_string(m->flags.system) + ", acknowledged " +
               std::to_string(e.flags));
    // Re-hash every message once, and a sample again later.
    if (!e.verified_bytes || (*rng)() % 20 == 0) {
      auto bytes = store.ReadMessage(u, e.guid);
      if (!bytes.ok()) {
        err += "  ReadMessage " + what + ": " + bytes.status().ToString() + "\n";
        continue;
      }
      expect(Sha256Hex(bytes.value()) == e.guid, "bytes do not hash to the GUID: " + what);
      expect(bytes->size() == m->size, "size differs from the bytes: " + what);
      e.verified_bytes = true;
    }
  }
  // After an unclean shutdown every user is logged once, so replication
  // re-checks them. (A worker killed before its Open finished may have left
  // the slot marked clean; then nothing is owed.)
  auto changes = store.ReadChanges(1u << 20);
  if (changes.ok()) {
    std::set<std::string> logged(changes->users.begin(), changes->users.end());
    for (const std::string& u : users.value()) {
      expect(!cut_short || logged.count(u) == 1, "user not in the change log after a crash: " + u);
    }
    expect(store.AckChanges(changes->end).ok(), "AckChanges");
  } else {
    err += "  ReadChanges: " + changes.status().ToString() + "\n";
  }
  return err;
}

uint32_t EnvOr(const char* name, uint32_t fallback) {
  const char* v = getenv(name);
  return v && *v ? static_cast<uint32_t>(strtoul(v, nullptr, 10)) : fallback;
}

TEST_CASE("store crash: kill -9 at random moments loses nothing acknowledged") {
  const char* bin_env = getenv("SLOTMAIL_BIN");
  const std::string worker =
      std::string(bin_env && *bin_env ? bin_env : "bin") + "/t_store_crash_worker";
  REQUIRE_MESSAGE(access(worker.c_str(), X_OK) == 0, "no worker at ", worker,
                  " (set SLOTMAIL_BIN)");
  const uint32_t seed = EnvOr("SLOTMAIL_CRASH_SEED", std::random_device{}());
  const int kills = static_cast<int>(EnvOr("SLOTMAIL_CRASH_KILLS", 200));
  CAPTURE(seed);
  std::mt19937 rng(seed);
  TempDir dir;
  REQUIRE(!dir.path().empty());
  Ledger ledger;
  std::string slot, acks, errs;
  uint64_t appends = 0, expunges = 0, flag_changes = 0;
  int productive = 0;  // kills that came after at least one acknowledgement
  auto start = std::chrono::steady_clock::now();

  for (int kill_no = 0; kill_no < kills; ++kill_no) {
    CAPTURE(kill_no);
    if (kill_no % kKillsPerSlot == 0) {  // a fresh slot bounds the work per check
      std::string gen = dir.path() + "/gen" + std::to_string(kill_no / kKillsPerSlot);
      std::filesystem::create_directories(gen);
      slot = gen + "/slot";
      acks = gen + "/acks";
      errs = gen + "/worker.err";
      appends += ledger.appends;
      expunges += ledger.expunges;
      flag_changes += ledger.flag_changes;
      ledger = Ledger{};
    }
    int delay_ms = std::uniform_int_distribution<int>(kMinDelayMs, kMaxDelayMs)(rng);
    // Half the kills count the delay from the spawn (they may land in
    // startup and recovery), half from the first acknowledgement (they land
    // in the workload however slow startup is, e.g. under sanitizers).
    bool after_first_ack = rng() % 2 == 0;
    size_t before = ledger.offset;
    size_t acks_size = FileSizeOrZero(acks);
    pid_t pid = Spawn(worker, slot, acks, errs, rng());
    std::string why;
    bool ok =
        !after_first_ack || WaitForAck(pid, acks, acks_size,
                                       std::chrono::steady_clock::now() + kFirstAckDeadline, &why);
    ok = ok &&
         KillAt(pid, std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms), &why);
    REQUIRE_MESSAGE(ok, why, "\nworker stderr:\n", ReadFile(errs));
    std::string problems = ledger.Consume(acks);
    // A kill can tear the last record: write(2) to a file stops between
    // pages when SIGKILL is pending, so a record crossing a 4 KiB boundary
    // may be cut. It acknowledged nothing; drop it so the next worker's
    // records do not glue onto it (that once read as a malformed GUID).
    if (ledger.offset < FileSizeOrZero(acks)) std::filesystem::resize_file(acks, ledger.offset);
    bool cut_short = ledger.offset > before;
    if (cut_short) ++productive;
    problems += Verify(slot, cut_short, &ledger, &rng);
    REQUIRE_MESSAGE(problems.empty(), "after kill ", kill_no, " at ", delay_ms, " ms (slot ", slot,
                    "):\n", problems);
  }
  appends += ledger.appends;
  expunges += ledger.expunges;
  flag_changes += ledger.flag_changes;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("seed ", seed, ": ", kills, " kills (", productive, " after acknowledgements) in ", secs,
          " s; acknowledged ", appends, " appends/copies, ", expunges, " expunges/moves, ",
          flag_changes, " flag changes");
  // Not a timing assertion: a run in which the worker never got to
  // acknowledge anything would prove nothing.
  CHECK(productive > 0);
  CHECK(appends > 0);
}

}  // namespace
}  // namespace slotmail::store
