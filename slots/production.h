// production.dat: the cluster's topology (doc/production-dat.md). Parsing
// keeps every record's line number so that checks can say FILE:LINE.
// Pure: no I/O except Load.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace slotmail::slots {

inline constexpr int kProductionVersion = 1;
// A line longer than this is a problem (doc "Syntax"); real records are short.
inline constexpr size_t kMaxProductionLineBytes = 4096;
// Slot numbers run 1..400 so that derived ports (20000 + 100 * N + 93) stay
// below 65536 and read as the slot number in `ss -ltn`.
inline constexpr int kMaxSlotNumber = 400;
// Machine and store names: [a-z][a-z0-9-]*, at most this long.
inline constexpr size_t kMaxProductionNameBytes = 32;

struct Machine {
  std::string name;
  std::string address;  // IPv4 literal
  uint64_t capacity = 0;
  int line = 0;
};

// The ports of one slot, derived from its number unless given (doc).
struct SlotPorts {
  uint16_t control = 0, replication = 0, pop3 = 0, lmtp = 0, imap = 0, imaps = 0;
};

struct SlotDef {
  std::string machine;
  int number = 0;
  uint64_t size = 0;
  SlotPorts ports;
  int line = 0;
  std::string Name() const { return machine + ":" + std::to_string(number); }
};

struct StoreDef {
  std::string name;
  uint64_t epoch = 0;
  bool sync_mode = false;             // mode=sync
  bool degrade_when_replica_down = false;  // on_replica_down=degrade
  std::vector<std::string> masters;   // slot names; exactly one when valid
  std::vector<std::string> replicas;  // slot names
  int line = 0;
};

// One problem found in a file: its line (0: the file as a whole) and why.
struct Problem {
  int line = 0;
  std::string reason;
};

struct Production {
  std::string origin;  // the file name, for messages
  int version = 0;
  uint64_t serial = 0;
  std::vector<Machine> machines;
  std::vector<SlotDef> slots;
  std::vector<StoreDef> stores;

  const Machine* FindMachine(const std::string& name) const;
  const SlotDef* FindSlot(const std::string& name) const;  // "m1:3"
  const StoreDef* FindStore(const std::string& name) const;
  // The store that names `slot` as master or replica; nullptr for a spare.
  const StoreDef* StoreOfSlot(const std::string& slot) const;
};

// Parses `text`. Syntax problems (doc "Rules" 1) are appended to *problems
// and the offending record is skipped; parsing goes on so that one run reports
// every problem. The result is usable for the other checks even then.
Production ParseProduction(const std::string& text, const std::string& origin,
                           std::vector<Problem>* problems);

// Reads and parses a file; IOError if it cannot be read (a missing file too).
Result<Production> LoadProduction(const std::string& path, std::vector<Problem>* problems);

// The semantic rules (doc "Rules" 2-9), appended to *problems; then all of
// *problems (syntax ones from ParseProduction too) is put in line order, stably.
void CheckProduction(const Production& p, std::vector<Problem>* problems);

// "FILE:LINE: reason" (or "FILE: reason" for line 0).
std::string FormatProblem(const std::string& origin, const Problem& problem);

// Loads and checks: the model if the file has no problem at all, else
// InvalidArgument whose message is every problem, one FormatProblem per line.
Result<Production> LoadValidProduction(const std::string& path);

// Splits "m1:3"; false if malformed (number not in 1..400).
bool ParseSlotName(const std::string& name, std::string* machine, int* number);

// The derived ports of slot number `n` (doc table).
// REQUIRES: 1 <= n <= kMaxSlotNumber.
SlotPorts DerivedPorts(int n);

// "10G" -> 10 << 30 (K, M, G, T: powers of 1024); false if malformed, zero or
// over 2^64 - 1.
bool ParseSize(const std::string& text, uint64_t* bytes);
// The inverse for messages: "40G" when a unit divides exactly, else bytes.
std::string FormatSize(uint64_t bytes);

}  // namespace slotmail::slots
