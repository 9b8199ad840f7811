#include "admin/format.h"

#include "admin/commands.h"

namespace slotmail::admin {
namespace {

std::string Quoted(const std::string& s) {
  if (!s.empty() && s.find_first_of(" \t\"\\'") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

std::string TabRow(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out.push_back('\t');
    out += fields[i];
  }
  out.push_back('\n');
  return out;
}

std::string MailboxRecord(const store::MailboxInfo& b) {
  return TabRow({b.name, std::to_string(b.messages), std::to_string(b.unseen),
                 std::to_string(b.bytes), std::to_string(b.uidvalidity), std::to_string(b.uidnext),
                 std::to_string(b.highestmodseq), b.special_use.empty() ? "-" : b.special_use});
}

std::string UserRecord(std::string_view user, const std::vector<store::MailboxInfo>& boxes,
                       const store::QuotaInfo& quota) {
  uint64_t messages = 0, bytes = 0;
  for (const auto& b : boxes) {
    messages += b.messages;
    bytes += b.bytes;
  }
  return TabRow({"user", std::string(user)}) +
         TabRow({"mailboxes", std::to_string(boxes.size())}) +
         TabRow({"messages", std::to_string(messages)}) +
         TabRow({"bytes", std::to_string(bytes)}) +
         TabRow({"quota_bytes", std::to_string(quota.limit_bytes)}) +
         TabRow({"quota_messages", std::to_string(quota.limit_messages)}) +
         TabRow({"used_bytes", std::to_string(quota.used_bytes)}) +
         TabRow({"used_messages", std::to_string(quota.used_messages)});
}

std::string DescribeCommand(const Invocation& inv) {
  std::string out = inv.command ? CommandWords(*inv.command) : inv.group;
  for (const auto& a : inv.args) out += " " + Quoted(a);
  return out;
}

}  // namespace slotmail::admin
