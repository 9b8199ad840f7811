// "key = value" configuration files: one setting per line, '#' starts a
// comment, blank lines ignored, later lines override earlier ones.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "common/status.h"

namespace slotmail {

class ConfigFile {
 public:
  // InvalidArgument naming the line for a malformed line.
  static Result<ConfigFile> Parse(const std::string& text, const std::string& origin);
  static Result<ConfigFile> Load(const std::string& path);

  void Set(const std::string& key, const std::string& value) { values_[key] = value; }
  bool Has(const std::string& key) const { return values_.count(key) > 0; }
  void Erase(const std::string& key) { values_.erase(key); }
  std::string Get(const std::string& key, const std::string& fallback) const;
  // InvalidArgument if present but not a number in [min, max].
  Result<uint64_t> GetUint(const std::string& key, uint64_t fallback, uint64_t min,
                           uint64_t max) const;
  // InvalidArgument if present but not yes/no/true/false/1/0.
  Result<bool> GetBool(const std::string& key, bool fallback) const;
  // InvalidArgument naming the first key not in `known` (catches typos).
  Status CheckKnown(const std::set<std::string>& known) const;
  // Every setting, sorted by key.
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::string origin_;
  std::map<std::string, std::string> values_;
};

// Splits "host:port" ("[v6]:port" too). InvalidArgument if malformed.
Status SplitHostPort(const std::string& hostport, std::string* host, uint16_t* port);

}  // namespace slotmail
