#include "store/paths.h"

#include <cstdio>

#include "common/check.h"
#include "common/hash.h"

namespace slotmail::store {
namespace {

bool IsPlain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

constexpr std::string_view kSegmentPrefix = "changes.";
constexpr size_t kSegmentDigits = 20;

}  // namespace

std::string EncodeUserName(std::string_view user) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : user) {
    if (IsPlain(static_cast<char>(c))) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('=');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

std::optional<std::string> DecodeUserName(std::string_view component) {
  std::string out;
  for (size_t i = 0; i < component.size(); ++i) {
    char c = component[i];
    if (IsPlain(c)) {
      out.push_back(c);
      continue;
    }
    if (c != '=' || i + 2 >= component.size()) return std::nullopt;
    int hi = HexValue(component[i + 1]);
    int lo = HexValue(component[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    char decoded = static_cast<char>(hi * 16 + lo);
    if (IsPlain(decoded)) return std::nullopt;  // not what EncodeUserName writes
    out.push_back(decoded);
    i += 2;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string SlotPaths::UserBucketDir(std::string_view user) const {
  return UsersDir() + "/" + Sha256Hex(user).substr(0, 2);
}

std::string SlotPaths::UserDir(std::string_view user) const {
  return UserBucketDir(user) + "/" + EncodeUserName(user);
}

std::string SlotPaths::BlobDir(std::string_view user, std::string_view guid) const {
  SM_CHECK(IsLowerHex(guid, 64)) << guid;
  return BlobsDir(user) + "/" + std::string(guid.substr(0, 2));
}

std::string SlotPaths::BlobPath(std::string_view user, std::string_view guid) const {
  return BlobDir(user, guid) + "/" + std::string(guid);
}

std::string SlotPaths::NewTmpPath() const { return TmpDir() + "/" + RandomHex(12); }

std::string SlotPaths::ChangeSegmentPath(uint64_t segment) const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(segment));
  return SyncDir() + "/" + std::string(kSegmentPrefix) + buf;
}

std::optional<uint64_t> SlotPaths::ParseChangeSegmentName(std::string_view name) {
  if (name.size() != kSegmentPrefix.size() + kSegmentDigits) return std::nullopt;
  if (name.substr(0, kSegmentPrefix.size()) != kSegmentPrefix) return std::nullopt;
  uint64_t v = 0;
  for (char c : name.substr(kSegmentPrefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

}  // namespace slotmail::store
