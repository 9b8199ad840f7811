#include "admin/summaries.h"

#include <algorithm>

#include "common/limits.h"
#include "replication/image_codec.h"

namespace slotmail::admin {

Result<Summaries> SlotSummaries(ControlClient* c, const std::vector<std::string>* only) {
  Summaries out;
  std::string after;
  json::Value names = json::Value::Array();
  if (only != nullptr) {
    for (const auto& n : *only) names.Push(n);
  }
  for (;;) {
    json::Value req = json::Value::Object().Set("op", "summaries");
    if (!after.empty()) req.Set("after", after);
    if (only != nullptr) req.Set("users", names);
    ASSIGN_OR_RETURN(json::Value answer, c->Call(req, limits::kControlCommandTimeout));
    const json::Value* users = answer.Find("users");
    if (users == nullptr || !users->is_object()) return Status::Protocol("summaries: no users");
    for (const auto& [name, image] : users->Members()) {
      ASSIGN_OR_RETURN(out[name], replication::DecodeImage(image));
      after = std::max(after, name);
    }
    auto more = answer.GetBool("more");
    if (!more.ok() || !*more) return out;
    if (users->Members().empty()) return Status::Protocol("summaries: more, but no users");
  }
}

Result<std::vector<std::string>> ChangedUsers(ControlClient* c) {
  ASSIGN_OR_RETURN(json::Value answer, c->Call(json::Value::Object().Set("op", "changed_users"),
                                               limits::kControlCommandTimeout));
  const json::Value* users = answer.Find("users");
  if (users == nullptr || !users->is_array()) return Status::Protocol("changed_users: no users");
  std::vector<std::string> out;
  for (const json::Value& u : users->Items()) {
    if (!u.is_string()) return Status::Protocol("changed_users: not names");
    out.push_back(u.AsString());
  }
  return out;
}

std::vector<std::string> DifferingUsers(const Summaries& a, const Summaries& b) {
  std::vector<std::string> differ;
  for (const auto& [user, image] : a) {
    auto it = b.find(user);
    if (it == b.end() || !replication::SameSummary(image, it->second)) differ.push_back(user);
  }
  for (const auto& [user, image] : b) {
    if (!a.count(user)) differ.push_back(user);
  }
  return differ;
}

std::string FirstUsers(const std::vector<std::string>& users) {
  std::string list;
  for (size_t i = 0; i < users.size() && i < 10; ++i) list += (i ? ", " : "") + users[i];
  return list + (users.size() > 10 ? ", ..." : "");
}

}  // namespace slotmail::admin
