#include "store/split_point.h"

#include <sstream>

namespace slotmail::store {
namespace {

constexpr char kKey[] = "split_points";

Result<std::vector<SplitPoint>> ParseAll(const std::string& text) {
  std::vector<SplitPoint> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    SplitPoint p;
    if (!(words >> p.epoch)) return Status::Corruption("split_points: line without an epoch");
    std::string box;
    while (words >> box) {
      std::istringstream parts(box);
      std::string id;
      SplitMailbox m;
      char c1 = 0, c2 = 0;
      if (!std::getline(parts, id, ':') || !(parts >> m.uidnext >> c1 >> m.highestmodseq) ||
          c1 != ':' || parts >> c2) {
        return Status::Corruption("split_points: malformed mailbox '" + box.substr(0, 80) + "'");
      }
      p.mailboxes[id] = m;
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Status RecordSplitPoint(UserIndex* ix, uint64_t epoch) {
  ASSIGN_OR_RETURN(auto text, ix->GetMeta(kKey));
  ASSIGN_OR_RETURN(auto points, ParseAll(text.value_or("")));
  for (const auto& p : points) {
    if (p.epoch == epoch) return Status::Ok();
  }
  ASSIGN_OR_RETURN(auto boxes, ix->AllMailboxes());
  std::string line = std::to_string(epoch);
  for (const MailboxRow& b : boxes) {
    line += " " + b.info.id + ":" + std::to_string(b.info.uidnext) + ":" +
            std::to_string(b.info.highestmodseq);
  }
  return ix->SetMeta(kKey, text.value_or("") + line + "\n");
}

Result<std::optional<SplitPoint>> FindSplitPoint(UserIndex* ix, uint64_t after_epoch) {
  ASSIGN_OR_RETURN(auto text, ix->GetMeta(kKey));
  ASSIGN_OR_RETURN(auto points, ParseAll(text.value_or("")));
  std::optional<SplitPoint> best;
  for (auto& p : points) {
    if (p.epoch > after_epoch && (!best || p.epoch < best->epoch)) best = std::move(p);
  }
  return best;
}

}  // namespace slotmail::store
