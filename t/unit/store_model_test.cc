// Model-based test of the store: thousands of seeded random operations are
// applied both to a real Store and to a plain in-memory model of store.h's
// contract, and after every step what the store reports must equal what the
// model predicts. The model is deliberately naive (maps and loops); where the
// contract leaves a value open (ids, UIDVALIDITY, the exact modseq numbers) the
// model learns it from the store and checks only what store.h promises.
//
// Reproduce a failure with SLOTMAIL_MODEL_SEED=<seed printed on failure>;
// SLOTMAIL_MODEL_STEPS overrides the number of steps; SLOTMAIL_MODEL_TRACE=1
// prints every step, and a tally of outcomes, to stderr.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/hash.h"
#include "store/store.h"
#include "t/unit/temp_dir.h"

namespace slotmail::store {
namespace {

constexpr uint32_t kStar = UINT32_MAX;
const UidSet kAll = {{1, kStar}};

using testing::TempDir;

// ---------------------------------------------------------------- the model

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

// flags.h NormalizeFlags: unknown bits dropped, keywords deduplicated
// case-insensitively (first spelling wins), sorted by lowercase form.
Flags Canon(Flags f) {
  f.system &= kAllSystemFlags;
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (auto& k : f.keywords) {
    if (seen.insert(Lower(k)).second) out.push_back(k);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const std::string& a, const std::string& b) { return Lower(a) < Lower(b); });
  f.keywords = out;
  return f;
}

// IMAP STORE semantics; keywords compare case-insensitively and a keyword
// already present keeps its spelling.
Flags ApplyOp(const Flags& cur, FlagOp op, const Flags& raw_arg) {
  Flags arg = Canon(raw_arg);
  Flags out;
  switch (op) {
    case FlagOp::kReplace:
      return arg;
    case FlagOp::kAdd:
      out = cur;
      out.system |= arg.system;
      out.keywords.insert(out.keywords.end(), arg.keywords.begin(), arg.keywords.end());
      return Canon(out);
    case FlagOp::kRemove: {
      std::set<std::string> gone;
      for (auto& k : arg.keywords) gone.insert(Lower(k));
      out.system = cur.system & ~arg.system;
      for (auto& k : cur.keywords) {
        if (!gone.count(Lower(k))) out.keywords.push_back(k);
      }
      return out;
    }
  }
  return cur;
}

bool InSet(uint32_t v, const UidSet& set) {
  for (const auto& r : set) {
    if (v >= r.lo && v <= r.hi) return true;
  }
  return false;
}

// "any case of inbox as first component means INBOX".
std::string CanonName(std::string_view name) {
  size_t slash = name.find('/');
  std::string_view first = name.substr(0, slash);
  if (Lower(first) != "inbox") return std::string(name);
  return "INBOX" + (slash == std::string_view::npos ? "" : std::string(name.substr(slash)));
}

bool SameOrUnder(const std::string& name, const std::string& parent) {
  return name == parent ||
         (name.size() > parent.size() && name.compare(0, parent.size(), parent) == 0 &&
          name[parent.size()] == '/');
}

// LIST pattern: '*' any sequence, '%' any sequence without '/'.
bool Match(std::string_view pat, std::string_view name) {
  if (pat.empty()) return name.empty();
  if (pat[0] == '*' || pat[0] == '%') {
    for (size_t i = 0; i <= name.size(); ++i) {
      if (Match(pat.substr(1), name.substr(i))) return true;
      if (i < name.size() && pat[0] == '%' && name[i] == '/') return false;
    }
    return false;
  }
  return !name.empty() && pat[0] == name[0] && Match(pat.substr(1), name.substr(1));
}

struct Tombstone {
  uint64_t lo = 0;  // the tombstone's modseq is in (lo, hi]
  uint64_t hi = 0;
};

struct ModelMailbox {
  std::string id;  // "" until learned from the store (fresh mailbox)
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 1;
  uint64_t hms = 0;
  std::map<uint32_t, MessageInfo> msgs;
  std::map<uint32_t, Tombstone> tombs;
  std::vector<uint64_t>
      hms_seen;                // every value highestmodseq has had: exact VanishedSince cut points
  bool may_raise_hms = false;  // a mailbox-level change may have raised highestmodseq
  bool user_renamed = false;   // its user was renamed: UIDVALIDITY may be new, never reused
};

struct ModelUser {
  std::string password;
  std::map<std::string, ModelMailbox> boxes;
  std::set<std::string> subs;
  uint64_t limit_bytes = 0;
  uint64_t limit_msgs = 0;

  uint64_t UsedBytes() const {
    uint64_t n = 0;
    for (auto& [name, b] : boxes) {
      for (auto& [uid, m] : b.msgs) n += m.size;
    }
    return n;
  }
  uint64_t UsedMessages() const {
    uint64_t n = 0;
    for (auto& [name, b] : boxes) n += b.msgs.size();
    return n;
  }
  // True if adding `bytes` in `msgs` messages goes over a limit.
  bool Exceeds(uint64_t bytes, uint64_t msgs) const {
    return (limit_bytes != 0 && UsedBytes() + bytes > limit_bytes) ||
           (limit_msgs != 0 && UsedMessages() + msgs > limit_msgs);
  }
  bool HasChildren(const std::string& name) const {
    auto it = boxes.upper_bound(name);
    return it != boxes.end() && SameOrUnder(it->first, name);
  }
};

std::string Describe(const Flags& f) {
  std::ostringstream os;
  os << "sys=" << f.system << " kw=[";
  for (auto& k : f.keywords) os << k << ",";
  os << "]";
  return os.str();
}

std::string Describe(const UidSet& s) {
  std::ostringstream os;
  for (auto& r : s) {
    os << r.lo << ":";
    if (r.hi == kStar)
      os << "*";
    else
      os << r.hi;
    os << " ";
  }
  return os.str();
}

std::string Describe(const MessageInfo& m) {
  std::ostringstream os;
  os << "{uid=" << m.uid << " guid=" << m.guid.substr(0, 8) << " size=" << m.size
     << " date=" << m.internal_date << " " << Describe(m.flags) << " modseq=" << m.modseq << "}";
  return os.str();
}

template <typename T>
std::string Describe(const std::vector<T>& v) {
  std::ostringstream os;
  os << "[";
  for (auto& x : v) {
    if constexpr (std::is_same_v<T, MessageInfo>)
      os << Describe(x) << " ";
    else
      os << x << " ";
  }
  os << "]";
  return os.str();
}

const std::vector<std::string> kTops = {"INBOX", "Archive", "Drafts", "Lists",
                                        "Sent",  "Trash",   "Work",   "Zeta"};
const std::vector<std::string> kKids = {"a", "b", "c"};
// Mixed case on purpose: keywords compare case-insensitively.
const std::vector<std::string> kKeywords = {"$Forwarded", "$Junk", "$junk", "$label1", "Work",
                                            "work",       "todo",  "TODO",  "NonJunk"};
const std::vector<std::string> kUsers = {"u0", "u1", "u2", "u3"};

// ---------------------------------------------------------------- the test

class ModelTest {
 public:
  ModelTest(uint32_t seed, std::string root) : rng_(seed), root_(std::move(root)) {
    for (auto& t : kTops) {
      universe_.push_back(t);
      for (auto& a : kKids) {
        universe_.push_back(t + "/" + a);
        for (auto& b : kKids) universe_.push_back(t + "/" + a + "/" + b);
      }
    }
  }

