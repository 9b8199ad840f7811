// What a user's mail may look like after a power loss, for
// t/unit/store_power_loss_test.cc. The state is what store.h promises to
// keep (mailboxes with UIDNEXT, messages with GUID and flags); the history
// is the sequence of states the user's commits produced, of which a power
// loss may leave any one from the last durable state on (each user's index
// WAL keeps a prefix of its commits: doc/store.md "Durability").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "store/flags.h"
#include "store/types.h"

namespace slotmail::store::power_loss {

struct Msg {
  std::string guid;
  Flags flags;
  bool operator==(const Msg&) const = default;
};

struct Box {
  uint32_t uidnext = 1;
  std::map<uint32_t, Msg> msgs;
  bool operator==(const Box&) const = default;
};

struct UserState {
  bool exists = false;
  std::map<std::string, Box> boxes;  // by canonical name
  bool operator==(const UserState&) const = default;
};

inline bool InSet(uint32_t uid, const UidSet& set) {
  for (const auto& r : set) {
    if (uid >= r.lo && uid <= r.hi) return true;
  }
  return false;
}

// The UIDs of `box` in `set`, ascending.
inline std::vector<uint32_t> Select(const Box& box, const UidSet& set) {
  std::vector<uint32_t> out;
  for (const auto& [uid, m] : box.msgs) {
    if (InSet(uid, set)) out.push_back(uid);
  }
  return out;
}

// Adds a message as Append does; returns its UID.
inline uint32_t Add(Box* box, const std::string& guid, Flags flags) {
  (void)NormalizeFlags(&flags);
  const uint32_t uid = box->uidnext++;
  box->msgs[uid] = Msg{guid, std::move(flags)};
  return uid;
}

// COPY or MOVE of `uids` (ascending, present in `src`): the UIDs the copies get.
inline std::vector<uint32_t> ApplyCopy(UserState* s, const std::string& src,
                                       const std::vector<uint32_t>& uids,
                                       const std::string& dst, bool move) {
  std::vector<Msg> msgs;
  for (uint32_t uid : uids) msgs.push_back(s->boxes[src].msgs.at(uid));
  if (move) {
    for (uint32_t uid : uids) s->boxes[src].msgs.erase(uid);
  }
  std::vector<uint32_t> out;
  for (const auto& m : msgs) out.push_back(Add(&s->boxes[dst], m.guid, m.flags));
  return out;
}

// The states one user went through, and which of them a power loss may leave.
class UserHistory {
 public:
  UserHistory() : states_{UserState{}} {}

  const UserState& latest() const { return states_.back(); }
  // A change that committed and was acknowledged. A synced one is durable
  // with everything before it (the WAL sync covers all earlier commits).
  void Acknowledged(UserState s, bool synced) {
    states_.push_back(std::move(s));
    if (synced) durable_ = states_.size() - 1;
  }
  void AllDurable() { durable_ = states_.size() - 1; }  // a SyncAll returned ok
  // The call the power cut short may have committed `s` (it is the last
  // change: nothing runs after the cut).
  void InFlight(UserState s) { in_flight_ = std::move(s); }

  // Whether `found` is one of the states a power loss may leave; if so it
  // becomes the one state of the history, durable.
  bool Recover(const UserState& found) {
    bool ok = in_flight_ && *in_flight_ == found;
    for (size_t i = durable_; i < states_.size() && !ok; ++i) ok = states_[i] == found;
    if (!ok) return false;
    states_ = {found};
    durable_ = 0;
    in_flight_.reset();
    return true;
  }

  // The allowed states and `found`, for a failure message.
  std::string Explain(const UserState& found) const {
    std::ostringstream out;
    out << "found:\n" << Describe(found);
    for (size_t i = durable_; i < states_.size(); ++i) {
      out << "allowed (state " << i << (i == durable_ ? ", last durable" : "") << "):\n"
          << Describe(states_[i]);
    }
    if (in_flight_) out << "allowed (in flight):\n" << Describe(*in_flight_);
    return out.str();
  }

  static std::string Describe(const UserState& s) {
    if (!s.exists) return "  (no user)\n";
    std::ostringstream out;
    for (const auto& [name, box] : s.boxes) {
      out << "  " << name << " uidnext " << box.uidnext << ":";
      for (const auto& [uid, m] : box.msgs) {
        out << " " << uid << "=" << m.guid.substr(0, 6) << "[" << FlagsToString(m.flags) << "]";
      }
      out << "\n";
    }
    return out.str();
  }

 private:
  std::vector<UserState> states_;  // in commit order; states_[0]: as recovered
  size_t durable_ = 0;             // states_[durable_] and before are durable
  std::optional<UserState> in_flight_;
};

}  // namespace slotmail::store::power_loss
