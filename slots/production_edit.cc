#include "slots/production_edit.h"

#include <algorithm>
#include <functional>
#include <sstream>
#include <vector>

#include "slots/production.h"

namespace slotmail::slots {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// `line` with the value of `key=` replaced; the rest as it was.
std::string SetField(const std::string& line, const std::string& key, const std::string& value) {
  const std::string prefix = key + "=";
  size_t at = 0;
  for (;;) {
    at = line.find(prefix, at);
    if (at == std::string::npos) return line;
    if (at == 0 || line[at - 1] == ' ' || line[at - 1] == '\t') break;
    at += prefix.size();
  }
  const size_t start = at + prefix.size();
  size_t end = line.find_first_of(" \t#", start);
  if (end == std::string::npos) end = line.size();
  return line.substr(0, start) + value + line.substr(end);
}

Status Invalid(const std::string& origin, const std::vector<Problem>& problems) {
  std::string msg;
  for (const auto& p : problems) msg += (msg.empty() ? "" : "\n") + FormatProblem(origin, p);
  return Status::InvalidArgument(msg);
}

// What an edit makes of a store's line.
struct StoreLine {
  std::string master;
  uint64_t epoch = 0;
  std::vector<std::string> replicas;
};

// `text` with store `store`'s line set to what `change` makes of it (it
// starts as the line is; an error refuses the edit) and the serial + 1.
Result<std::string> EditStore(const std::string& text, const std::string& origin,
                              const std::string& store,
                              const std::function<Status(const StoreDef&, StoreLine*)>& change) {
  std::vector<Problem> problems;
  Production p = ParseProduction(text, origin, &problems);
  CheckProduction(p, &problems);
  if (!problems.empty()) return Invalid(origin, problems);
  const StoreDef* s = p.FindStore(store);
  if (s == nullptr) return Status::InvalidArgument("no store " + store + " in " + origin);
  StoreLine want{s->masters[0], s->epoch, s->replicas};
  RETURN_IF_ERROR(change(*s, &want));
  std::string list;
  for (const auto& r : want.replicas) list += (list.empty() ? "" : ",") + r;
  std::vector<std::string> lines = Lines(text);
  // The header is the first record; the store's line is known by number.
  for (auto& line : lines) {
    if (line.rfind("slotmail-production", 0) == 0) {
      line = SetField(line, "serial", std::to_string(p.serial + 1));
      break;
    }
  }
  std::string& record = lines.at(static_cast<size_t>(s->line - 1));
  record = SetField(record, "epoch", std::to_string(want.epoch));
  record = SetField(record, "master", want.master);
  record = SetField(record, "replicas", list);
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  // What we wrote must read back as meant.
  problems.clear();
  Production q = ParseProduction(out, origin, &problems);
  CheckProduction(q, &problems);
  if (!problems.empty()) return Invalid(origin, problems);
  const StoreDef* t = q.FindStore(store);
  if (q.serial != p.serial + 1 || t == nullptr || t->masters.size() != 1 ||
      t->masters[0] != want.master || t->epoch != want.epoch || t->replicas != want.replicas) {
    return Status::Corruption("the edited production.dat did not read back as written");
  }
  return out;
}

}  // namespace

Result<std::string> WithNewMaster(const std::string& text, const std::string& origin,
                                  const std::string& store, const std::string& new_master,
                                  uint64_t epoch) {
  return EditStore(text, origin, store, [&](const StoreDef& s, StoreLine* want) -> Status {
    bool found = false;
    for (auto& r : want->replicas) {
      if (r == new_master) {
        r = s.masters[0];
        found = true;
      }
    }
    if (!found) return Status::InvalidArgument(new_master + " is not a replica of store " + store);
    if (epoch <= s.epoch) {
      return Status::InvalidArgument("epoch " + std::to_string(epoch) + " is not above store " +
                                     store + "'s epoch " + std::to_string(s.epoch));
    }
    want->master = new_master;
    want->epoch = epoch;
    return Status::Ok();
  });
}

Result<std::string> WithReplicaChange(const std::string& text, const std::string& origin,
                                      const std::string& store, const std::string& add,
                                      const std::string& remove) {
  return EditStore(text, origin, store, [&](const StoreDef& s, StoreLine* want) -> Status {
    auto& r = want->replicas;
    if (!add.empty()) {
      if (std::find(r.begin(), r.end(), add) != r.end() || s.masters[0] == add) {
        return Status::InvalidArgument(add + " is already a slot of store " + store);
      }
      r.push_back(add);
    }
    if (!remove.empty()) {
      auto it = std::find(r.begin(), r.end(), remove);
      if (it == r.end()) return Status::InvalidArgument(remove + " is not a replica of store " + store);
      r.erase(it);
    }
    return Status::Ok();
  });
}

}  // namespace slotmail::slots