  std::string op;   // what the current step does, for failure messages
  std::string err;  // mismatches found in the current step

  void Open() {
    auto s = Store::Open(root_, StoreOptions{.kdf_iterations = 1000});
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    store_ = std::move(s.value());
  }
  void Close() { store_.reset(); }

  // One random operation, then a comparison of every user it touched.
  void Step() {
    err.clear();
    op.clear();
    touched_.clear();
    deep_.clear();
    if (users_.empty()) {
      OpCreateUser();
    } else {
      int r = Rand(1000);
      if (r < 280)
        OpAppend();
      else if (r < 430)
        OpStoreFlags();
      else if (r < 500)
        OpExpunge();
      else if (r < 560)
        OpCopyMove(false);
      else if (r < 620)
        OpCopyMove(true);
      else if (r < 680)
        OpCreateMailbox();
      else if (r < 725)
        OpDeleteMailbox();
      else if (r < 770)
        OpRenameMailbox();
      else if (r < 810)
        OpSubscribe();
      else if (r < 840)
        OpSetQuota();
      else if (r < 850)
        OpCreateUser();
      else if (r < 856)
        OpDeleteUser();
      else if (r < 860)
        OpRenameUser();
      else if (r < 875)
        OpPassword();
      else if (r < 930)
        OpRead();
      else if (r < 960)
        OpBadInput();
      else
        OpCleanup();
    }
    for (auto& u : touched_) CompareUser(u, /*deep_all=*/false);
  }

  // Everything: users, every mailbox in depth, quota, subscriptions, blobs,
  // and the change log (which must name every user changed since last time).
  void CompareAll() {
    err.clear();
    op = "full comparison";
    auto users = store_->ListUsers();
    if (!Ok(users.status(), "ListUsers")) return;
    std::vector<std::string> want;
    for (auto& [u, mu] : users_) want.push_back(u);
    Expect(users.value() == want,
           "ListUsers " + Describe(users.value()) + " want " + Describe(want));
    for (auto& [u, mu] : users_) {
      CompareUser(u, /*deep_all=*/true);
      Expect(store_->UserExists(u), "UserExists " + u);
      for (auto& [name, b] : mu.boxes) {
        for (auto& [uid, m] : b.msgs) {
          if (Rand(8) != 0) continue;  // a sample: the bytes are the same blob each time
          auto bytes = store_->ReadMessage(u, m.guid);
          if (Ok(bytes.status(), "ReadMessage " + m.guid)) {
            Expect(bytes.value() == blobs_[m.guid], "ReadMessage bytes differ for " + m.guid);
          }
        }
      }
    }
    for (auto& u : kUsers) {
      if (!users_.count(u)) Expect(!store_->UserExists(u), "UserExists for deleted " + u);
    }
    DrainChangeLog();
  }

  // After a clean close and reopen nothing is re-logged.
  void ExpectNoChanges() {
    err.clear();
    op = "change log after a clean reopen";
    auto batch = store_->ReadChanges(1u << 20);
    if (Ok(batch.status(), "ReadChanges")) {
      Expect(batch->users.empty(),
             "users logged again after a clean reopen: " + Describe(batch->users));
    }
  }

  void DrainChangeLog() {
    auto batch = store_->ReadChanges(1u << 20);
    if (!Ok(batch.status(), "ReadChanges")) return;
    std::set<std::string> got(batch->users.begin(), batch->users.end());
    for (auto& u : changed_users_) {
      Expect(got.count(u) == 1,
             "change log misses user " + u + " (has " + Describe(batch->users) + ")");
    }
    changed_users_.clear();
    if (!Ok(store_->AckChanges(batch->end), "AckChanges")) return;
    auto again = store_->ReadChanges(1u << 20);
    if (Ok(again.status(), "ReadChanges after ack")) {
      Expect(again->users.empty(), "acknowledged changes come back: " + Describe(again->users));
    }
  }

 private:
  // ------------------------------------------------------------ helpers
  int Rand(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool Chance(int percent) { return Rand(100) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Rand(static_cast<int>(v.size()))];
  }

  void Expect(bool cond, const std::string& what) {
    if (!cond) err += "  " + what + "\n";
  }
  bool Ok(const Status& st, const std::string& what) {
    Expect(st.ok(), what + ": " + st.ToString());
    return st.ok();
  }
  void ExpectCode(const Status& st, Code want, const std::string& what) {
    Count(CodeName(st.code()));
    Expect(st.code() == want, what + ": got " + st.ToString() + ", want " + CodeName(want));
  }
  void ExpectCodeIn(const Status& st, std::initializer_list<Code> want, const std::string& what) {
    Count(CodeName(st.code()));
    bool any = false;
    for (Code c : want) any = any || st.code() == c;
    Expect(any, what + ": got " + st.ToString());
  }

  // A live user (or, with `missing_pct`, a name that is not a user).
  std::string PickUser(int missing_pct) {
    if (Chance(missing_pct)) {
      for (auto& u : kUsers) {
        if (!users_.count(u)) return u;
      }
    }
    std::vector<std::string> names;
    for (auto& [u, mu] : users_) names.push_back(u);
    return Pick(names);
  }
  std::string PickBox(const ModelUser& mu, int missing_pct) {
    if (Chance(missing_pct)) {
      for (int i = 0; i < 20; ++i) {
        const std::string& n = Pick(universe_);
        if (!mu.boxes.count(n)) return n;
      }
    }
    std::vector<std::string> names;
    for (auto& [n, b] : mu.boxes) names.push_back(n);
    return Pick(names);
  }
  // The name as a client might spell it: INBOX in any case.
  std::string Spell(const std::string& name) {
    if (name.compare(0, 5, "INBOX") != 0 || !Chance(30)) return name;
    static const char* kSpellings[] = {"inbox", "Inbox", "iNbOx"};
    return kSpellings[Rand(3)] + name.substr(5);
  }
  ModelUser* FindUser(const std::string& u) {
    auto it = users_.find(u);
    return it == users_.end() ? nullptr : &it->second;
  }
  ModelMailbox* FindBox(ModelUser* mu, const std::string& name) {
    if (mu == nullptr) return nullptr;
    auto it = mu->boxes.find(name);
    return it == mu->boxes.end() ? nullptr : &it->second;
  }

  std::string RandomBytes() {
    if (!pool_.empty() && Chance(20)) return Pick(pool_);  // same bytes: same GUID, one blob
    size_t n = Chance(90) ? 1 + Rand(1500) : 1 + Rand(20000);
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(Rand(256));
    if (pool_.size() < 40)
      pool_.push_back(s);
    else
      pool_[Rand(40)] = s;
    return s;
  }
  Flags RandomFlags() {
    Flags f;
    f.system = static_cast<uint32_t>(Rand(32));
    if (Chance(5)) f.system |= 1u << 7;  // not a system flag: dropped
    int n = Chance(50) ? 0 : Rand(4);
    for (int i = 0; i < n; ++i) f.keywords.push_back(Pick(kKeywords));
    return f;
  }
  UidSet RandomUidSet(const ModelMailbox& b) {
    std::vector<uint32_t> uids;
    for (auto& [uid, m] : b.msgs) uids.push_back(uid);
    UidSet set;
    int n = 1 + Rand(3);
    for (int i = 0; i < n; ++i) {
      int kind = Rand(10);
      if (kind == 0) return kAll;
      if (kind < 4 && !uids.empty()) {
        uint32_t u = Pick(uids);
        set.push_back({u, u});
      } else if (kind < 7 && !uids.empty()) {
        uint32_t a = Pick(uids), c = Pick(uids);
        set.push_back({std::min(a, c), std::max(a, c)});
      } else if (kind < 8) {
        set.push_back({1 + static_cast<uint32_t>(Rand(static_cast<int>(b.uidnext) + 2)), kStar});
      } else {
        uint32_t a = 1 + Rand(static_cast<int>(b.uidnext) + 3);
        set.push_back({a, a + Rand(5)});
      }
    }
    return set;
  }

