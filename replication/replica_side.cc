#include "replication/replica_side.h"

#include "common/hash.h"
#include "replication/image_codec.h"
#include "store/names.h"
#include "store/store.h"

namespace slotmail::replication {
namespace {

bool IsGuid(const std::string& g) {
  if (g.size() != 64) return false;
  for (char c : g) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<json::Value> Summary(store::Store* st, const std::string& user) {
  auto image = st->SummarizeUser(user);
  if (!image.ok() && image.status().code() == Code::kNotFound) {
    return json::Value::Object().Set("exists", false);
  }
  if (!image.ok()) return image.status();
  return json::Value::Object().Set("exists", true).Set("image", EncodeImage(*image));
}

Result<json::Value> Missing(store::Store* st, const std::string& user, const json::Value& req) {
  const json::Value* list = req.Find("guids");
  if (list == nullptr || !list->is_array()) return Status::InvalidArgument("guids: not an array");
  std::vector<std::string> guids;
  for (const json::Value& g : list->Items()) {
    if (!g.is_string() || !IsGuid(g.AsString())) return Status::InvalidArgument("guids: not GUIDs");
    guids.push_back(g.AsString());
  }
  ASSIGN_OR_RETURN(auto missing, st->MissingBlobs(user, guids));
  json::Value out = json::Value::Array();
  for (const auto& g : missing) out.Push(g);
  return json::Value::Object().Set("missing", out);
}

// Keeps the message files listed in `list` ([{"guid","size"}...]), whose
// bytes follow one another in `data` (the request's attachment), as one
// batch. The sizes must account for every byte of the attachment.
Status PutBlobs(store::Store* st, const std::string& user, const json::Value& list,
                std::string_view data) {
  if (!list.is_array()) return Status::InvalidArgument("blobs: not an array");
  std::vector<std::pair<std::string, std::string_view>> blobs;
  size_t at = 0;
  for (const json::Value& b : list.Items()) {
    ASSIGN_OR_RETURN(std::string guid, b.GetString("guid"));
    if (!IsGuid(guid)) return Status::InvalidArgument("guid: not a GUID");
    ASSIGN_OR_RETURN(int64_t size, b.GetInt("size"));
    if (size < 0 || static_cast<uint64_t>(size) > data.size() - at) {
      return Status::InvalidArgument("blobs: the sizes exceed the " + std::to_string(data.size()) +
                                     " attached bytes");
    }
    blobs.emplace_back(std::move(guid), data.substr(at, static_cast<size_t>(size)));
    at += static_cast<size_t>(size);
  }
  if (at != data.size()) {
    return Status::InvalidArgument("blobs: the sizes add up to " + std::to_string(at) + ", not the " +
                                   std::to_string(data.size()) + " attached bytes");
  }
  return st->PutBlobs(user, blobs);  // verifies every SHA-256 first
}

Result<json::Value> Apply(store::Store* st, const std::string& user, const json::Value& req,
                          std::string_view attachment) {
  const json::Value* image = req.Find("image");
  if (image == nullptr) return Status::InvalidArgument("image: missing");
  ASSIGN_OR_RETURN(store::UserImage decoded, DecodeImage(*image));
  // Message files sent along (the fast path) are kept first, each checked
  // against its GUID; one that does not match refuses the whole request.
  if (const json::Value* blobs = req.Find("blobs")) {
    RETURN_IF_ERROR(PutBlobs(st, user, *blobs, attachment));
  }
  RETURN_IF_ERROR(st->ApplyUserImage(user, decoded));
  return Summary(st, user);
}

Result<json::Value> Users(store::Store* st) {
  ASSIGN_OR_RETURN(auto users, st->ListUsers());
  json::Value out = json::Value::Array();
  for (const auto& u : users) out.Push(u);
  return json::Value::Object().Set("users", out);
}

}  // namespace

Result<std::string> RequestUser(const json::Value& req) {
  if (req.Find("user") == nullptr) return std::string();
  ASSIGN_OR_RETURN(std::string user, req.GetString("user"));
  RETURN_IF_ERROR(store::ValidateUserName(user));
  return user;
}

Result<json::Value> HandleReplicaRequest(store::Store* st, const json::Value& req,
                                         std::string_view attachment) {
  ASSIGN_OR_RETURN(std::string op, req.GetString("op"));
  const bool carries_blobs = (op == "blobs" || op == "apply") && req.Find("blobs") != nullptr;
  if (!attachment.empty() && !carries_blobs) {
    return Status::InvalidArgument(op.substr(0, 32) + ": attached bytes without a blobs list");
  }
  if (op == "users") return Users(st);
  if (op == "ping") return json::Value::Object();
  ASSIGN_OR_RETURN(std::string user, RequestUser(req));
  if (user.empty()) return Status::InvalidArgument(op + ": user missing");
  if (op == "summary") return Summary(st, user);
  if (op == "missing") return Missing(st, user, req);
  if (op == "blobs") {
    const json::Value* list = req.Find("blobs");
    if (list == nullptr) return Status::InvalidArgument("blobs: missing");
    RETURN_IF_ERROR(PutBlobs(st, user, *list, attachment));
    return json::Value::Object();
  }
  if (op == "apply") return Apply(st, user, req, attachment);
  if (op == "delete_user") {
    Status s = st->DeleteUser(user);
    if (!s.ok() && s.code() != Code::kNotFound) return s;
    return json::Value::Object();
  }
  return Status::InvalidArgument("unknown op '" + op.substr(0, 64) + "'");
}

}  // namespace slotmail::replication
