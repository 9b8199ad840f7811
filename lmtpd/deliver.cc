#include "lmtpd/deliver.h"

#include <ctime>

#include "common/limits.h"
#include "common/server_events.h"
#include "store/names.h"
#include "store/store.h"

namespace slotmail::lmtpd {

std::string TraceHeaders(std::string_view sender, std::string_view helo,
                         std::string_view peer, std::string_view hostname,
                         std::string_view delivery_id, int64_t now) {
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  std::string h;
  h += "Return-Path: <";
  h += sender;
  h += ">\r\nReceived: from ";
  h += helo;
  h += " (";
  h += peer;
  h += ")\r\n\tby ";
  h += hostname;
  h += " (slotmail) with LMTP id ";
  h += delivery_id;
  h += ";\r\n\t";
  h += date;
  h += "\r\n";
  return h;
}

namespace {

// kDelivered once the replicas have the user's new mail (sync mode).
Outcome Confirmed(NewMailBarrier* new_mail, const std::string& user) {
  if (new_mail == nullptr) return Outcome::kDelivered;
  Status st = new_mail->Confirm(user);
  if (st.ok()) return Outcome::kDelivered;
  events::StoreError("lmtp", user, "replicate", st);
  return Outcome::kFailed;
}

// True if `mailbox` holds this very delivery already (a retry after our
// reply was lost). A failed check counts as "no": then the mail is stored.
bool AlreadyDelivered(store::Store& store, const std::string& user, const std::string& mailbox,
                      const DedupKey& key, int64_t now) {
  if (key.message_id.empty()) return false;
  auto guids = store.FindMessageIdSince(user, mailbox, key.message_id,
                                        now - limits::kLmtpDedupWindowSeconds,
                                        limits::kLmtpDedupCandidates);
  if (!guids.ok()) return false;
  for (const std::string& guid : *guids) {
    auto head = store.ReadMessageHead(user, guid, kTraceHeadBytes);
    if (head.ok() && CarriesDeliveryId(*head, key.delivery_id)) return true;
  }
  return false;
}

}  // namespace

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kDelivered: return "delivered";
    case Outcome::kUnknownUser: return "unknown_user";
    case Outcome::kOverQuota: return "over_quota";
    case Outcome::kTooBig: return "too_big";
    case Outcome::kFailed: return "failed";
  }
  return "failed";
}

bool RecipientExists(store::Store& store, const std::string& user) {
  return store::ValidateUserName(user).ok() && store.UserExists(user);
}

Outcome Deliver(store::Store& store, const Recipient& rcpt, std::string_view bytes,
                const DedupKey& key, int64_t now, NewMailBarrier* new_mail) {
  if (!RecipientExists(store, rcpt.user)) return Outcome::kUnknownUser;
  if (new_mail != nullptr && !new_mail->Admit(rcpt.user).ok()) return Outcome::kFailed;
  std::string mailbox = "INBOX";
  if (!rcpt.folder.empty()) {
    auto info = store.GetMailbox(rcpt.user, rcpt.folder);
    if (info.ok()) mailbox = info->name;
  }
  if (AlreadyDelivered(store, rcpt.user, mailbox, key, now)) return Confirmed(new_mail, rcpt.user);
  auto r = store.Append(rcpt.user, mailbox, bytes, store::Flags{}, now);
  if (r.ok()) return Confirmed(new_mail, rcpt.user);
  switch (r.status().code()) {
    case Code::kNotFound: return Outcome::kUnknownUser;  // deleted meanwhile
    case Code::kOverQuota: return Outcome::kOverQuota;
    case Code::kTooBig: return Outcome::kTooBig;
    default:
      events::StoreError("lmtp", rcpt.user, "deliver", r.status());
      return Outcome::kFailed;
  }
}

}  // namespace slotmail::lmtpd