  void Touch(const std::string& user) { touched_.insert(user); }
  // A successful change: the change log must name the user.
  void Changed(const std::string& user) {
    changed_users_.insert(user);
    Count("ok");
  }
  // Tallies outcomes per operation, to show what a run exercised.
  void Count(const std::string& outcome) { ++stats_[op.substr(0, op.find(' ')) + " " + outcome]; }

 public:
  std::string Stats() const {
    std::string out;
    for (auto& [k, n] : stats_) out += k + "=" + std::to_string(n) + " ";
    return out;
  }

 private:
  void SetHms(ModelMailbox* b, uint64_t hms) {
    b->hms = hms;
    b->hms_seen.push_back(hms);
  }
  void NewBox(ModelUser* mu, const std::string& name) { mu->boxes[name] = ModelMailbox{}; }

  // ------------------------------------------------------------ comparison

  // Compares the user's mailboxes, quota and subscriptions; mailboxes in
  // `deep_` (or all with deep_all) also message by message.
  void CompareUser(const std::string& u, bool deep_all) {
    ModelUser* mu = FindUser(u);
    if (mu == nullptr) {
      ExpectCode(store_->ListMailboxes(u).status(), Code::kNotFound,
                 "ListMailboxes of deleted " + u);
      ExpectCode(store_->CheckUser(u), Code::kNotFound, "CheckUser of deleted " + u);
      return;
    }
    auto list = store_->ListMailboxes(u, "*");
    if (!Ok(list.status(), "ListMailboxes " + u)) return;
    std::vector<std::string> got_names, want_names;
    for (auto& mi : list.value()) got_names.push_back(mi.name);
    for (auto& [n, b] : mu->boxes) want_names.push_back(n);
    Expect(got_names == want_names,
           "ListMailboxes " + u + ": " + Describe(got_names) + " want " + Describe(want_names));
    if (got_names != want_names) return;
    for (auto& mi : list.value()) {
      ModelMailbox& b = mu->boxes[mi.name];
      bool deep = deep_all || b.id.empty() || deep_.count({u, mi.name}) || Chance(3);
      CompareBox(u, *mu, mi.name, &b, mi, deep);
    }
    auto q = store_->GetQuota(u);
    if (Ok(q.status(), "GetQuota " + u)) {
      Expect(q->limit_bytes == mu->limit_bytes && q->limit_messages == mu->limit_msgs,
             "quota limits " + std::to_string(q->limit_bytes) + "/" +
                 std::to_string(q->limit_messages));
      Expect(q->used_bytes == mu->UsedBytes(), "quota used_bytes " + std::to_string(q->used_bytes) +
                                                   " want " + std::to_string(mu->UsedBytes()));
      Expect(q->used_messages == mu->UsedMessages(),
             "quota used_messages " + std::to_string(q->used_messages) + " want " +
                 std::to_string(mu->UsedMessages()));
    }
    auto subs = store_->ListSubscriptions(u, "*");
    if (Ok(subs.status(), "ListSubscriptions " + u)) {
      std::vector<std::string> got = subs.value();
      std::sort(got.begin(), got.end());  // store.h does not promise an order
      std::vector<std::string> want(mu->subs.begin(), mu->subs.end());
      Expect(got == want, "subscriptions " + Describe(got) + " want " + Describe(want));
    }
    Ok(store_->CheckUser(u), "CheckUser " + u);
  }

  void CompareBox(const std::string& u, const ModelUser& mu, const std::string& name,
                  ModelMailbox* b, const MailboxInfo& got, bool deep) {
    std::string where = u + " " + name + ": ";
    if (b->id.empty()) {  // fresh: learn what store.h leaves to the store
      Expect(got.id.size() == 32 && std::all_of(got.id.begin(), got.id.end(),
                                                [](unsigned char c) { return isxdigit(c) != 0; }),
             where + "id is not 32 hex characters: " + got.id);
      Expect(ids_seen_.insert(got.id).second, where + "mailbox id reused: " + got.id);
      Expect(got.uidvalidity != 0, where + "uidvalidity 0");
      auto& past = uidvalidities_[{u, name}];
      Expect(!past.count(got.uidvalidity), where + "UIDVALIDITY " +
                                               std::to_string(got.uidvalidity) +
                                               " reused for a new mailbox of this name");
      Expect(got.highestmodseq >= 1, where + "highestmodseq 0");
      b->id = got.id;
      b->uidvalidity = got.uidvalidity;
      SetHms(b, got.highestmodseq);
      past.insert(got.uidvalidity);
    }
    if (b->user_renamed) {
      // store.h does not say whether RenameUser keeps UIDVALIDITY; either
      // way an earlier mailbox of this user name must not have had it.
      auto& past = uidvalidities_[{u, name}];
      Expect(!past.count(got.uidvalidity), where + "after RenameUser, UIDVALIDITY " +
                                               std::to_string(got.uidvalidity) +
                                               " that an earlier mailbox of this name had");
      b->uidvalidity = got.uidvalidity;
      past.insert(got.uidvalidity);
      b->user_renamed = false;
    }
    if (b->may_raise_hms) {
      Expect(got.highestmodseq >= b->hms, where + "highestmodseq went down");
      if (got.highestmodseq != b->hms) SetHms(b, got.highestmodseq);
      b->may_raise_hms = false;
    }
    uint32_t unseen = 0;
    uint64_t bytes = 0;
    for (auto& [uid, m] : b->msgs) {
      unseen += (m.flags.system & kFlagSeen) ? 0 : 1;
      bytes += m.size;
    }
    Expect(got.id == b->id, where + "id changed " + b->id + " -> " + got.id);
    Expect(got.uidvalidity == b->uidvalidity, where + "uidvalidity " +
                                                  std::to_string(got.uidvalidity) + " want " +
                                                  std::to_string(b->uidvalidity));
    Expect(got.uidnext == b->uidnext, where + "uidnext " + std::to_string(got.uidnext) + " want " +
                                          std::to_string(b->uidnext));
    Expect(got.highestmodseq == b->hms, where + "highestmodseq " +
                                            std::to_string(got.highestmodseq) + " want " +
                                            std::to_string(b->hms));
    Expect(got.messages == b->msgs.size(), where + "messages " + std::to_string(got.messages) +
                                               " want " + std::to_string(b->msgs.size()));
    Expect(got.unseen == unseen,
           where + "unseen " + std::to_string(got.unseen) + " want " + std::to_string(unseen));
    Expect(got.bytes == bytes,
           where + "bytes " + std::to_string(got.bytes) + " want " + std::to_string(bytes));
    Expect(got.special_use.empty(), where + "special_use " + got.special_use);
    Expect(got.subscribed == (mu.subs.count(name) == 1), where + "subscribed flag wrong");
    Expect(got.has_children == mu.HasChildren(name), where + "has_children wrong");
    if (b->msgs.empty()) Expect(got.crc == 0, where + "crc of an empty mailbox is not 0");
    if (!deep) return;

    auto gm = store_->GetMailbox(u, Spell(name));
    if (Ok(gm.status(), where + "GetMailbox")) {
      Expect(gm->id == got.id && gm->uidnext == got.uidnext &&
                 gm->highestmodseq == got.highestmodseq && gm->crc == got.crc &&
                 gm->messages == got.messages && gm->subscribed == got.subscribed &&
                 gm->has_children == got.has_children && gm->name == name,
             where + "GetMailbox differs from ListMailboxes");
    }
    auto crc = store_->RecomputeCrc(u, name);
    if (Ok(crc.status(), where + "RecomputeCrc")) {
      Expect(crc.value() == got.crc, where + "stored crc " + std::to_string(got.crc) +
                                         " != recomputed " + std::to_string(crc.value()));
    }
    std::vector<MessageInfo> want;
    for (auto& [uid, m] : b->msgs) want.push_back(m);
    auto fetched = store_->FetchByUid(u, name, kAll);
    if (Ok(fetched.status(), where + "FetchByUid 1:*")) {
      Expect(fetched.value() == want, where + "FetchByUid 1:*\n    got  " +
                                          Describe(fetched.value()) + "\n    want " +
                                          Describe(want));
    }
    std::vector<uint32_t> tombs;
    for (auto& [uid, t] : b->tombs) tombs.push_back(uid);
    auto v0 = store_->VanishedSince(u, name, 0);
    if (Ok(v0.status(), where + "VanishedSince(0)")) {
      Expect(v0.value() == tombs,
             where + "VanishedSince(0) " + Describe(v0.value()) + " want " + Describe(tombs));
    }
    // Every value highestmodseq has had is a cut no tombstone straddles.
    uint64_t cut = b->hms_seen.empty() ? 0 : Pick(b->hms_seen);
    std::vector<uint32_t> vwant;
    for (auto& [uid, t] : b->tombs) {
      if (t.lo >= cut) vwant.push_back(uid);
    }
    auto vc = store_->VanishedSince(u, name, cut);
    if (Ok(vc.status(), where + "VanishedSince")) {
      Expect(vc.value() == vwant, where + "VanishedSince(" + std::to_string(cut) + ") " +
                                      Describe(vc.value()) + " want " + Describe(vwant));
    }
    std::vector<MessageInfo> cwant;
    for (auto& m : want) {
      if (m.modseq > cut) cwant.push_back(m);
    }
    auto cs = store_->ChangedSince(u, name, cut);
    if (Ok(cs.status(), where + "ChangedSince")) {
      Expect(cs.value() == cwant, where + "ChangedSince(" + std::to_string(cut) + ") " +
                                      Describe(cs.value()) + " want " + Describe(cwant));
    }
  }

