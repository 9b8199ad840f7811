#include "loadgen/response.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace slotmail::loadgen {

void ResponseReader::Feed(std::string_view data, std::vector<std::string>* out) {
  while (!data.empty()) {
    if (literal_left_ > 0) {
      size_t n = std::min(literal_left_, data.size());
      current_.append(data.substr(0, n));
      data.remove_prefix(n);
      literal_left_ -= n;
      continue;
    }
    size_t lf = data.find('\n');
    if (lf == std::string_view::npos) {
      line_.append(data);
      return;
    }
    line_.append(data.substr(0, lf + 1));
    data.remove_prefix(lf + 1);
    std::string_view line(line_);
    line.remove_suffix(line.size() >= 2 && line[line.size() - 2] == '\r' ? 2 : 1);
    current_.append(line);
    std::optional<size_t> literal = TrailingLiteral(line);
    line_.clear();
    if (literal) {
      current_.append("\r\n");
      literal_left_ = *literal;
      continue;
    }
    out->push_back(std::move(current_));
    current_.clear();
  }
}

std::optional<size_t> TrailingLiteral(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  if (digits.empty() || digits.size() > 12) return std::nullopt;
  size_t n = 0;
  for (char c : digits) {
    if (!isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    n = n * 10 + size_t(c - '0');
  }
  return n;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (toupper(static_cast<unsigned char>(s[i])) != toupper(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

namespace {

// Parses decimal digits at the front of *s, consuming them.
std::optional<uint64_t> TakeNumber(std::string_view* s) {
  size_t i = 0;
  uint64_t v = 0;
  while (i < s->size() && i < 19 && isdigit(static_cast<unsigned char>((*s)[i]))) {
    v = v * 10 + uint64_t((*s)[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  s->remove_prefix(i);
  return v;
}

// Position of `name` in `text` as a whole word (case-insensitive), or npos.
size_t FindWord(std::string_view text, std::string_view name) {
  for (size_t at = 0; at + name.size() <= text.size(); ++at) {
    if (!StartsWithNoCase(text.substr(at), name)) continue;
    bool left_ok = at == 0 || strchr(" ([", text[at - 1]) != nullptr;
    if (left_ok) return at;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<uint64_t> UntaggedNumber(std::string_view response, std::string_view word) {
  if (!StartsWithNoCase(response, "* ")) return std::nullopt;
  response.remove_prefix(2);
  std::optional<uint64_t> n = TakeNumber(&response);
  if (!n || response.empty() || response[0] != ' ') return std::nullopt;
  response.remove_prefix(1);
  if (!StartsWithNoCase(response, word)) return std::nullopt;
  if (response.size() > word.size() && response[word.size()] != ' ') return std::nullopt;
  return n;
}

std::optional<uint64_t> NumberAfter(std::string_view text, std::string_view name) {
  size_t at = FindWord(text, name);
  if (at == std::string_view::npos) return std::nullopt;
  text.remove_prefix(at + name.size());
  if (text.empty() || text[0] != ' ') return std::nullopt;
  text.remove_prefix(1);
  return TakeNumber(&text);
}

std::optional<std::string_view> LiteralAfter(std::string_view response, std::string_view item) {
  size_t at = FindWord(response, item);
  if (at == std::string_view::npos) return std::nullopt;
  response.remove_prefix(at + item.size());
  if (response.size() < 2 || response[0] != ' ' || response[1] != '{') return std::nullopt;
  response.remove_prefix(2);
  std::optional<uint64_t> n = TakeNumber(&response);
  if (!n || !StartsWithNoCase(response, "}\r\n")) return std::nullopt;
  response.remove_prefix(3);
  if (response.size() < *n) return std::nullopt;
  return response.substr(0, *n);
}

}  // namespace slotmail::loadgen
