// Delivery of one LMTP message to one recipient's mailbox. Runs on a worker
// thread (it does store I/O); no sockets here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/new_mail_barrier.h"

#include "lmtpd/dedup.h"
#include "lmtpd/protocol.h"

namespace slotmail::store {
class Store;
}

namespace slotmail::lmtpd {

// The trace fields put above the received message (RFC 5321 4.4):
// "Return-Path: <sender>" and one Received field whose id is `delivery_id`
// (dedup.h: what duplicate suppression compares). `now` is a Unix time.
std::string TraceHeaders(std::string_view sender, std::string_view helo,
                         std::string_view peer, std::string_view hostname,
                         std::string_view delivery_id, int64_t now);

// Stores `bytes` for `rcpt`: into rcpt.folder if that mailbox exists (as
// IMAP names it), else INBOX. Returns once the message is durable (or not
// stored at all). Store errors become an Outcome. `bytes` begin with the
// TraceHeaders of `key.delivery_id`. With a non-empty `key.message_id`, a
// message already delivered to the same mailbox within
// limits::kLmtpDedupWindowSeconds with the same Message-ID and the same
// delivery id (sender and content) is not stored again (kDelivered).
// With `new_mail` (sync replication), it admits the delivery first and the
// outcome is kDelivered only once it confirms the replicas have it; a
// refusal or a missing confirmation is kFailed (451, the MTA retries; the
// retry of a stored message is then dropped as a duplicate).
Outcome Deliver(store::Store& store, const Recipient& rcpt, std::string_view bytes,
                const DedupKey& key, int64_t now, NewMailBarrier* new_mail = nullptr);

// The outcome as the log and metrics name it: delivered, unknown_user,
// over_quota, too_big, failed.
const char* OutcomeName(Outcome outcome);

// True if `user` is a valid user name and exists.
bool RecipientExists(store::Store& store, const std::string& user);

}  // namespace slotmail::lmtpd