  // ------------------------------------------------------------ operations

  void OpAppend() {
    std::string u = PickUser(3);
    ModelUser* mu = FindUser(u);
    std::string name = mu ? PickBox(*mu, 4) : "INBOX";
    std::string bytes = RandomBytes();
    Flags flags = RandomFlags();
    int64_t date = Rand(2000000000);
    op = "Append " + u + " " + name + " size=" + std::to_string(bytes.size()) + " " +
         Describe(flags);
    Touch(u);
    deep_ = {{u, name}};
    auto r = store_->Append(u, Spell(name), bytes, flags, date);
    ModelMailbox* b = FindBox(mu, name);
    if (b == nullptr) return ExpectCode(r.status(), Code::kNotFound, op);
    if (mu->Exceeds(bytes.size(), 1)) return ExpectCode(r.status(), Code::kOverQuota, op);
    if (!Ok(r.status(), op)) return;
    std::string guid = Sha256Hex(bytes);
    Expect(r->uidvalidity == b->uidvalidity, "append uidvalidity");
    Expect(r->uid == b->uidnext,
           "append uid " + std::to_string(r->uid) + " want uidnext " + std::to_string(b->uidnext));
    Expect(r->guid == guid, "append guid " + r->guid + " want " + guid);
    Expect(r->modseq > b->hms,
           "append modseq " + std::to_string(r->modseq) + " not above " + std::to_string(b->hms));
    MessageInfo m{r->uid, guid, bytes.size(), date, Canon(flags), r->modseq};
    b->msgs[m.uid] = m;
    b->uidnext = std::max(b->uidnext, m.uid + 1);
    SetHms(b, r->modseq);
    blobs_[guid] = bytes;
    Changed(u);
  }

  void OpStoreFlags() {
    std::string u = PickUser(2);
    ModelUser* mu = FindUser(u);
    std::string name = mu ? PickBox(*mu, 3) : "INBOX";
    ModelMailbox* b = FindBox(mu, name);
    UidSet set = b ? RandomUidSet(*b) : kAll;
    FlagOp fop = static_cast<FlagOp>(Rand(3));
    Flags arg = RandomFlags();
    std::optional<uint64_t> since;
    if (b && Chance(30)) {
      if (!b->msgs.empty() && Chance(50)) {
        auto it = b->msgs.begin();
        std::advance(it, Rand(static_cast<int>(b->msgs.size())));
        since = it->second.modseq - Rand(2);
      } else {
        since = Rand(static_cast<int>(b->hms) + 2);
      }
    }
    op = "StoreFlags " + u + " " + name + " " + Describe(set) + " op=" + std::to_string(int(fop)) +
         " " + Describe(arg) + (since ? " unchanged_since=" + std::to_string(*since) : "");
    Touch(u);
    deep_ = {{u, name}};
    auto r = store_->StoreFlags(u, Spell(name), set, fop, arg, since);
    if (b == nullptr) return ExpectCode(r.status(), Code::kNotFound, op);
    if (!Ok(r.status(), op)) return;
    std::vector<uint32_t> failed;
    std::map<uint32_t, MessageInfo> changed;
    for (auto& [uid, m] : b->msgs) {
      if (!InSet(uid, set)) continue;
      if (since && m.modseq > *since) {
        failed.push_back(uid);
        continue;
      }
      Flags nf = ApplyOp(m.flags, fop, arg);
      if (nf != m.flags) {
        changed[uid] = m;
        changed[uid].flags = nf;
      }
    }
    std::vector<uint32_t> got_failed = r->failed;
    std::sort(got_failed.begin(), got_failed.end());
    if (!failed.empty()) Count("some-failed");
    Expect(got_failed == failed, "failed " + Describe(r->failed) + " want " + Describe(failed));
    uint64_t top = b->hms;
    std::set<uint32_t> seen;
    for (const MessageInfo& m : r->changed) {
      auto it = changed.find(m.uid);
      if (it == changed.end() || !seen.insert(m.uid).second) {
        Expect(false, "reported changed but should not be: " + Describe(m));
        continue;
      }
      MessageInfo want = it->second;
      want.modseq = m.modseq;
      Expect(m == want, "changed " + Describe(m) + " want " + Describe(want));
      Expect(m.modseq > b->hms && m.modseq <= r->highestmodseq,
             "changed modseq out of range " + Describe(m));
      top = std::max(top, m.modseq);
      b->msgs[m.uid] = m;
    }
    Expect(seen.size() == changed.size(), "changed lists " + std::to_string(seen.size()) +
                                              " messages, want " + std::to_string(changed.size()));
    Expect(r->highestmodseq == top, "highestmodseq " + std::to_string(r->highestmodseq) + " want " +
                                        std::to_string(top) +
                                        (changed.empty() ? " (nothing changed)" : ""));
    if (r->highestmodseq != b->hms) SetHms(b, r->highestmodseq);
    if (!changed.empty()) Changed(u);
  }

