#include "imap/sort.h"

#include <algorithm>
#include <numeric>
#include <string_view>


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

// One criterion's values for every item, side by side, so comparisons read
// contiguous memory instead of chasing each item's keys.
struct Column {
  bool numeric = true;
  bool reverse = false;
  std::vector<int64_t> numbers;
  std::vector<std::string_view> strings;

  // Negative, zero or positive as item x sorts before, with or after y.
  int Compare(size_t x, size_t y) const {
    if (numeric) return numbers[x] < numbers[y] ? -1 : (numbers[y] < numbers[x] ? 1 : 0);
    return strings[x].compare(strings[y]);
  }
};

Column MakeColumn(const SortCriterion& c, const std::vector<SortItem>& items) {
  Column col;
  col.reverse = c.reverse;
  col.numeric = c.key == Key::kArrival || c.key == Key::kDate || c.key == Key::kSize;
  for (const SortItem& it : items) {
    const mime::SortKeys& k = *it.keys;
    switch (c.key) {
      case Key::kArrival: col.numbers.push_back(it.internal_date); break;
      case Key::kDate: col.numbers.push_back(SentDate(it)); break;
      case Key::kSize: col.numbers.push_back(static_cast<int64_t>(it.size)); break;
      case Key::kCc: col.strings.push_back(k.cc); break;
      case Key::kFrom: col.strings.push_back(k.from); break;
      case Key::kTo: col.strings.push_back(k.to); break;
      case Key::kSubject: col.strings.push_back(k.subject); break;
      case Key::kDisplayFrom: col.strings.push_back(k.display_from); break;
      case Key::kDisplayTo: col.strings.push_back(k.display_to); break;
    }
  }
  return col;
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
  std::vector<Column> columns;
  for (const SortCriterion& c : criteria) columns.push_back(MakeColumn(c, items));
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    for (const Column& col : columns) {
      const int r = col.Compare(x, y);
      if (r != 0) return col.reverse ? r > 0 : r < 0;
    }
    return items[x].seq < items[y].seq;
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
