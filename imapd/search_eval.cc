#include "imapd/search_eval.h"

#include <algorithm>
#include <iterator>
#include <optional>

#include "common/check.h"
#include "imap/object_id.h"
#include "imapd/mime_cache.h"
#include "mime/address.h"
#include "mime/ascii.h"
#include "mime/charset.h"
#include "mime/date.h"
#include "mime/encoded_word.h"
#include "mime/header.h"
#include "mime/message_parser.h"
#include "mime/search_text.h"

namespace slotmail::imapd {

namespace {

using Kind = imap::SearchKey::Kind;

// ---- simple case folding

// A run of code points with one folding rule. kShift: every code point c in
// [lo, hi] folds to c + delta. kPairs: upper and lower case alternate from
// lo (upper) on; c folds to c + 1 where (c - lo) is even, else to itself.
struct FoldRange {
  enum Rule : uint8_t { kShift, kPairs };
  char32_t lo, hi;
  Rule rule;
  int32_t delta;
};

// From Unicode CaseFolding.txt (status C and S) for the blocks named in
// search_eval.h. Sorted by lo, not overlapping. ASCII is handled inline.
constexpr FoldRange kFold[] = {
    {0x00B5, 0x00B5, FoldRange::kShift, 0x03BC - 0x00B5},  // micro sign -> mu
    {0x00C0, 0x00D6, FoldRange::kShift, 32},
    {0x00D8, 0x00DE, FoldRange::kShift, 32},
    // Latin Extended-A
    {0x0100, 0x012F, FoldRange::kPairs, 1},
    {0x0132, 0x0137, FoldRange::kPairs, 1},
    {0x0139, 0x0148, FoldRange::kPairs, 1},
    {0x014A, 0x0177, FoldRange::kPairs, 1},
    {0x0178, 0x0178, FoldRange::kShift, 0x00FF - 0x0178},
    {0x0179, 0x017E, FoldRange::kPairs, 1},
    {0x017F, 0x017F, FoldRange::kShift, 's' - 0x017F},  // long s
    // Latin Extended-B
    {0x0181, 0x0181, FoldRange::kShift, 0x0253 - 0x0181},
    {0x0182, 0x0185, FoldRange::kPairs, 1},
    {0x0186, 0x0186, FoldRange::kShift, 0x0254 - 0x0186},
    {0x0187, 0x0188, FoldRange::kPairs, 1},
    {0x0189, 0x018A, FoldRange::kShift, 0x0256 - 0x0189},
    {0x018B, 0x018C, FoldRange::kPairs, 1},
    {0x018E, 0x018E, FoldRange::kShift, 0x01DD - 0x018E},
    {0x018F, 0x018F, FoldRange::kShift, 0x0259 - 0x018F},
    {0x0190, 0x0190, FoldRange::kShift, 0x025B - 0x0190},
    {0x0191, 0x0192, FoldRange::kPairs, 1},
    {0x0193, 0x0193, FoldRange::kShift, 0x0260 - 0x0193},
    {0x0194, 0x0194, FoldRange::kShift, 0x0263 - 0x0194},
    {0x0196, 0x0196, FoldRange::kShift, 0x0269 - 0x0196},
    {0x0197, 0x0197, FoldRange::kShift, 0x0268 - 0x0197},
    {0x0198, 0x0199, FoldRange::kPairs, 1},
    {0x019C, 0x019C, FoldRange::kShift, 0x026F - 0x019C},
    {0x019D, 0x019D, FoldRange::kShift, 0x0272 - 0x019D},
    {0x019F, 0x019F, FoldRange::kShift, 0x0275 - 0x019F},
    {0x01A0, 0x01A5, FoldRange::kPairs, 1},
    {0x01A6, 0x01A6, FoldRange::kShift, 0x0280 - 0x01A6},
    {0x01A7, 0x01A8, FoldRange::kPairs, 1},
    {0x01A9, 0x01A9, FoldRange::kShift, 0x0283 - 0x01A9},
    {0x01AC, 0x01AD, FoldRange::kPairs, 1},
    {0x01AE, 0x01AE, FoldRange::kShift, 0x0288 - 0x01AE},
    {0x01AF, 0x01B0, FoldRange::kPairs, 1},
    {0x01B1, 0x01B2, FoldRange::kShift, 0x028A - 0x01B1},
    {0x01B3, 0x01B6, FoldRange::kPairs, 1},
    {0x01B7, 0x01B7, FoldRange::kShift, 0x0292 - 0x01B7},
    {0x01B8, 0x01B9, FoldRange::kPairs, 1},
    {0x01BC, 0x01BD, FoldRange::kPairs, 1},
    {0x01C4, 0x01C4, FoldRange::kShift, 2},  // DŽ -> dž; Dž (titlecase) -> dž
    {0x01C5, 0x01C5, FoldRange::kShift, 1},
    {0x01C7, 0x01C7, FoldRange::kShift, 2},
    {0x01C8, 0x01C8, FoldRange::kShift, 1},
    {0x01CA, 0x01CA, FoldRange::kShift, 2},
    {0x01CB, 0x01DC, FoldRange::kPairs, 1},
    {0x01DE, 0x01EF, FoldRange::kPairs, 1},
    {0x01F1, 0x01F1, FoldRange::kShift, 2},
    {0x01F2, 0x01F5, FoldRange::kPairs, 1},
    {0x01F6, 0x01F6, FoldRange::kShift, 0x0195 - 0x01F6},
    {0x01F7, 0x01F7, FoldRange::kShift, 0x01BF - 0x01F7},
    {0x01F8, 0x021F, FoldRange::kPairs, 1},
    {0x0220, 0x0220, FoldRange::kShift, 0x019E - 0x0220},
    {0x0222, 0x0233, FoldRange::kPairs, 1},
    {0x023A, 0x023A, FoldRange::kShift, 0x2C65 - 0x023A},
    {0x023B, 0x023C, FoldRange::kPairs, 1},
    {0x023D, 0x023D, FoldRange::kShift, 0x019A - 0x023D},
    {0x023E, 0x023E, FoldRange::kShift, 0x2C66 - 0x023E},
    {0x0241, 0x0242, FoldRange::kPairs, 1},
    {0x0243, 0x0243, FoldRange::kShift, 0x0180 - 0x0243},
    {0x0244, 0x0244, FoldRange::kShift, 0x0289 - 0x0244},
    {0x0245, 0x0245, FoldRange::kShift, 0x028C - 0x0245},
    {0x0246, 0x024F, FoldRange::kPairs, 1},
    // Greek
    {0x0345, 0x0345, FoldRange::kShift, 0x03B9 - 0x0345},  // ypogegrammeni -> iota
    {0x0370, 0x0373, FoldRange::kPairs, 1},
    {0x0376, 0x0377, FoldRange::kPairs, 1},
    {0x037F, 0x037F, FoldRange::kShift, 0x03F3 - 0x037F},
    {0x0386, 0x0386, FoldRange::kShift, 0x03AC - 0x0386},
    {0x0388, 0x038A, FoldRange::kShift, 0x03AD - 0x0388},
    {0x038C, 0x038C, FoldRange::kShift, 0x03CC - 0x038C},
    {0x038E, 0x038F, FoldRange::kShift, 0x03CD - 0x038E},
    {0x0391, 0x03A1, FoldRange::kShift, 32},
    {0x03A3, 0x03AB, FoldRange::kShift, 32},
    {0x03C2, 0x03C2, FoldRange::kShift, 1},  // final sigma -> sigma
    {0x03CF, 0x03CF, FoldRange::kShift, 0x03D7 - 0x03CF},
    {0x03D0, 0x03D0, FoldRange::kShift, 0x03B2 - 0x03D0},
    {0x03D1, 0x03D1, FoldRange::kShift, 0x03B8 - 0x03D1},
    {0x03D5, 0x03D5, FoldRange::kShift, 0x03C6 - 0x03D5},
    {0x03D6, 0x03D6, FoldRange::kShift, 0x03C0 - 0x03D6},
    {0x03D8, 0x03EF, FoldRange::kPairs, 1},
    {0x03F0, 0x03F0, FoldRange::kShift, 0x03BA - 0x03F0},
    {0x03F1, 0x03F1, FoldRange::kShift, 0x03C1 - 0x03F1},
    {0x03F4, 0x03F4, FoldRange::kShift, 0x03B8 - 0x03F4},
    {0x03F5, 0x03F5, FoldRange::kShift, 0x03B5 - 0x03F5},
    {0x03F7, 0x03F8, FoldRange::kPairs, 1},
    {0x03F9, 0x03F9, FoldRange::kShift, 0x03F2 - 0x03F9},
    {0x03FA, 0x03FB, FoldRange::kPairs, 1},
    {0x03FD, 0x03FF, FoldRange::kShift, 0x037B - 0x03FD},
    // Cyrillic
    {0x0400, 0x040F, FoldRange::kShift, 80},
    {0x0410, 0x042F, FoldRange::kShift, 32},
    {0x0460, 0x0481, FoldRange::kPairs, 1},
    {0x048A, 0x04BF, FoldRange::kPairs, 1},
    {0x04C0, 0x04C0, FoldRange::kShift, 0x04CF - 0x04C0},
    {0x04C1, 0x04CE, FoldRange::kPairs, 1},
    {0x04D0, 0x052F, FoldRange::kPairs, 1},
    // Armenian, Georgian
    {0x0531, 0x0556, FoldRange::kShift, 48},
    {0x10A0, 0x10C5, FoldRange::kShift, 0x2D00 - 0x10A0},
    {0x10C7, 0x10C7, FoldRange::kShift, 0x2D00 - 0x10A0},
    {0x10CD, 0x10CD, FoldRange::kShift, 0x2D00 - 0x10A0},
    // Latin Extended Additional
    {0x1E00, 0x1E95, FoldRange::kPairs, 1},
    {0x1E9B, 0x1E9B, FoldRange::kShift, 0x1E61 - 0x1E9B},
    {0x1E9E, 0x1E9E, FoldRange::kShift, 0x00DF - 0x1E9E},  // capital sharp s -> ß
    {0x1EA0, 0x1EFF, FoldRange::kPairs, 1},
    // Greek Extended (polytonic): capitals sit 8 above their small letters
    {0x1F08, 0x1F0F, FoldRange::kShift, -8},
    {0x1F18, 0x1F1D, FoldRange::kShift, -8},
    {0x1F28, 0x1F2F, FoldRange::kShift, -8},
    {0x1F38, 0x1F3F, FoldRange::kShift, -8},
    {0x1F48, 0x1F4D, FoldRange::kShift, -8},
    {0x1F59, 0x1F59, FoldRange::kShift, -8},
    {0x1F5B, 0x1F5B, FoldRange::kShift, -8},
    {0x1F5D, 0x1F5D, FoldRange::kShift, -8},
    {0x1F5F, 0x1F5F, FoldRange::kShift, -8},
    {0x1F68, 0x1F6F, FoldRange::kShift, -8},
    {0x1F88, 0x1F8F, FoldRange::kShift, -8},  // with prosgegrammeni (status S)
    {0x1F98, 0x1F9F, FoldRange::kShift, -8},
    {0x1FA8, 0x1FAF, FoldRange::kShift, -8},
    {0x1FB8, 0x1FB9, FoldRange::kShift, -8},
    {0x1FBA, 0x1FBB, FoldRange::kShift, 0x1F70 - 0x1FBA},
    {0x1FBC, 0x1FBC, FoldRange::kShift, 0x1FB3 - 0x1FBC},
    {0x1FBE, 0x1FBE, FoldRange::kShift, 0x03B9 - 0x1FBE},
    {0x1FC8, 0x1FCB, FoldRange::kShift, 0x1F72 - 0x1FC8},
    {0x1FCC, 0x1FCC, FoldRange::kShift, 0x1FC3 - 0x1FCC},
    {0x1FD8, 0x1FD9, FoldRange::kShift, -8},
    {0x1FDA, 0x1FDB, FoldRange::kShift, 0x1F76 - 0x1FDA},
    {0x1FE8, 0x1FE9, FoldRange::kShift, -8},
    {0x1FEA, 0x1FEB, FoldRange::kShift, 0x1F7A - 0x1FEA},
    {0x1FEC, 0x1FEC, FoldRange::kShift, 0x1FE5 - 0x1FEC},
    {0x1FF8, 0x1FF9, FoldRange::kShift, 0x1F78 - 0x1FF8},
    {0x1FFA, 0x1FFB, FoldRange::kShift, 0x1F7C - 0x1FFA},
    {0x1FFC, 0x1FFC, FoldRange::kShift, 0x1FF3 - 0x1FFC},
    // Letterlike symbols, number forms, enclosed letters
    {0x2126, 0x2126, FoldRange::kShift, 0x03C9 - 0x2126},  // ohm -> omega
    {0x212A, 0x212A, FoldRange::kShift, 'k' - 0x212A},     // kelvin -> k
    {0x212B, 0x212B, FoldRange::kShift, 0x00E5 - 0x212B},  // angstrom -> å
    {0x2132, 0x2132, FoldRange::kShift, 0x214E - 0x2132},
    {0x2160, 0x216F, FoldRange::kShift, 16},
    {0x2183, 0x2184, FoldRange::kPairs, 1},
    {0x24B6, 0x24CF, FoldRange::kShift, 26},
    // Glagolitic, Coptic, Cyrillic Extended-B
    {0x2C00, 0x2C2F, FoldRange::kShift, 48},
    {0x2C80, 0x2CE3, FoldRange::kPairs, 1},
    {0xA640, 0xA66D, FoldRange::kPairs, 1},
    {0xA680, 0xA69B, FoldRange::kPairs, 1},
    // Fullwidth Latin
    {0xFF21, 0xFF3A, FoldRange::kShift, 32},
};

constexpr bool FoldTableSorted() {
  for (size_t i = 1; i < std::size(kFold); ++i) {
    if (kFold[i].lo <= kFold[i - 1].hi) return false;
  }
  return true;
}
static_assert(FoldTableSorted(), "kFold must be sorted and disjoint for the binary search");

char32_t FoldCodePoint(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
  auto it = std::upper_bound(std::begin(kFold), std::end(kFold), c,
                             [](char32_t v, const FoldRange& r) { return v < r.lo; });
  if (it == std::begin(kFold)) return c;
  const FoldRange& r = *(it - 1);
  if (c > r.hi) return c;
  if (r.rule == FoldRange::kPairs) return (c - r.lo) % 2 == 0 ? c + 1 : c;
  return static_cast<char32_t>(static_cast<int32_t>(c) + r.delta);
}

// Decodes the UTF-8 sequence at s[i] into *cp; its length, or 0 if the lead
// or continuation bytes are wrong. Search text is well-formed already
// (DecodeEncodedWords, ToUtf8 and SanitizeUtf8 see to it), so this only has
// to be safe on other bytes, not to refuse overlong forms.
size_t DecodeUtf8At(std::string_view s, size_t i, char32_t* cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  size_t len;
  if (b(i) < 0x80) {
    *cp = b(i);
    return 1;
  } else if (b(i) >= 0xC2 && b(i) <= 0xDF) {
    len = 2, *cp = b(i) & 0x1F;
  } else if (b(i) >= 0xE0 && b(i) <= 0xEF) {
    len = 3, *cp = b(i) & 0x0F;
  } else if (b(i) >= 0xF0 && b(i) <= 0xF4) {
    len = 4, *cp = b(i) & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (b(i + k) & 0x3F);
  }
  return len;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// ---- dates

constexpr int64_t kSecondsPerDay = 86400;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

int64_t UtcDay(int64_t epoch_seconds) { return FloorDiv(epoch_seconds, kSecondsPerDay); }

int Cost(const imap::SearchKey& key) {
  switch (key.kind) {
    case Kind::kHeader:
    case Kind::kAddress:
    case Kind::kSentBefore:
    case Kind::kSentOn:
    case Kind::kSentSince:
      return 1;  // bytes, header only
    case Kind::kBody:
    case Kind::kText:
      return key.text.empty() ? 0 : 2;  // "" is in every text; else bytes, parse, decode
    default:
      return 0;  // metadata
  }
}

// The system flag bit named `flag` ("\Seen", any case), or 0.
uint32_t SystemFlagBit(std::string_view flag) {
  static constexpr std::pair<std::string_view, uint32_t> kSystem[] = {
      {"\\Seen", store::kFlagSeen},       {"\\Answered", store::kFlagAnswered},
      {"\\Flagged", store::kFlagFlagged}, {"\\Deleted", store::kFlagDeleted},
      {"\\Draft", store::kFlagDraft},
  };
  for (const auto& [name, bit] : kSystem) {
    if (mime::EqualsIgnoreCase(flag, name)) return bit;
  }
  return 0;
}

bool HasFlag(const SearchMessage& m, std::string_view flag) {
  if (!flag.empty() && flag[0] == '\\') {
    if (mime::EqualsIgnoreCase(flag, "\\Recent")) return m.recent;
    return (m.info.flags.system & SystemFlagBit(flag)) != 0;  // unknown: bit 0, no match
  }
  for (const std::string& k : m.info.flags.keywords) {
    if (mime::EqualsIgnoreCase(k, flag)) return true;
  }
  return false;
}

}  // namespace

std::string SearchFold(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    char32_t cp;
    const size_t len = DecodeUtf8At(utf8, i, &cp);
    if (len == 0) {
      out += utf8[i++];
      continue;
    }
    const char32_t folded = FoldCodePoint(cp);
    if (folded == cp) {
      out.append(utf8, i, len);
    } else {
      AppendUtf8(folded, &out);
    }
    i += len;
  }
  return out;
}

// ---- the compiled program

struct SearchNode {
  Kind kind = Kind::kAll;
  int cost = 0;  // 0: metadata only; 1: needs the header; 2: needs the body
  std::vector<SearchNode> children;
  std::string field;  // kHeader, kAddress: the field name
  std::string text;   // kFlag: the flag; string keys: the folded needle
  // kSequenceSet, kUid: the set resolved against the view, sorted and
  // merged, so a message is looked up in O(log n) however long the set.
  std::vector<imap::SeqRange> ranges;
  uint64_t number = 0;
  int64_t day = 0;  // date keys: days since 1970-01-01
};

namespace {

bool InRanges(const std::vector<imap::SeqRange>& ranges, uint32_t n) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), n,
                             [](uint32_t v, const imap::SeqRange& r) { return v < r.lo; });
  return it != ranges.begin() && n <= std::prev(it)->hi;
}