  void OpExpunge() {
    std::string u = PickUser(2);
    ModelUser* mu = FindUser(u);
    std::string name = mu ? PickBox(*mu, 3) : "INBOX";
    ModelMailbox* b = FindBox(mu, name);
    std::optional<UidSet> set;
    if (b && Chance(50)) set = RandomUidSet(*b);
    op = "Expunge " + u + " " + name + " " + (set ? Describe(*set) : "(all \\Deleted)");
    Touch(u);
    deep_ = {{u, name}};
    auto r = store_->Expunge(u, Spell(name), set);
    if (b == nullptr) return ExpectCode(r.status(), Code::kNotFound, op);
    if (!Ok(r.status(), op)) return;
    std::vector<uint32_t> want;
    for (auto& [uid, m] : b->msgs) {
      if ((m.flags.system & kFlagDeleted) && (!set || InSet(uid, *set))) want.push_back(uid);
    }
    Expect(r->uids == want, "expunged " + Describe(r->uids) + " want " + Describe(want));
    if (want.empty()) {
      Expect(r->highestmodseq == b->hms, "highestmodseq raised by an expunge of nothing");
      return;
    }
    Expect(r->highestmodseq > b->hms, "highestmodseq not raised by expunge");
    for (uint32_t uid : want) {
      b->msgs.erase(uid);
      b->tombs[uid] = {b->hms, r->highestmodseq};
    }
    SetHms(b, r->highestmodseq);
    Changed(u);
  }

  void OpCopyMove(bool move) {
    std::string u = PickUser(2);
    ModelUser* mu = FindUser(u);
    std::string src = mu ? PickBox(*mu, 3) : "INBOX";
    std::string dst = mu ? PickBox(*mu, 3) : "INBOX";
    // MOVE into the same mailbox is not specified by store.h; not tried.
    for (int i = 0; move && src == dst && mu && i < 10; ++i) dst = PickBox(*mu, 0);
    if (move && src == dst) move = false;
    ModelMailbox* sb = FindBox(mu, src);
    ModelMailbox* db = FindBox(mu, dst);
    UidSet set = sb ? RandomUidSet(*sb) : kAll;
    op = std::string(move ? "Move " : "Copy ") + u + " " + src + " " + Describe(set) + "-> " + dst;
    Touch(u);
    deep_ = {{u, src}, {u, dst}};
    auto r = move ? store_->Move(u, Spell(src), set, Spell(dst))
                  : store_->Copy(u, Spell(src), set, Spell(dst));
    if (sb == nullptr || db == nullptr) return ExpectCode(r.status(), Code::kNotFound, op);
    std::vector<MessageInfo> picked;
    uint64_t bytes = 0;
    for (auto& [uid, m] : sb->msgs) {
      if (InSet(uid, set)) {
        picked.push_back(m);
        bytes += m.size;
      }
    }
    uint64_t n = picked.size();
    op += " (" + std::to_string(n) + " messages, " + std::to_string(bytes) + " bytes; quota " +
          std::to_string(mu->UsedBytes()) + "/" + std::to_string(mu->limit_bytes) + " bytes, " +
          std::to_string(mu->UsedMessages()) + "/" + std::to_string(mu->limit_msgs) + " messages)";
    if (!move && n > 0 && mu->Exceeds(bytes, n))
      return ExpectCode(r.status(), Code::kOverQuota, op);
    // MOVE leaves usage unchanged; store.h does not say whether it may be
    // refused when the copies alone would exceed the quota. Accept both.
    if (move && n > 0 && mu->Exceeds(bytes, n) && r.status().code() == Code::kOverQuota) return;
    if (!Ok(r.status(), op)) return;
    std::vector<uint32_t> want_src, want_dst;
    for (uint32_t i = 0; i < n; ++i) {
      want_src.push_back(picked[i].uid);
      want_dst.push_back(db->uidnext + i);
    }
    Expect(r->dst_uidvalidity == db->uidvalidity, "dst_uidvalidity");
    Expect(r->src_uids == want_src,
           "src_uids " + Describe(r->src_uids) + " want " + Describe(want_src));
    Expect(r->dst_uids == want_dst,
           "dst_uids " + Describe(r->dst_uids) + " want " + Describe(want_dst));
    if (n == 0 || r->dst_uids.size() != n) return;
    // The copies' modseqs are the store's to choose: above the old
    // HIGHESTMODSEQ, and the new HIGHESTMODSEQ is the largest of them.
    uint64_t old_dst_hms = db->hms, old_src_hms = sb->hms;
    auto copies = store_->FetchByUid(u, dst, {{want_dst.front(), want_dst.back()}});
    auto dinfo = store_->GetMailbox(u, dst);
    if (!Ok(copies.status(), "FetchByUid copies") || !Ok(dinfo.status(), "GetMailbox dst")) return;
    Expect(copies->size() == n, "copies fetched " + std::to_string(copies->size()));
    if (copies->size() != n) return;
    uint64_t top = 0;
    for (uint32_t i = 0; i < n; ++i) {
      MessageInfo want = picked[i];
      want.uid = want_dst[i];
      want.modseq = (*copies)[i].modseq;
      Expect((*copies)[i] == want, "copy " + Describe((*copies)[i]) + " want " + Describe(want));
      Expect(want.modseq > old_dst_hms, "copy modseq not above old highestmodseq");
      top = std::max(top, want.modseq);
      db->msgs[want.uid] = want;
    }
    Expect(dinfo->highestmodseq == top,
           "dst highestmodseq " + std::to_string(dinfo->highestmodseq) +
               " want the copies' largest modseq " + std::to_string(top));
    db->uidnext = want_dst.back() + 1;
    SetHms(db, dinfo->highestmodseq);
    if (move) {
      auto sinfo = store_->GetMailbox(u, src);
      if (!Ok(sinfo.status(), "GetMailbox src")) return;
      Expect(sinfo->highestmodseq > old_src_hms, "move did not raise the source's highestmodseq");
      for (uint32_t uid : want_src) {
        sb->msgs.erase(uid);
        sb->tombs[uid] = {old_src_hms, sinfo->highestmodseq};
      }
      SetHms(sb, sinfo->highestmodseq);
    }
    Changed(u);
  }

  void OpCreateMailbox() {
    std::string u = PickUser(2);
    ModelUser* mu = FindUser(u);
    if (mu && mu->boxes.size() > 24) return OpDeleteMailbox();
    std::string name = Pick(universe_);
    op = "CreateMailbox " + u + " " + name;
    Touch(u);
    Status st = store_->CreateMailbox(u, Spell(name));
    if (mu == nullptr) return ExpectCode(st, Code::kNotFound, op);
    if (mu->boxes.count(name)) return ExpectCode(st, Code::kExists, op);
    if (!Ok(st, op)) return;
    for (size_t p = name.find('/'); p != std::string::npos; p = name.find('/', p + 1)) {
      if (!mu->boxes.count(name.substr(0, p))) NewBox(mu, name.substr(0, p));  // missing parents
    }
    NewBox(mu, name);
    Changed(u);
  }

