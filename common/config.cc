#include "common/config.h"

#include <charconv>

#include "common/fs.h"

namespace slotmail {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

Result<ConfigFile> ConfigFile::Parse(const std::string& text, const std::string& origin) {
  ConfigFile cfg;
  cfg.origin_ = origin;
  size_t line_no = 0, pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    line = Trim(line);
    if (line.empty()) continue;
    size_t eq = line.find('=');
    std::string key = eq == std::string::npos ? "" : Trim(line.substr(0, eq));
    if (key.empty()) {
      return Status::InvalidArgument(origin + ":" + std::to_string(line_no) +
                                     ": expected 'key = value'");
    }
    cfg.values_[key] = Trim(line.substr(eq + 1));
  }
  return cfg;
}

Result<ConfigFile> ConfigFile::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, fs::ReadFile(path));
  return Parse(text, path);
}

std::string ConfigFile::Get(const std::string& key, const std::string& fallback) const {
  auto it = values_.find(key);
  return it == values_.end() ? fallback : it->second;
}

Result<uint64_t> ConfigFile::GetUint(const std::string& key, uint64_t fallback, uint64_t min,
                                     uint64_t max) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  uint64_t v = 0;
  const std::string& s = it->second;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v < min || v > max) {
    return Status::InvalidArgument(origin_ + ": " + key + " must be a number from " +
                                   std::to_string(min) + " to " + std::to_string(max));
  }
  return v;
}

Result<bool> ConfigFile::GetBool(const std::string& key, bool fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  const std::string& v = it->second;
  if (v == "yes" || v == "true" || v == "1") return true;
  if (v == "no" || v == "false" || v == "0") return false;
  return Status::InvalidArgument(origin_ + ": " + key + " must be yes or no");
}

Status ConfigFile::CheckKnown(const std::set<std::string>& known) const {
  for (const auto& [key, value] : values_) {
    if (!known.count(key)) return Status::InvalidArgument(origin_ + ": unknown setting " + key);
  }
  return Status::Ok();
}

Status SplitHostPort(const std::string& hostport, std::string* host, uint16_t* port) {
  size_t colon = hostport.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("expected host:port, got '" + hostport + "'");
  }
  std::string h = hostport.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  unsigned p = 0;
  std::string ps = hostport.substr(colon + 1);
  auto r = std::from_chars(ps.data(), ps.data() + ps.size(), p);
  if (r.ec != std::errc() || r.ptr != ps.data() + ps.size() || p > 65535) {
    return Status::InvalidArgument("bad port in '" + hostport + "'");
  }
  *host = h;
  *port = static_cast<uint16_t>(p);
  return Status::Ok();
}

}  // namespace slotmail