SearchNode Compile(const imap::SearchKey& key, const SearchContext& ctx) {
  SearchNode n;
  n.kind = key.kind;
  n.cost = Cost(key);
  n.field = key.field;
  n.number = key.number;
  switch (key.kind) {
    case Kind::kSequenceSet:
      n.ranges = key.set.Resolve(ctx.exists);
      break;
    case Kind::kUid:
      n.ranges = key.set.Resolve(ctx.max_uid);
      break;
    case Kind::kHeader:
    case Kind::kAddress:
    case Kind::kBody:
    case Kind::kText:
      n.text = SearchFold(mime::SanitizeUtf8(key.text));
      break;
    case Kind::kFlag:
    case Kind::kEmailId:
    case Kind::kThreadId:
      n.text = key.text;
      break;
    case Kind::kBefore:
    case Kind::kOn:
    case Kind::kSince:
    case Kind::kSentBefore:
    case Kind::kSentOn:
    case Kind::kSentSince:
      n.day = mime::DaysFromCivil(key.date.year, static_cast<unsigned>(key.date.month),
                                  static_cast<unsigned>(key.date.day));
      break;
    default:
      break;
  }
  for (const imap::SearchKey& child : key.children) {
    n.children.push_back(Compile(child, ctx));
    n.cost = std::max(n.cost, n.children.back().cost);
  }
  // Cheap children first (AND and OR are commutative), so that metadata
  // decides before any bytes are read whenever it can.
  std::stable_sort(n.children.begin(), n.children.end(),
                   [](const SearchNode& a, const SearchNode& b) { return a.cost < b.cost; });
  return n;
}

