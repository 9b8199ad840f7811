#include "replication/rejoin_side.h"

#include <charconv>
#include <cstdint>

#include "common/hash.h"
#include "replication/image_codec.h"
#include "replication/replica_side.h"
#include "store/store.h"

namespace slotmail::replication {
namespace {

constexpr std::string_view kPrefix = "rejoin_";

// The user's complete image and its split point after `after_epoch`.
Result<json::Value> Image(store::Store* st, const std::string& user, const json::Value& req) {
  ASSIGN_OR_RETURN(int64_t after, req.GetInt("after_epoch"));
  if (after < 0) return Status::InvalidArgument("after_epoch must be >= 0");
  auto image = st->ReadUserImage(user, {});
  if (!image.ok() && image.status().code() == Code::kNotFound) {
    return json::Value::Object().Set("exists", false);
  }
  if (!image.ok()) return image.status();
  ASSIGN_OR_RETURN(auto split, st->ReadSplitPoint(user, static_cast<uint64_t>(after)));
  json::Value out = json::Value::Object().Set("exists", true).Set("image", EncodeImage(*image));
  if (split) out.Set("split", EncodeSplitPoint(*split));
  return out;
}

Result<json::Value> Create(store::Store* st, const std::string& user, const json::Value& req) {
  ASSIGN_OR_RETURN(std::string name, req.GetString("mailbox"));
  ASSIGN_OR_RETURN(std::string use, req.GetString("special_use"));
  Status s = st->CreateMailbox(user, name, use);
  // A special use another mailbox holds now: the mailbox still comes back.
  if (!s.ok() && !use.empty() && s.code() != Code::kExists) s = st->CreateMailbox(user, name, "");
  if (!s.ok() && s.code() != Code::kExists) return s;
  return json::Value::Object().Set("created", s.ok());
}

// One message: its record (GUID, flags, internal date) and its bytes as
// the attachment, which must hash to the GUID. Appended at a new UID.
Result<json::Value> Append(store::Store* st, const std::string& user, const json::Value& req,
                           std::string_view bytes) {
  ASSIGN_OR_RETURN(std::string mailbox, req.GetString("mailbox"));
  const json::Value* rec = req.Find("record");
  if (rec == nullptr) return Status::InvalidArgument("record: missing");
  ASSIGN_OR_RETURN(store::MessageInfo m, DecodeRecord(*rec));
  if (bytes.size() != m.size || Sha256Hex(bytes) != m.guid) {
    return Status::Corruption("the attached message does not match GUID " + m.guid);
  }
  ASSIGN_OR_RETURN(auto added, st->Append(user, mailbox, bytes, m.flags, m.internal_date));
  return json::Value::Object().Set("uid", static_cast<int64_t>(added.uid));
}

// Flags of one message, set only if it is still at the modseq the plan saw.
Result<json::Value> Flags(store::Store* st, const std::string& user, const json::Value& req) {
  ASSIGN_OR_RETURN(std::string mailbox, req.GetString("mailbox"));
  const json::Value* rec = req.Find("record");
  if (rec == nullptr) return Status::InvalidArgument("record: missing");
  ASSIGN_OR_RETURN(store::MessageInfo m, DecodeRecord(*rec));
  store::UidSet one{{m.uid, m.uid}};
  ASSIGN_OR_RETURN(auto r, st->StoreFlags(user, mailbox, one, store::FlagOp::kReplace, m.flags,
                                          m.modseq));
  return json::Value::Object().Set("applied", r.failed.empty());
}

// Expunges one message if it is still at the modseq the plan saw.
Result<json::Value> Expunge(store::Store* st, const std::string& user, const json::Value& req) {
  ASSIGN_OR_RETURN(std::string mailbox, req.GetString("mailbox"));
  ASSIGN_OR_RETURN(int64_t uid, req.GetInt("uid"));
  ASSIGN_OR_RETURN(std::string text, req.GetString("modseq"));
  uint64_t modseq = 0;
  auto parsed = std::from_chars(text.data(), text.data() + text.size(), modseq);
  if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size()) {
    return Status::InvalidArgument("modseq: not a number");
  }
  if (uid <= 0 || uid > UINT32_MAX) return Status::InvalidArgument("uid out of range");
  const uint32_t u = static_cast<uint32_t>(uid);
  store::UidSet one{{u, u}};
  store::Flags deleted{store::kFlagDeleted, {}};
  ASSIGN_OR_RETURN(auto marked, st->StoreFlags(user, mailbox, one, store::FlagOp::kAdd, deleted,
                                               modseq));
  if (!marked.failed.empty()) return json::Value::Object().Set("applied", false);
  ASSIGN_OR_RETURN(auto gone, st->Expunge(user, mailbox, one));
  return json::Value::Object().Set("applied", !gone.uids.empty());
}

}  // namespace

bool IsRejoinRequest(const json::Value& req) {
  auto op = req.GetString("op");
  return op.ok() && op->compare(0, kPrefix.size(), kPrefix) == 0;
}

Result<json::Value> HandleRejoinRequest(store::Store* st, const json::Value& req,
                                        std::string_view attachment) {
  ASSIGN_OR_RETURN(std::string op, req.GetString("op"));
  ASSIGN_OR_RETURN(std::string user, RequestUser(req));
  if (user.empty()) return Status::InvalidArgument(op.substr(0, 32) + ": user missing");
  if (!attachment.empty() && op != "rejoin_append" && op != "rejoin_blobs" &&
      op != "rejoin_user") {
    return Status::InvalidArgument(op.substr(0, 32) + ": attached bytes it does not take");
  }
  if (op == "rejoin_image") return Image(st, user, req);
  if (op == "rejoin_create") return Create(st, user, req);
  if (op == "rejoin_append") return Append(st, user, req, attachment);
  if (op == "rejoin_flags") return Flags(st, user, req);
  if (op == "rejoin_expunge") return Expunge(st, user, req);
  if (op == "rejoin_missing" || op == "rejoin_blobs" || op == "rejoin_user") {
    // A user only the old master has comes over whole, as a replica takes
    // a new user; never over a user this slot has.
    if (op == "rejoin_user" && st->UserExists(user)) {
      return Status::Exists("user " + user + " exists on the new master");
    }
    json::Value as = req;
    as.Set("op", op == "rejoin_user" ? "apply" : op.substr(kPrefix.size()));
    return HandleReplicaRequest(st, as, attachment);
  }
  return Status::InvalidArgument("unknown op '" + op.substr(0, 64) + "'");
}

}  // namespace slotmail::replication
