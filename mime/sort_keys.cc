#include "mime/sort_keys.h"

#include <algorithm>
#include <iterator>

#include "common/limits.h"
#include "common/utf8.h"

#include "mime/address.h"
#include "mime/ascii.h"
#include "mime/date.h"
#include "mime/encoded_word.h"
#include "mime/envelope_fields.h"
#include "mime/header.h"

namespace slotmail::mime {
namespace {

// RFC 5256 5.1 step 1: tabs and line breaks become spaces; runs of spaces
// become one.
std::string PackWhitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (!space) out += ' ';
      space = true;
    } else {
      out += c;
      space = false;
    }
  }
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Length of a subj-blob ("[" *BLOBCHAR "]" *WSP) at the start of `s`, or 0.
size_t BlobLength(std::string_view s) {
  if (s.empty() || s[0] != '[') return 0;
  size_t i = 1;
  while (i < s.size() && s[i] != '[' && s[i] != ']') ++i;
  if (i == s.size() || s[i] != ']') return 0;
  ++i;
  while (i < s.size() && s[i] == ' ') ++i;
  return i;
}

// Length of a subj-refwd (("RE" / "FW" / "FWD") *WSP [subj-blob] ":") at
// the start of `s` (casemapped), or 0.
size_t RefwdLength(std::string_view s) {
  size_t i = 0;
  if (StartsWith(s, "RE")) {
    i = 2;
  } else if (StartsWith(s, "FWD")) {
    i = 3;
  } else if (StartsWith(s, "FW")) {
    i = 2;
  } else {
    return 0;
  }
  while (i < s.size() && s[i] == ' ') ++i;
  i += BlobLength(s.substr(i));
  if (i < s.size() && s[i] == ':') return i + 1;
  return 0;
}

// Length of a subj-leader ((*subj-blob subj-refwd) / WSP) at the start of
// `s`, or 0; `refwd` is set when it contains a subj-refwd.
size_t LeaderLength(std::string_view s, bool* refwd) {
  if (!s.empty() && s[0] == ' ') return 1;
  size_t i = 0;
  while (true) {
    if (size_t r = RefwdLength(s.substr(i)); r != 0) {
      *refwd = true;
      return i + r;
    }
    const size_t blob = BlobLength(s.substr(i));
    if (blob == 0) return 0;
    i += blob;
  }
}

bool HasNonSpace(std::string_view s) { return s.find_first_not_of(' ') != std::string_view::npos; }

// Steps 2 to 6 on a casemapped, whitespace-packed subject.
std::string Extract(std::string s, bool* is_reply) {
  while (true) {
    // (2) trailers: "(FWD)" or WSP, repeatedly.
    while (true) {
      if (!s.empty() && s.back() == ' ') {
        s.pop_back();
      } else if (s.size() >= 5 && s.compare(s.size() - 5, 5, "(FWD)") == 0) {
        s.resize(s.size() - 5);
        *is_reply = true;
      } else {
        break;
      }
    }
    // (3)-(5): leaders, then a blob if something remains after it.
    bool changed = true;
    while (changed) {
      changed = false;
      while (size_t n = LeaderLength(s, is_reply)) {
        s.erase(0, n);
        changed = true;
      }
      const size_t blob = BlobLength(s);
      if (blob != 0 && HasNonSpace(std::string_view(s).substr(blob))) {
        s.erase(0, blob);
        changed = true;
      }
    }
    // (6) "[FWD:" ... "]" wrapper: remove and start again at (2).
    if (StartsWith(s, "[FWD:") && s.size() >= 6 && s.back() == ']') {
      s = s.substr(5, s.size() - 6);
      *is_reply = true;
      continue;
    }
    return s;
  }
}

// addr-mailbox of the first mailbox of `list`, or "".
std::string FirstMailbox(const std::vector<Address>& list) {
  for (const Address& a : list) {
    if (a.kind != Address::Kind::kMailbox) continue;
    if (a.mailbox == kMissingMailbox) return "";
    return a.mailbox;
  }
  return "";
}

