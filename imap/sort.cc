#include "imap/sort.h"

#include <algorithm>
#include <numeric>


namespace slotmail::imap {
namespace {

using Key = SortCriterion::Key;

struct KeyName {
  std::string_view name;
  Key key;
};
constexpr KeyName kKeyNames[] = {
    {"ARRIVAL", Key::kArrival}, {"CC", Key::kCc},           {"DATE", Key::kDate},
    {"FROM", Key::kFrom},       {"SIZE", Key::kSize},       {"SUBJECT", Key::kSubject},
    {"TO", Key::kTo},           {"DISPLAYFROM", Key::kDisplayFrom},
    {"DISPLAYTO", Key::kDisplayTo},
};

Status Bad(const std::string& why) { return Status::InvalidArgument("Invalid SORT: " + why); }

bool IsAtom(const Arg& a, std::string_view word) {
  return a.kind == Arg::kAtom && EqualsIgnoreCase(a.value, word);
}

Result<std::vector<SortCriterion>> ParseCriteria(const Arg& list) {
  if (list.kind != Arg::kList || list.list.empty()) return Bad("expected a list of sort criteria");
  std::vector<SortCriterion> out;
  bool reverse = false;
  for (const Arg& a : list.list) {
    if (IsAtom(a, "REVERSE")) {
      if (reverse) return Bad("REVERSE twice");
      reverse = true;
      continue;
    }
    const auto* k = std::find_if(std::begin(kKeyNames), std::end(kKeyNames),
                                 [&](const KeyName& n) { return IsAtom(a, n.name); });
    if (k == std::end(kKeyNames)) return Bad("unknown sort criterion");
    out.push_back({k->key, reverse});
    reverse = false;
  }
  if (reverse) return Bad("REVERSE must precede a criterion");
  return out;
}

// `rest` (charset search-key...) as ParseSearch takes it, with `ret` in front.
Result<SearchProgram> ParseProgram(const std::vector<Arg>& ret, std::vector<Arg>::const_iterator rest,
                                   std::vector<Arg>::const_iterator end) {
  if (rest == end || !rest->IsAstring()) return Bad("expected a charset");
  if (rest + 1 == end) return Bad("expected search criteria");
  std::vector<Arg> args = ret;
  Arg charset_word;
  charset_word.value = "CHARSET";
  args.push_back(charset_word);
  args.insert(args.end(), rest, end);
  return ParseSearch(args);
}

// Negative, zero or positive as a sorts before, with or after b.
int Compare(Key key, const SortItem& a, const SortItem& b) {
  auto three_way = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (key) {
    case Key::kArrival: return three_way(a.internal_date, b.internal_date);
    case Key::kDate: return three_way(SentDate(a), SentDate(b));
    case Key::kSize: return three_way(a.size, b.size);
    case Key::kCc: return a.keys->cc.compare(b.keys->cc);
    case Key::kFrom: return a.keys->from.compare(b.keys->from);
    case Key::kTo: return a.keys->to.compare(b.keys->to);
    case Key::kSubject: return a.keys->subject.compare(b.keys->subject);
    case Key::kDisplayFrom: return a.keys->display_from.compare(b.keys->display_from);
    case Key::kDisplayTo: return a.keys->display_to.compare(b.keys->display_to);
  }
  return 0;
}

}  // namespace

Result<SortRequest> ParseSort(const std::vector<Arg>& args) {
  SortRequest req;
  size_t i = 0;
  std::vector<Arg> ret;
  if (!args.empty() && IsAtom(args[0], "RETURN")) {
    if (args.size() < 2 || args[1].kind != Arg::kList) return Bad("RETURN needs a list of options");
    ret.assign(args.begin(), args.begin() + 2);
    i = 2;
  }
  if (i >= args.size()) return Bad("expected sort criteria");
  ASSIGN_OR_RETURN(req.criteria, ParseCriteria(args[i]));
  ASSIGN_OR_RETURN(req.program, ParseProgram(ret, args.begin() + i + 1, args.end()));
  return req;
}

Result<ThreadRequest> ParseThread(const std::vector<Arg>& args) {
  ThreadRequest req;
  if (args.empty()) return Status::InvalidArgument("Invalid THREAD: expected an algorithm");
  if (IsAtom(args[0], "ORDEREDSUBJECT")) {
    req.algorithm = ThreadAlgorithm::kOrderedSubject;
  } else if (IsAtom(args[0], "REFERENCES")) {
    req.algorithm = ThreadAlgorithm::kReferences;
  } else {
    return Status::InvalidArgument("Invalid THREAD: unknown algorithm");
  }
  ASSIGN_OR_RETURN(req.program, ParseProgram({}, args.begin() + 1, args.end()));
  if (req.program.ret.esearch) return Status::InvalidArgument("Invalid THREAD: RETURN");
  return req;
}

int64_t SentDate(const SortItem& item) {
  return item.keys->sent_date.value_or(item.internal_date);
}

bool SentBefore(const SortItem& a, const SortItem& b) {
  const int64_t da = SentDate(a), db = SentDate(b);
  if (da != db) return da < db;
  return a.seq < b.seq;
}

std::vector<size_t> SortOrder(const std::vector<SortCriterion>& criteria,
                              const std::vector<SortItem>& items) {
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const SortItem& a = items[x];
    const SortItem& b = items[y];
    for (const SortCriterion& c : criteria) {
      const int r = Compare(c.key, a, b);
      if (r != 0) return c.reverse ? r > 0 : r < 0;
    }
    return a.seq < b.seq;
  });
  return order;
}

std::string FormatOrderedNumbers(const std::vector<uint32_t>& numbers) {
  std::string out;
  for (size_t i = 0; i < numbers.size();) {
    size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(numbers[i]);
    if (j > i) out += ":" + std::to_string(numbers[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace slotmail::imap
