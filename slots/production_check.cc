// The semantic rules of production.dat (doc/production-dat.md "Rules" 2-9).
// A name defined twice is reported once (rule 2); the other rules then look at
// its first definition only, so that one mistake gives one problem.
#include <algorithm>
#include <map>
#include <set>

#include "slots/production.h"

namespace slotmail::slots {
namespace {

std::string MachineOf(const std::string& slot) {
  std::string machine;
  int number = 0;
  return ParseSlotName(slot, &machine, &number) ? machine : std::string();
}

// Rule 2. The IsFirst* helpers below are how the other rules skip repeats.
template <typename T, typename NameOf>
void CheckUnique(const std::vector<T>& defs, const char* what, NameOf name_of,
                 std::vector<Problem>* out) {
  std::map<std::string, int> first;
  for (const T& d : defs) {
    auto [it, inserted] = first.emplace(name_of(d), d.line);
    if (!inserted) {
      out->push_back({d.line, std::string(what) + " " + it->first + " is defined twice (first on line " +
                                  std::to_string(it->second) + ")"});
    }
  }
}

bool IsFirstSlot(const Production& p, const SlotDef& s) { return p.FindSlot(s.Name()) == &s; }
bool IsFirstMachine(const Production& p, const Machine& m) { return p.FindMachine(m.name) == &m; }
bool IsFirstStore(const Production& p, const StoreDef& s) { return p.FindStore(s.name) == &s; }

// Rule 3.
void CheckReferences(const Production& p, std::vector<Problem>* out) {
  for (const SlotDef& s : p.slots) {
    if (!p.FindMachine(s.machine)) {
      out->push_back({s.line, "slot " + s.Name() + " is on machine " + s.machine +
                                  ", which is not defined"});
    }
  }
  for (const StoreDef& st : p.stores) {
    std::set<std::string> reported;
    for (const auto* list : {&st.masters, &st.replicas}) {
      for (const std::string& slot : *list) {
        if (!p.FindSlot(slot) && reported.insert(slot).second) {
          out->push_back({st.line, "store " + st.name + " names slot " + slot +
                                       ", which is not defined"});
        }
      }
    }
  }
}

// Rules 4, 5 and 6.
void CheckStores(const Production& p, std::vector<Problem>* out) {
  std::map<std::string, std::string> store_of_slot;
  for (const StoreDef& st : p.stores) {
    if (!IsFirstStore(p, st)) continue;
    const std::string prefix = "store " + st.name;
    if (st.masters.empty()) out->push_back({st.line, prefix + " has no master"});
    if (st.masters.size() > 1) {
      std::string names;
      for (const std::string& m : st.masters) names += (names.empty() ? "" : ", ") + m;
      out->push_back({st.line, prefix + " has " + std::to_string(st.masters.size()) +
                                   " masters (" + names + "); it needs exactly one"});
    }
    if (st.replicas.empty()) out->push_back({st.line, prefix + " has no replica"});

    std::set<std::string> seen;
    std::map<std::string, std::string> slot_on_machine;
    for (const auto* list : {&st.masters, &st.replicas}) {
      for (const std::string& slot : *list) {
        if (!seen.insert(slot).second) {
          out->push_back({st.line, prefix + " names slot " + slot + " twice"});
          continue;
        }
        auto [on, fresh] = slot_on_machine.emplace(MachineOf(slot), slot);
        if (!fresh) {
          out->push_back({st.line, prefix + ": slots " + on->second + " and " + slot +
                                       " are both on machine " + on->first});
        }
        auto [other, unclaimed] = store_of_slot.emplace(slot, st.name);
        if (!unclaimed) {
          out->push_back({st.line, "slot " + slot + " is in stores " + other->second + " and " +
                                       st.name});
        }
      }
    }
  }
}

// Rule 7: every listener of every slot on its machine's address. Two machines
// sharing an address clash on every slot number they share; rule 9 says that once.
void CheckListeners(const Production& p, std::vector<Problem>* out) {
  struct User {
    std::string who;  // "m1:1 imap"
    std::string machine;
  };
  std::map<std::string, User> user_of;  // "address:port" -> its first user
  for (const SlotDef& s : p.slots) {
    const Machine* m = p.FindMachine(s.machine);
    if (!m || !IsFirstSlot(p, s)) continue;
    const std::pair<const char*, uint16_t> listeners[] = {
        {"control", s.ports.control}, {"replication", s.ports.replication},
        {"pop3", s.ports.pop3},       {"lmtp", s.ports.lmtp},
        {"imap", s.ports.imap},       {"imaps", s.ports.imaps}};
    for (const auto& [kind, port] : listeners) {
      std::string where = m->address + ":" + std::to_string(port);
      std::string who = s.Name() + " " + kind;
      auto [it, fresh] = user_of.emplace(where, User{who, s.machine});
      if (!fresh && it->second.machine == s.machine) {
        out->push_back({s.line, where + " is used by " + it->second.who + " and " + who});
      }
    }
  }
}

// Rule 8.
void CheckCapacity(const Production& p, std::vector<Problem>* out) {
  for (const Machine& m : p.machines) {
    if (!IsFirstMachine(p, m)) continue;
    uint64_t total = 0;
    bool overflow = false;
    std::string parts;
    for (const SlotDef& s : p.slots) {
      if (s.machine != m.name || !IsFirstSlot(p, s)) continue;
      overflow = overflow || total > UINT64_MAX - s.size;
      total += s.size;
      parts += (parts.empty() ? "" : ", ") + s.Name() + " " + FormatSize(s.size);
    }
    if (overflow || total > m.capacity) {
      out->push_back({m.line, "machine " + m.name + ": its slots need " +
                                  (overflow ? std::string("over 16E") : FormatSize(total)) + " (" +
                                  parts + ") but its capacity is " + FormatSize(m.capacity)});
    }
  }
}

// Rule 9.
void CheckAddresses(const Production& p, std::vector<Problem>* out) {
  std::map<std::string, std::string> machine_at;
  for (const Machine& m : p.machines) {
    if (!IsFirstMachine(p, m)) continue;
    auto [it, fresh] = machine_at.emplace(m.address, m.name);
    if (!fresh) {
      out->push_back({m.line, "machines " + it->second + " and " + m.name +
                                  " have the same address " + m.address});
    }
  }
}

}  // namespace

void CheckProduction(const Production& p, std::vector<Problem>* problems) {
  std::vector<Problem> found;
  CheckUnique(p.machines, "machine", [](const Machine& m) { return m.name; }, &found);
  CheckUnique(p.slots, "slot", [](const SlotDef& s) { return s.Name(); }, &found);
  CheckUnique(p.stores, "store", [](const StoreDef& s) { return s.name; }, &found);
  CheckReferences(p, &found);
  CheckStores(p, &found);
  CheckListeners(p, &found);
  CheckCapacity(p, &found);
  CheckAddresses(p, &found);
  problems->insert(problems->end(), found.begin(), found.end());
  std::stable_sort(problems->begin(), problems->end(),
                   [](const Problem& a, const Problem& b) { return a.line < b.line; });
}

}  // namespace slotmail::slots