// What the keys read from one message's bytes, each computed on first use.
class MessageText {
 public:
  MessageText(const store::MessageInfo& info, const SearchLoader& load, MimeCache* cache)
      : info_(info), load_(load), cache_(cache) {}

  // Reads the bytes (once). False if the message is gone (NotFound).
  Result<bool> Load() {
    if (!loaded_) {
      loaded_ = true;
      Result<std::string> r = load_(info_);
      if (!r.ok()) {
        if (r.status().code() != Code::kNotFound) return r.status();
        gone_ = true;
      } else {
        bytes_ = std::move(r).value();
      }
    }
    return !gone_;
  }
  bool gone() const { return gone_; }

  struct Field {
    std::string name;    // as written
    std::string value;   // unfolded, trimmed, as written
    std::string folded;  // value RFC 2047-decoded, then SearchFold
  };
  // REQUIRES: Load() returned true.
  const std::vector<Field>& Fields() {
    if (!fields_) {
      fields_.emplace();
      for (mime::HeaderField& f : mime::ParseHeaderFields(bytes_)) {
        std::string folded = SearchFold(mime::DecodeEncodedWords(f.value));
        fields_->push_back({std::move(f.name), std::move(f.value), std::move(folded)});
      }
    }
    return *fields_;
  }
  // Every field as "name: value\n", decoded and folded. REQUIRES: as Fields.
  const std::string& Header() {
    if (!header_) {
      header_.emplace();
      for (const Field& f : Fields()) *header_ += SearchFold(f.name) + ": " + f.folded + "\n";
    }
    return *header_;
  }
  // mime::SearchableBody, folded. REQUIRES: as Fields.
  const std::string& Body() {
    if (!body_) {
      std::shared_ptr<const mime::Message> parsed =
          cache_ != nullptr ? cache_->Get(info_.guid, bytes_)
                            : std::make_shared<const mime::Message>(mime::ParseMessage(bytes_));
      body_ = SearchFold(mime::SearchableBody(bytes_, *parsed));
    }
    return *body_;
  }
  // The calendar day of the first Date: field in its own zone, or of the
  // internal date in UTC if there is none or it does not parse.
  int64_t SentDay() {
    for (const Field& f : Fields()) {
      if (!mime::EqualsIgnoreCase(f.name, "Date")) continue;
      Result<mime::DateTime> d = mime::ParseDate(f.value);
      if (!d.ok()) break;
      return UtcDay(d->epoch_seconds + int64_t{d->zone_minutes} * 60);
    }
    return UtcDay(info_.internal_date);
  }