  void OpDeleteMailbox() {
    std::string u = PickUser(2);
    ModelUser* mu = FindUser(u);
    std::string name = "INBOX";
    if (mu && !Chance(5)) {
      name = PickBox(*mu, 5);
      for (int i = 0; i < 5 && mu->HasChildren(name); ++i) name = PickBox(*mu, 0);  // mostly leaves
    }
    op = "DeleteMailbox " + u + " " + name;
    Touch(u);
    Status st = store_->DeleteMailbox(u, Spell(name));
    // Deleting INBOX of a missing user: which refusal comes first is not said.
    if (mu == nullptr && name == "INBOX")
      return ExpectCodeIn(st, {Code::kNotFound, Code::kInvalidArgument}, op);
    if (mu == nullptr || !mu->boxes.count(name)) return ExpectCode(st, Code::kNotFound, op);
    // store.h: InvalidArgument for INBOX, InUse with children; INBOX with
    // children could be either.
    if (name == "INBOX" && mu->HasChildren(name)) {
      return ExpectCodeIn(st, {Code::kInvalidArgument, Code::kInUse}, op);
    }
    if (name == "INBOX") return ExpectCode(st, Code::kInvalidArgument, op);
    if (mu->HasChildren(name)) return ExpectCode(st, Code::kInUse, op);
    if (!Ok(st, op)) return;
    mu->boxes.erase(name);  // subscriptions outlive the mailbox
    Changed(u);
  }

  void OpRenameMailbox() {
    std::string u = PickUser(2);
    ModelUser* mu = FindUser(u);
    if (mu == nullptr) {
      op = "RenameMailbox of a missing user " + u;
      return ExpectCode(store_->RenameMailbox(u, "Work", "Zeta"), Code::kNotFound, op);
    }
    std::string from = Chance(15) ? "INBOX" : PickBox(*mu, 5);
    bool from_exists = mu->boxes.count(from) == 1;
    // A target whose parent exists (store.h does not say whether RENAME
    // creates missing parents), never inside the source, not under INBOX
    // when renaming INBOX; an existing one sometimes, for Exists.
    std::vector<std::string> targets;
    for (auto& n : universe_) {
      size_t slash = n.rfind('/');
      bool parent_ok = slash == std::string::npos || mu->boxes.count(n.substr(0, slash));
      if (parent_ok && !SameOrUnder(n, from) && !(from == "INBOX" && SameOrUnder(n, "INBOX")) &&
          (from_exists ? true : !mu->boxes.count(n))) {
        targets.push_back(n);
      }
    }
    if (targets.empty()) return;
    std::string to = Pick(targets);
    op = "RenameMailbox " + u + " " + from + " -> " + to;
    Touch(u);
    Status st = store_->RenameMailbox(u, Spell(from), Spell(to));
    if (!from_exists) return ExpectCode(st, Code::kNotFound, op);
    if (mu->boxes.count(to)) return ExpectCode(st, Code::kExists, op);
    if (!Ok(st, op)) return;
    Changed(u);
    if (from == "INBOX") {
      Count("INBOX");
      return RenamedInbox(u, mu, to);
    }
    std::vector<std::string> moving;
    for (auto& [n, b] : mu->boxes) {
      if (SameOrUnder(n, from)) moving.push_back(n);
    }
    for (auto& n : moving) {
      std::string nn = to + n.substr(from.size());
      deep_.insert({u, nn});
      ModelMailbox b = std::move(mu->boxes[n]);
      mu->boxes.erase(n);
      b.may_raise_hms = true;  // "every change to a mailbox raises it" may include a rename
      uidvalidities_[{u, nn}].insert(b.uidvalidity);
      mu->boxes[nn] = std::move(b);
    }
  }

  // RFC 3501 6.3.5: INBOX's messages move into the new mailbox `to`, INBOX
  // stays, empty, with its children. Which of the two keeps the old id and
  // UIDVALIDITY, and which UIDs the moved messages get, is the store's choice;
  // UIDs must not be reused under an unchanged UIDVALIDITY.
  void RenamedInbox(const std::string& u, ModelUser* mu, const std::string& to) {
    ModelMailbox old = mu->boxes["INBOX"];
    auto inbox = store_->GetMailbox(u, "INBOX");
    auto target = store_->GetMailbox(u, to);
    auto moved = store_->FetchByUid(u, to, kAll);
    auto inbox_msgs = store_->FetchByUid(u, "INBOX", kAll);
    auto inbox_gone = store_->VanishedSince(u, "INBOX", 0);
    auto to_gone = store_->VanishedSince(u, to, 0);
    if (!Ok(inbox.status(), "GetMailbox INBOX") || !Ok(target.status(), "GetMailbox " + to) ||
        !Ok(moved.status(), "FetchByUid " + to) || !Ok(inbox_msgs.status(), "FetchByUid INBOX") ||
        !Ok(inbox_gone.status(), "VanishedSince INBOX") ||
        !Ok(to_gone.status(), "VanishedSince " + to)) {
      return;
    }
    Expect(inbox_msgs->empty(), "INBOX not empty after rename");
    auto key = [](const MessageInfo& m) {
      return std::make_tuple(m.guid, m.size, m.internal_date, m.flags.system, m.flags.keywords);
    };
    std::vector<decltype(key(MessageInfo{}))> want_set, got_set;
    for (auto& [uid, m] : old.msgs) want_set.push_back(key(m));
    for (auto& m : moved.value()) got_set.push_back(key(m));
    std::sort(want_set.begin(), want_set.end());
    std::sort(got_set.begin(), got_set.end());
    Expect(want_set == got_set, "messages of INBOX and " + to + " differ after renaming INBOX");
    Expect(target->id != inbox->id, "INBOX and " + to + " share an id");
    Expect(inbox->id == old.id || ids_seen_.insert(inbox->id).second, "INBOX got a reused id");
    Expect(target->id == old.id || ids_seen_.insert(target->id).second, to + " got a reused id");

    ModelMailbox ni;  // INBOX after
    ni.id = inbox->id;
    ni.uidvalidity = inbox->uidvalidity;
    ni.uidnext = inbox->uidnext;
    SetHms(&ni, inbox->highestmodseq);
    if (inbox->uidvalidity == old.uidvalidity) {
      Expect(inbox->uidnext >= old.uidnext, "INBOX uidnext went down under the same UIDVALIDITY");
      Expect(inbox->highestmodseq >= old.hms, "INBOX highestmodseq went down");
      ni.tombs = old.tombs;
      for (auto& [uid, m] : old.msgs) ni.tombs[uid] = {old.hms, inbox->highestmodseq};
      ni.hms_seen = old.hms_seen;
      ni.hms_seen.push_back(inbox->highestmodseq);
    } else {
      Expect(!uidvalidities_[{u, "INBOX"}].count(inbox->uidvalidity), "INBOX UIDVALIDITY reused");
      uidvalidities_[{u, "INBOX"}].insert(inbox->uidvalidity);
    }
    std::vector<uint32_t> tomb_uids;
    for (auto& [uid, t] : ni.tombs) tomb_uids.push_back(uid);
    Expect(inbox_gone.value() == tomb_uids,
           "INBOX tombstones after rename " + Describe(inbox_gone.value()) + " want " +
               Describe(tomb_uids) +
               " (UIDs moved out under an unchanged UIDVALIDITY must vanish)");
    ni.tombs.clear();
    for (uint32_t uid : inbox_gone.value()) {
      auto it = old.tombs.find(uid);
      ni.tombs[uid] = it != old.tombs.end() ? it->second : Tombstone{old.hms, inbox->highestmodseq};
    }

    ModelMailbox nt;  // the new mailbox, learned
    nt.id = target->id;
    nt.uidvalidity = target->uidvalidity;
    nt.uidnext = target->uidnext;
    SetHms(&nt, target->highestmodseq);
    Expect(!uidvalidities_[{u, to}].count(target->uidvalidity), to + " got a reused UIDVALIDITY");
    uidvalidities_[{u, to}].insert(target->uidvalidity);
    for (auto& m : moved.value()) {
      Expect(m.uid < target->uidnext && m.modseq <= target->highestmodseq,
             "moved message out of range " + Describe(m));
      nt.msgs[m.uid] = m;
    }
    for (uint32_t uid : to_gone.value()) nt.tombs[uid] = {0, target->highestmodseq};
    mu->boxes["INBOX"] = std::move(ni);
    mu->boxes[to] = std::move(nt);
    deep_ = {{u, "INBOX"}, {u, to}};
  }

