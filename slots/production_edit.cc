#include "slots/production_edit.h"

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

}  // namespace

Result<std::string> WithNewMaster(const std::string& text, const std::string& origin,
                                  const std::string& store, const std::string& new_master,
                                  uint64_t epoch) {
  std::vector<Problem> problems;
  Production p = ParseProduction(text, origin, &problems);
  CheckProduction(p, &problems);
  if (!problems.empty()) return Invalid(origin, problems);
  const StoreDef* s = p.FindStore(store);
  if (s == nullptr) return Status::InvalidArgument("no store " + store + " in " + origin);
  std::vector<std::string> replicas = s->replicas;
  bool found = false;
  for (auto& r : replicas) {
    if (r == new_master) {
      r = s->masters[0];
      found = true;
    }
  }
  if (!found) {
    return Status::InvalidArgument(new_master + " is not a replica of store " + store);
  }
  if (epoch <= s->epoch) {
    return Status::InvalidArgument("epoch " + std::to_string(epoch) + " is not above store " +
                                   store + "'s epoch " + std::to_string(s->epoch));
  }
  std::string list;
  for (const auto& r : replicas) list += (list.empty() ? "" : ",") + r;
  std::vector<std::string> lines = Lines(text);
  // The header is the first record; the store's line is known by number.
  for (auto& line : lines) {
    if (line.rfind("slotmail-production", 0) == 0) {
      line = SetField(line, "serial", std::to_string(p.serial + 1));
      break;
    }
  }
  std::string& record = lines.at(static_cast<size_t>(s->line - 1));
  record = SetField(record, "epoch", std::to_string(epoch));
  record = SetField(record, "master", new_master);
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
      t->masters[0] != new_master || t->epoch != epoch || t->replicas != replicas) {
    return Status::Corruption("the edited production.dat did not read back as written");
  }
  return out;
}

}  // namespace slotmail::slots
