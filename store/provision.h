// The mailboxes a new user starts with besides INBOX: one for each common
// special use (RFC 6154), so clients find Drafts, Sent, Trash, Junk and
// Archive without creating their own under other names.
//
// Policy on top of the public Store API, kept out of Store::CreateUser on
// purpose: replication creates users on replicas and then copies their
// mailboxes from the master, and must not find invented ones there.
#pragma once

#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace slotmail::store {

struct DefaultMailbox {
  const char* name;
  const char* special_use;
};

// In creation order.
inline constexpr DefaultMailbox kDefaultMailboxes[] = {
    {"Drafts", "\\Drafts"}, {"Sent", "\\Sent"},       {"Trash", "\\Trash"},
    {"Junk", "\\Junk"},     {"Archive", "\\Archive"},
};

// Creates each default mailbox `user` lacks, with its special use, and
// subscribes it. A name that already exists is left as it is, so calling
// this again (or after a partial failure) is safe. Each mailbox is durable
// when the call for it returns; on error the ones before it stay.
Status ProvisionDefaultMailboxes(Store& store, std::string_view user);

}  // namespace slotmail::store