  void OpSubscribe() {
    std::string u = PickUser(2);
    ModelUser* mu = FindUser(u);
    bool sub = Chance(60);
    std::string name = "INBOX";
    if (mu && !sub && !mu->subs.empty() && Chance(80)) {
      name = Pick(std::vector<std::string>(mu->subs.begin(), mu->subs.end()));
    } else if (mu) {
      name = PickBox(*mu, 0);  // subscribing to a missing name is not specified
    }
    op = std::string(sub ? "Subscribe " : "Unsubscribe ") + u + " " + name;
    Touch(u);
    Status st = sub ? store_->Subscribe(u, Spell(name)) : store_->Unsubscribe(u, Spell(name));
    if (mu == nullptr) return ExpectCode(st, Code::kNotFound, op);
    bool has = mu->subs.count(name) == 1;
    // A repeated SUBSCRIBE / an UNSUBSCRIBE of a name not subscribed: store.h
    // does not say; Ok or Exists/NotFound, and nothing changes.
    if (sub && has) return ExpectCodeIn(st, {Code::kOk, Code::kExists}, op);
    if (!sub && !has) return ExpectCodeIn(st, {Code::kOk, Code::kNotFound}, op);
    if (!Ok(st, op)) return;
    if (sub)
      mu->subs.insert(name);
    else
      mu->subs.erase(name);
    Changed(u);
  }

  void OpSetQuota() {
    std::string u = PickUser(2);
    ModelUser* mu = FindUser(u);
    uint64_t lb = 0, lm = 0;
    // Unlimited often, else a little above (sometimes below) current usage.
    int kind = Rand(10);
    if (mu && kind >= 4 && kind != 9)
      lb = std::max<int64_t>(1, int64_t(mu->UsedBytes()) + Rand(30000) - 2000);
    if (mu && kind >= 7) lm = std::max<int64_t>(1, int64_t(mu->UsedMessages()) + Rand(15) - 1);
    op = "SetQuota " + u + " " + std::to_string(lb) + " " + std::to_string(lm);
    Touch(u);
    Status st = store_->SetQuota(u, lb, lm);
    if (mu == nullptr) return ExpectCode(st, Code::kNotFound, op);
    if (!Ok(st, op)) return;
    mu->limit_bytes = lb;
    mu->limit_msgs = lm;
    Changed(u);
  }

  void OpCreateUser() {
    std::string u = Pick(kUsers);
    std::string pw = "pw" + std::to_string(Rand(1000000));
    op = "CreateUser " + u;
    Touch(u);
    Status st = store_->CreateUser(u, pw);
    if (users_.count(u)) return ExpectCode(st, Code::kExists, op);
    if (!Ok(st, op)) return;
    users_[u].password = pw;
    NewBox(&users_[u], "INBOX");
    Changed(u);
  }

  void OpDeleteUser() {
    std::string u = PickUser(20);
    op = "DeleteUser " + u + " (skipped: last user)";
    if (users_.size() <= 1 && users_.count(u)) return;
    op = "DeleteUser " + u;
    Touch(u);
    Status st = store_->DeleteUser(u);
    if (!users_.count(u)) return ExpectCode(st, Code::kNotFound, op);
    if (!Ok(st, op)) return;
    users_.erase(u);
    Changed(u);
  }

  void OpRenameUser() {
    std::string from = PickUser(10);
    std::string to = Pick(kUsers);
    op = "RenameUser " + from + " -> " + to;
    Touch(from);
    Touch(to);
    Status st = store_->RenameUser(from, to);
    // Renaming a user to itself: Exists or InvalidArgument, store.h does not say.
    if (from == to)
      return ExpectCodeIn(st, {Code::kExists, Code::kInvalidArgument, Code::kNotFound}, op);
    if (!users_.count(from)) return ExpectCodeIn(st, {Code::kNotFound, Code::kExists}, op);
    if (users_.count(to)) return ExpectCode(st, Code::kExists, op);
    if (!Ok(st, op)) return;
    users_[to] = std::move(users_[from]);
    users_.erase(from);
    for (auto& [name, b] : users_[to].boxes) {
      b.user_renamed = true;
      b.may_raise_hms = true;
    }
    Changed(from);
    Changed(to);
  }

  void OpPassword() {
    std::string u = PickUser(5);
    ModelUser* mu = FindUser(u);
    if (mu && Chance(30)) {
      std::string pw = "new" + std::to_string(Rand(1000000));
      op = "SetPassword " + u;
      Touch(u);
      if (Ok(store_->SetPassword(u, pw), op)) {
        mu->password = pw;
        Changed(u);
      }
      return;
    }
    op = "VerifyPassword " + u;
    if (mu == nullptr) return ExpectCode(store_->VerifyPassword(u, "x"), Code::kNotFound, op);
    Ok(store_->VerifyPassword(u, mu->password), op + " (right)");
    ExpectCode(store_->VerifyPassword(u, mu->password + "x"), Code::kPermission, op + " (wrong)");
  }