// RFC 5957 3: the decoded display name if not empty, else
// addr-mailbox@addr-host, else addr-mailbox, else "".
std::string DisplayValue(const std::vector<Address>& list) {
  for (const Address& a : list) {
    if (a.kind != Address::Kind::kMailbox) continue;
    std::string name = DecodeEncodedWords(a.name);
    if (!name.empty()) return name;
    return AddrSpec(a);
  }
  return "";
}

// A sort key as kept: at most kMaxSortKeyBytes (SORT compares no further).
std::string Key(std::string_view s) {
  return std::string(utf8::Prefix(s, limits::kMaxSortKeyBytes));
}

std::string FirstId(const std::optional<std::string>& value) {
  if (!value) return "";
  std::vector<std::string> ids = MessageIds(*value);
  return ids.empty() ? "" : ids.front();
}

}  // namespace

std::string AsciiCasemap(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return out;
}

std::string BaseSubject(std::string_view value, bool* is_reply) {
  bool reply = false;
  std::string s = Extract(AsciiCasemap(PackWhitespace(DecodeEncodedWords(Unfold(value)))), &reply);
  if (is_reply != nullptr) *is_reply = reply;
  return s;
}

std::vector<std::string> MessageIds(std::string_view value) {
  std::vector<std::string> ids;
  size_t i = 0;
  int comment = 0;
  while (i < value.size()) {
    const char c = value[i];
    if (c == '\\' && comment > 0) {
      i += 2;
    } else if (c == '(') {
      ++comment;
      ++i;
    } else if (c == ')' && comment > 0) {
      --comment;
      ++i;
    } else if (c == '<' && comment == 0) {
      const size_t end = value.find('>', i);
      if (end == std::string_view::npos) break;
      std::string id;
      for (char d : value.substr(i, end + 1 - i)) {
        if (d != ' ' && d != '\t' && d != '\r' && d != '\n') id += d;
      }
      if (id.size() > 2) ids.push_back(std::move(id));
      i = end + 1;
    } else {
      ++i;
    }
  }
  return ids;
}

SortKeys ComputeSortKeys(std::string_view message) {
  const std::vector<HeaderField> fields =
      ParseHeaderFields(message.substr(0, FindBodyStart(message)));
  const Envelope env = EnvelopeFromFields(fields);
  SortKeys k;
  if (env.date) {
    if (Result<DateTime> d = ParseDate(*env.date); d.ok()) k.sent_date = d->epoch_seconds;
  }
  if (env.subject) k.subject = Key(BaseSubject(*env.subject, &k.subject_is_reply));
  k.from = Key(AsciiCasemap(FirstMailbox(env.from)));
  k.to = Key(AsciiCasemap(FirstMailbox(env.to)));
  k.cc = Key(AsciiCasemap(FirstMailbox(env.cc)));
  k.display_from = Key(AsciiCasemap(DisplayValue(env.from)));
  k.display_to = Key(AsciiCasemap(DisplayValue(env.to)));
  k.message_id = FirstId(env.message_id);
  k.in_reply_to = FirstId(env.in_reply_to);
  if (const HeaderField* refs = FindField(fields, "References")) {
    // THREAD uses the parent (the last id) and the chain above it up to
    // kMaxThreadDepth; ids longer than any real one (the envelope's
    // Message-ID is cut at kMaxMimeFieldBytes too) could never match.
    std::vector<std::string> ids = MessageIds(refs->value);
    std::erase_if(ids, [](const std::string& id) { return id.size() > limits::kMaxMimeFieldBytes; });
    const size_t drop = ids.size() > limits::kMaxThreadDepth ? ids.size() - limits::kMaxThreadDepth : 0;
    k.references.assign(std::make_move_iterator(ids.begin() + static_cast<std::ptrdiff_t>(drop)),
                        std::make_move_iterator(ids.end()));
  }
  return k;
}

}  // namespace slotmail::mime
