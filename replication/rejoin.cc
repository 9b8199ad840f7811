#include "replication/rejoin.h"

#include "replication/image_codec.h"
#include "replication/reconcile.h"
#include "replication/user_sync.h"

namespace slotmail::replication {
namespace {

json::Value Request(const char* op, const std::string& user) {
  return json::Value::Object().Set("op", op).Set("user", user);
}

struct Theirs {
  std::optional<store::UserImage> image;
  std::optional<store::SplitPoint> split;
};

Result<Theirs> AskImage(ReplicaChannel* m, const std::string& user, uint64_t after_epoch) {
  json::Value req = Request("rejoin_image", user);
  req.Set("after_epoch", static_cast<int64_t>(after_epoch));
  ASSIGN_OR_RETURN(json::Value answer, m->Call(req));
  Theirs out;
  ASSIGN_OR_RETURN(bool exists, answer.GetBool("exists"));
  if (!exists) return out;
  const json::Value* image = answer.Find("image");
  if (image == nullptr) return Status::Protocol("rejoin_image: no image");
  ASSIGN_OR_RETURN(out.image, DecodeImage(*image));
  if (const json::Value* split = answer.Find("split")) {
    ASSIGN_OR_RETURN(out.split, DecodeSplitPoint(*split));
  }
  return out;
}

// The user whole, as a replica gets a new user: files, then the image.
Status CreateUser(store::Store* mine, ReplicaChannel* m, const std::string& user,
                  const store::UserImage& image) {
  SyncStats ignored;
  RETURN_IF_ERROR(SendBlobs(mine, m, user, image, &ignored, "rejoin_"));
  json::Value req = Request("rejoin_user", user);
  req.Set("image", EncodeImage(image));
  return m->Call(req).status();
}

Status Carry(store::Store* mine, ReplicaChannel* m, const std::string& user, const UserPlan& plan,
             RejoinReport* report) {
  for (const MailboxCreate& c : plan.creates) {
    json::Value req = Request("rejoin_create", user);
    req.Set("mailbox", c.name).Set("special_use", c.special_use);
    RETURN_IF_ERROR(m->Call(req).status());
    report->mailboxes_created.push_back(user + "/" + c.name);
  }
  for (const CopyBack& c : plan.copies) {
    ASSIGN_OR_RETURN(std::string bytes, mine->ReadMessage(user, c.msg.guid));
    json::Value req = Request("rejoin_append", user);
    req.Set("mailbox", c.mailbox).Set("record", EncodeRecord(c.msg));
    ASSIGN_OR_RETURN(json::Value answer, m->Call(req, bytes));
    ASSIGN_OR_RETURN(int64_t uid, answer.GetInt("uid"));
    report->copied.push_back(
        {user, c.mailbox, c.msg.uid, static_cast<uint32_t>(uid), c.msg.guid, c.why});
  }
  for (const FlagRestore& f : plan.flags) {
    store::MessageInfo rec;
    rec.uid = f.uid;
    rec.flags = f.flags;
    rec.modseq = f.modseq;
    json::Value req = Request("rejoin_flags", user);
    req.Set("mailbox", f.mailbox).Set("record", EncodeRecord(rec));
    ASSIGN_OR_RETURN(json::Value answer, m->Call(req));
    if (*answer.GetBool("applied")) {
      ++report->flags_restored;
    } else {
      report->notes.push_back(user + ": flags of " + f.mailbox + " UID " + std::to_string(f.uid) +
                              " changed on the new master meanwhile: its flags stay");
    }
  }
  for (const ExpungeRestore& e : plan.expunges) {
    json::Value req = Request("rejoin_expunge", user);
    req.Set("mailbox", e.mailbox)
        .Set("uid", static_cast<int64_t>(e.uid))
        .Set("modseq", std::to_string(e.modseq));
    ASSIGN_OR_RETURN(json::Value answer, m->Call(req));
    if (*answer.GetBool("applied")) {
      ++report->expunges_applied;
    } else {
      report->notes.push_back(user + ": " + e.mailbox + " UID " + std::to_string(e.uid) +
                              " changed on the new master meanwhile: not expunged");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<RejoinReport> Rejoin(store::Store* mine, ReplicaChannel* m, uint64_t after_epoch,
                            const std::function<void(const std::string& user)>& progress) {
  RejoinReport report;
  ASSIGN_OR_RETURN(auto users, mine->ListUsers());
  for (const std::string& user : users) {
    auto image = mine->ReadUserImage(user, {});
    if (!image.ok() && image.status().code() == Code::kNotFound) continue;
    if (!image.ok()) return image.status();
    ASSIGN_OR_RETURN(Theirs theirs, AskImage(m, user, after_epoch));
    UserPlan plan = PlanRejoin(*image, theirs.image ? &*theirs.image : nullptr, theirs.split);
    if (plan.create_user) {
      RETURN_IF_ERROR(CreateUser(mine, m, user, *image));
      report.users_created.push_back(user);
    } else {
      RETURN_IF_ERROR(Carry(mine, m, user, plan, &report));
    }
    for (const std::string& n : plan.notes) report.notes.push_back(user + ": " + n);
    ++report.users;
    if (progress) progress(user);
  }
  return report;
}

}  // namespace slotmail::replication
