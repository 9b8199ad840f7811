// Rendering one message's FETCH response from its metadata, bytes and MIME
// structure. Runs on a worker thread; no session state is touched.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "imap/fetch_items.h"
#include "mime/message.h"
#include "store/types.h"

namespace slotmail::imapd {

// What the items need beyond the index row. ENVELOPE, BODY and
// BODYSTRUCTURE need the structure alone, not the bytes.
bool NeedsBytes(const std::vector<imap::FetchItem>& items);
bool NeedsStructure(const std::vector<imap::FetchItem>& items);
// True if of the bytes the items need only the message's header block,
// [0, parsed->root.header.end) (RFC822.HEADER, BODY[HEADER],
// BODY[HEADER.FIELDS ...]): the caller may then pass just that prefix.
bool NeedsOnlyHeader(const std::vector<imap::FetchItem>& items);
bool SetsSeen(const std::vector<imap::FetchItem>& items);

struct FetchInput {
  const store::MessageInfo* msg = nullptr;
  uint32_t seq = 0;
  bool recent = false;
  const std::string* bytes = nullptr;     // set if NeedsBytes (see NeedsOnlyHeader)
  const mime::Message* parsed = nullptr;  // set if NeedsStructure
  bool add_uid = false;    // UID FETCH: UID is always returned
  bool add_flags = false;  // \Seen was just set: FLAGS is returned
  bool add_modseq = false;  // RFC 7162 3.1: MODSEQ is returned
};

// "* <seq> FETCH (...)\r\n", literals included. BINARY data is a literal8
// "~{n}" when it holds NUL, else a literal (RFC 3516 4.2). A BINARY or
// BINARY.SIZE item whose part has a transfer encoding we cannot decode is
// left out and sets *unknown_cte (the command then ends NO [UNKNOWN-CTE]);
// if nothing is left, the answer is "".
std::string RenderFetch(const std::vector<imap::FetchItem>& items, const FetchInput& in,
                        bool* unknown_cte);

}  // namespace slotmail::imapd
