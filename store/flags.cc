#include "store/flags.h"

#include <algorithm>

#include "common/hash.h"
#include "common/limits.h"
#include "store/names.h"

namespace slotmail::store {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Deduplicates case-insensitively (first wins) and sorts by lowercase form.
void CanonicaliseKeywords(std::vector<std::string>* keywords) {
  std::vector<std::pair<std::string, std::string>> keyed;  // (lower, spelling)
  for (auto& k : *keywords) {
    std::string low = Lower(k);
    bool seen = std::any_of(keyed.begin(), keyed.end(), [&](const auto& p) { return p.first == low; });
    if (!seen) keyed.emplace_back(std::move(low), std::move(k));
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  keywords->clear();
  for (auto& p : keyed) keywords->push_back(std::move(p.second));
}

bool ContainsKeyword(const std::vector<std::string>& keywords, std::string_view k) {
  std::string low = Lower(k);
  return std::any_of(keywords.begin(), keywords.end(),
                     [&](const std::string& x) { return Lower(x) == low; });
}

}  // namespace

Status NormalizeFlags(Flags* flags) {
  flags->system &= kAllSystemFlags;
  for (const auto& k : flags->keywords) RETURN_IF_ERROR(ValidateKeyword(k));
  CanonicaliseKeywords(&flags->keywords);
  if (flags->keywords.size() > limits::kMaxKeywordsPerMessage) {
    return Status::TooBig("too many keywords on one message");
  }
  return Status::Ok();
}

Flags ApplyFlagOp(const Flags& current, FlagOp op, const Flags& arg) {
  Flags out;
  switch (op) {
    case FlagOp::kReplace:
      return arg;
    case FlagOp::kAdd:
      out = current;
      out.system |= arg.system;
      for (const auto& k : arg.keywords) {
        if (!ContainsKeyword(out.keywords, k)) out.keywords.push_back(k);
      }
      CanonicaliseKeywords(&out.keywords);
      return out;
    case FlagOp::kRemove:
      out.system = current.system & ~arg.system;
      for (const auto& k : current.keywords) {
        if (!ContainsKeyword(arg.keywords, k)) out.keywords.push_back(k);
      }
      return out;
  }
  return current;
}

std::string KeywordsToString(const Flags& flags) {
  std::string out;
  for (const auto& k : flags.keywords) {
    if (!out.empty()) out.push_back(' ');
    out += k;
  }
  return out;
}

void KeywordsFromString(std::string_view s, Flags* flags) {
  flags->keywords.clear();
  while (!s.empty()) {
    size_t sp = s.find(' ');
    flags->keywords.emplace_back(s.substr(0, sp));
    if (sp == std::string_view::npos) break;
    s.remove_prefix(sp + 1);
  }
}

std::string FlagsToString(const Flags& flags) {
  static const std::pair<uint32_t, const char*> kNames[] = {
      {kFlagSeen, "\\Seen"},       {kFlagAnswered, "\\Answered"}, {kFlagFlagged, "\\Flagged"},
      {kFlagDeleted, "\\Deleted"}, {kFlagDraft, "\\Draft"},
  };
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if (flags.system & bit) {
      if (!out.empty()) out.push_back(' ');
      out += name;
    }
  }
  for (const auto& k : flags.keywords) {
    if (!out.empty()) out.push_back(' ');
    out += k;
  }
  return out;
}

uint64_t RecordHash(uint32_t uid, std::string_view guid, const Flags& flags, uint64_t modseq) {
  std::string rec = std::to_string(uid) + "\n" + std::string(guid) + "\n" +
                    FlagsToString(flags) + "\n" + std::to_string(modseq);
  Sha256Digest d = Sha256(rec);
  uint64_t v = 0;  // first 8 digest bytes, little-endian on every machine
  for (int i = 7; i >= 0; --i) v = (v << 8) | d[static_cast<size_t>(i)];
  return v;
}

}  // namespace slotmail::store