  // Read-only calls with their own expectations.
  void OpRead() {
    std::string u = PickUser(2);
    ModelUser* mu = FindUser(u);
    std::string name = mu ? PickBox(*mu, 2) : "INBOX";
    ModelMailbox* b = FindBox(mu, name);
    Touch(u);
    deep_.clear();
    int kind = Rand(3);
    if (kind == 0) {  // ReadMessage
      std::string guid = Sha256Hex(std::to_string(Rand(1000000)) + "never appended");
      bool live = b && !b->msgs.empty();
      if (live) {
        auto it = b->msgs.begin();
        std::advance(it, Rand(static_cast<int>(b->msgs.size())));
        guid = it->second.guid;
      }
      op = "ReadMessage " + u + " " + guid;
      auto r = store_->ReadMessage(u, guid);
      if (!live) return ExpectCode(r.status(), Code::kNotFound, op);
      if (Ok(r.status(), op)) Expect(r.value() == blobs_[guid], "ReadMessage bytes differ");
    } else if (kind == 1) {  // FetchBySeq within 1..count
      op = "FetchBySeq " + u + " " + name;
      if (b == nullptr)
        return ExpectCode(store_->FetchBySeq(u, name, kAll).status(), Code::kNotFound, op);
      if (b->msgs.empty()) return;
      std::vector<MessageInfo> all;
      for (auto& [uid, m] : b->msgs) all.push_back(m);
      uint32_t n = static_cast<uint32_t>(all.size());
      uint32_t lo = 1 + Rand(n), hi = Chance(30) ? kStar : lo + Rand(n - lo + 1);
      op += " " + std::to_string(lo) + ":" + (hi == kStar ? "*" : std::to_string(hi));
      std::vector<MessageInfo> want(all.begin() + (lo - 1), all.begin() + std::min(hi, n));
      auto r = store_->FetchBySeq(u, Spell(name), {{lo, hi}});
      if (Ok(r.status(), op))
        Expect(r.value() == want, "FetchBySeq " + Describe(r.value()) + " want " + Describe(want));
    } else {  // ListMailboxes with a pattern
      static const char* kPatterns[] = {"%",   "Work/*", "Work/%",  "*a*",
                                        "%/%", "INBOX*", "inbox/%", "Z*"};
      std::string pat = kPatterns[Rand(8)];
      op = "ListMailboxes " + u + " " + pat;
      auto r = store_->ListMailboxes(u, pat);
      if (mu == nullptr) return ExpectCode(r.status(), Code::kNotFound, op);
      std::vector<std::string> want, got;
      for (auto& [n, bx] : mu->boxes) {
        if (Match(CanonName(pat), n)) want.push_back(n);
      }
      if (Ok(r.status(), op)) {
        for (auto& mi : r.value()) got.push_back(mi.name);
        Expect(got == want, op + ": " + Describe(got) + " want " + Describe(want));
      }
    }
  }

  // Refused input must change nothing.
  void OpBadInput() {
    std::string u = PickUser(0);
    Touch(u);
    deep_ = {{u, "INBOX"}};
    int kind = Rand(4);
    if (kind == 0) {
      static const char* kBad[] = {"",  "/x",  "x/",  "Work//a",    "a/../b",
                                   ".", "x*y", "50%", "bad\x01name"};
      std::string name = kBad[Rand(9)];
      op = "CreateMailbox with a bad name '" + name + "'";
      ExpectCode(store_->CreateMailbox(u, name), Code::kInvalidArgument, op);
    } else if (kind == 1) {
      op = "Append with a bad keyword";
      Flags f;
      f.keywords = {"ok", "not ok"};
      ExpectCodeIn(store_->Append(u, "INBOX", "x", f, 0).status(),
                   {Code::kInvalidArgument, OverQuotaOr(u, Code::kInvalidArgument)}, op);
    } else if (kind == 2) {
      op = "Append with too many keywords";
      Flags f;
      for (int i = 0; i < 65; ++i) f.keywords.push_back("k" + std::to_string(i));
      ExpectCodeIn(store_->Append(u, "INBOX", "x", f, 0).status(),
                   {Code::kTooBig, OverQuotaOr(u, Code::kTooBig)}, op);
    } else {
      op = "CreateUser with a bad name";
      ExpectCode(store_->CreateUser("Bad User", "pw"), Code::kInvalidArgument, op);
    }
  }

  // Which of two refusals comes first is not specified: OverQuota is
  // accepted instead of `code` when a one-byte append would exceed the quota.
  Code OverQuotaOr(const std::string& u, Code code) {
    return FindUser(u)->Exceeds(1, 1) ? Code::kOverQuota : code;
  }

  // Keeps mailboxes small: flag the whole mailbox \Deleted and expunge.
  void OpCleanup() {
    std::string u = PickUser(0);
    ModelUser* mu = FindUser(u);
    if (mu->UsedMessages() < 60) return OpAppend();
    std::string name = PickBox(*mu, 0);
    op = "Cleanup " + u + " " + name;
    Flags del;
    del.system = kFlagDeleted;
    auto r = store_->StoreFlags(u, name, kAll, FlagOp::kAdd, del);
    if (!Ok(r.status(), op)) return;
    ModelMailbox* b = FindBox(mu, name);
    for (const MessageInfo& m : r->changed) b->msgs[m.uid] = m;
    if (r->highestmodseq != b->hms) SetHms(b, r->highestmodseq);
    if (!r->changed.empty()) Changed(u);
    auto x = store_->Expunge(u, name);
    if (!Ok(x.status(), op + " expunge")) return;
    Expect(x->uids.size() == b->msgs.size(), "cleanup did not expunge everything");
    for (uint32_t uid : x->uids) {
      b->msgs.erase(uid);
      b->tombs[uid] = {b->hms, x->highestmodseq};
    }
    if (!x->uids.empty()) {
      SetHms(b, x->highestmodseq);
      Changed(u);
    }
    Touch(u);
    deep_ = {{u, name}};
  }

  std::mt19937 rng_;
  std::string root_;
  std::unique_ptr<Store> store_;
  std::vector<std::string> universe_;  // every mailbox name the test uses
  std::map<std::string, ModelUser> users_;
  std::map<std::string, std::string> blobs_;  // guid -> bytes
  std::vector<std::string> pool_;             // recent message bodies, for dedup
  std::set<std::string> ids_seen_;            // every mailbox id ever handed out
  std::map<std::pair<std::string, std::string>, std::set<uint32_t>>
      uidvalidities_;                                   // per (user, name)
  std::set<std::string> touched_;                       // users to compare after this step
  std::set<std::pair<std::string, std::string>> deep_;  // mailboxes to compare in depth
  std::set<std::string> changed_users_;                 // the change log must name these
  std::map<std::string, int> stats_;
};

uint32_t EnvOr(const char* name, uint32_t fallback) {
  const char* v = getenv(name);
  return v && *v ? static_cast<uint32_t>(strtoul(v, nullptr, 10)) : fallback;
}

TEST_CASE("store model: random operations agree with an in-memory model") {
  const uint32_t seed = EnvOr("SLOTMAIL_MODEL_SEED", std::random_device{}());
  const int steps = static_cast<int>(EnvOr("SLOTMAIL_MODEL_STEPS", 3000));
  CAPTURE(seed);
  TempDir dir;
  REQUIRE(!dir.path().empty());
  ModelTest t(seed, dir.path() + "/slot");
  INFO("step: ", t.op);
  t.Open();
  auto start = std::chrono::steady_clock::now();
  const bool trace = getenv("SLOTMAIL_MODEL_TRACE") != nullptr;
  for (int step = 1; step <= steps; ++step) {
    t.Step();
    if (trace) fprintf(stderr, "%d %s\n", step, t.op.c_str());
    REQUIRE_MESSAGE(t.err.empty(), "after step ", step, " (", t.op, "):\n", t.err);
    if (step % 100 == 0) {
      t.CompareAll();
      REQUIRE_MESSAGE(t.err.empty(), "full comparison after step ", step, ":\n", t.err);
    }
  }
  // What was acknowledged survives a clean close; nothing is re-logged then.
  t.CompareAll();
  REQUIRE_MESSAGE(t.err.empty(), "before reopen:\n", t.err);
  t.Close();
  t.Open();
  t.ExpectNoChanges();
  REQUIRE_MESSAGE(t.err.empty(), t.err);
  t.CompareAll();
  REQUIRE_MESSAGE(t.err.empty(), "after reopen:\n", t.err);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("seed ", seed, ": ", steps, " steps in ", secs, " s");
  if (trace) fprintf(stderr, "outcomes: %s\n", t.Stats().c_str());
}

}  // namespace
}  // namespace slotmail::store