 private:
  const store::MessageInfo& info_;
  const SearchLoader& load_;
  MimeCache* cache_;
  bool loaded_ = false;
  bool gone_ = false;
  std::string bytes_;
  std::optional<std::vector<Field>> fields_;
  std::optional<std::string> header_;
  std::optional<std::string> body_;
};

bool CompareDay(Kind kind, int64_t day, int64_t target) {
  switch (kind) {
    case Kind::kBefore:
    case Kind::kSentBefore:
      return day < target;
    case Kind::kOn:
    case Kind::kSentOn:
      return day == target;
    default:  // kSince, kSentSince
      return day >= target;
  }
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

Result<bool> Eval(const SearchNode& n, const SearchMessage& m, const SearchContext& ctx,
                  MessageText* text) {
  const store::MessageInfo& info = m.info;
  switch (n.kind) {
    case Kind::kAll:
      return true;
    case Kind::kAnd:
      for (const SearchNode& c : n.children) {
        ASSIGN_OR_RETURN(bool match, Eval(c, m, ctx, text));
        if (!match) return false;
      }
      return true;
    case Kind::kOr:
      for (const SearchNode& c : n.children) {
        ASSIGN_OR_RETURN(bool match, Eval(c, m, ctx, text));
        if (match) return true;
      }
      return false;
    case Kind::kNot: {
      SM_CHECK(n.children.size() == 1) << "NOT with " << n.children.size() << " children";
      ASSIGN_OR_RETURN(bool match, Eval(n.children[0], m, ctx, text));
      return !match;
    }
    case Kind::kSequenceSet:
      return InRanges(n.ranges, m.seq);
    case Kind::kUid:
      return InRanges(n.ranges, info.uid);
    case Kind::kFlag:
      return HasFlag(m, n.text);
    case Kind::kHeader: {
      ASSIGN_OR_RETURN(bool present, text->Load());
      if (!present) return false;
      for (const MessageText::Field& f : text->Fields()) {
        if (mime::EqualsIgnoreCase(f.name, n.field) && Contains(f.folded, n.text)) return true;
      }
      return false;
    }
    case Kind::kAddress: {
      // The addresses as ENVELOPE and SORT see them (one parser, RFC 5322
      // 3.4 and 4.4), not the raw text: comments, quoting and group syntax
      // neither hide an address nor match.
      ASSIGN_OR_RETURN(bool present, text->Load());
      if (!present) return false;
      for (const MessageText::Field& f : text->Fields()) {
        if (!mime::EqualsIgnoreCase(f.name, n.field)) continue;
        const std::string normalized = mime::AddressSearchText(mime::ParseAddressList(f.value));
        if (Contains(SearchFold(normalized), n.text)) return true;
      }
      return false;
    }
    case Kind::kBody:
    case Kind::kText: {
      if (n.text.empty()) return true;
      ASSIGN_OR_RETURN(bool present, text->Load());
      if (!present) return false;
      if (n.kind == Kind::kText && Contains(text->Header(), n.text)) return true;
      return Contains(text->Body(), n.text);
    }
    case Kind::kBefore:
    case Kind::kOn:
    case Kind::kSince:
      return CompareDay(n.kind, UtcDay(info.internal_date), n.day);
    case Kind::kSentBefore:
    case Kind::kSentOn:
    case Kind::kSentSince: {
      ASSIGN_OR_RETURN(bool present, text->Load());
      if (!present) return false;
      return CompareDay(n.kind, text->SentDay(), n.day);
    }
    case Kind::kLarger:
      return info.size > n.number;
    case Kind::kSmaller:
      return info.size < n.number;
    case Kind::kModSeq:
      return info.modseq >= n.number;
    case Kind::kOlder:
      return info.internal_date < ctx.now - static_cast<int64_t>(n.number);
    case Kind::kYounger:
      return info.internal_date >= ctx.now - static_cast<int64_t>(n.number);
    case Kind::kEmailId:
      return imap::EmailId(info.guid) == n.text;
    case Kind::kThreadId:
      return false;  // THREADID is NIL for every message (imap/object_id.h)
  }
  return false;
}

}  // namespace

