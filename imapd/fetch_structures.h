// Where FETCH gets messages' MIME structures without reading their files:
// the server's MimeCache first, then the user's index for all the cache
// lacks in one call (Store::FetchStructures, which parses from the bytes
// only messages it has no row for). Runs on a worker thread.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "imapd/mime_cache.h"
#include "mime/message.h"
#include "store/store.h"

namespace slotmail::imapd {

// The structure of each of `messages`, in order; nullptr for one whose row
// and bytes are both gone (expunged meanwhile). What the index supplies is
// added to `cache`.
Result<std::vector<std::shared_ptr<const mime::Message>>> LoadStructures(
    store::Store& st, MimeCache& cache, const std::string& user,
    std::span<const store::MessageInfo> messages);

}  // namespace slotmail::imapd