SearchEvaluator::SearchEvaluator(const imap::SearchKey& key, const SearchContext& ctx,
                                 MimeCache* cache)
    : ctx_(ctx), cache_(cache), root_(std::make_unique<SearchNode>(Compile(key, ctx))) {}

SearchEvaluator::~SearchEvaluator() = default;

bool SearchEvaluator::needs_bytes() const { return root_->cost > 0; }

Result<bool> SearchEvaluator::Matches(const SearchMessage& m, const SearchLoader& load) const {
  MessageText text(m.info, load, cache_);
  ASSIGN_OR_RETURN(bool match, Eval(*root_, m, ctx_, &text));
  return match && !text.gone();
}

Result<std::vector<size_t>> EvaluateSearch(const imap::SearchKey& key, const SearchContext& ctx,
                                           const std::vector<SearchMessage>& messages,
                                           const SearchLoader& load, MimeCache* cache) {
  SearchEvaluator eval(key, ctx, cache);
  std::vector<size_t> out;
  for (size_t i = 0; i < messages.size(); ++i) {
    ASSIGN_OR_RETURN(bool match, eval.Matches(messages[i], load));
    if (match) out.push_back(i);
  }
  return out;
}

namespace {

void ReplaceSaved(imap::SearchKey* key, const imap::SequenceSet& saved) {
  for (auto& child : key->children) ReplaceSaved(&child, saved);
  if (!(key->kind == Kind::kSequenceSet || key->kind == Kind::kUid) || !key->set.uses_saved()) {
    return;
  }
  if (key->kind == Kind::kUid) {
    key->set = key->set.ReplaceSaved(saved);
    return;
  }
  imap::SearchKey uids;
  uids.kind = Kind::kUid;
  uids.set = saved;
  const imap::SequenceSet rest = key->set.ReplaceSaved(imap::SequenceSet());
  if (rest.elements().empty()) {
    *key = std::move(uids);
    return;
  }
  imap::SearchKey numbers;
  numbers.kind = Kind::kSequenceSet;
  numbers.set = rest;
  *key = imap::SearchKey();
  key->kind = Kind::kOr;
  key->children.push_back(std::move(numbers));
  key->children.push_back(std::move(uids));
}

}  // namespace

imap::SearchKey WithSavedResult(const imap::SearchKey& key, const store::UidSet& saved) {
  std::vector<imap::SeqRange> ranges;
  ranges.reserve(saved.size());
  for (const auto& r : saved) ranges.push_back({r.lo, r.hi});
  imap::SearchKey out = key;
  ReplaceSaved(&out, imap::SequenceSet::FromRanges(ranges));
  return out;
}

bool UsesSavedResult(const imap::SearchKey& key) {
  if ((key.kind == Kind::kSequenceSet || key.kind == Kind::kUid) && key.set.uses_saved()) {
    return true;
  }
  return std::any_of(key.children.begin(), key.children.end(), UsesSavedResult);
}

}  // namespace slotmail::imapd
