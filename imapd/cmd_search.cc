// SEARCH and UID SEARCH: see search_eval.h.
#include "imapd/commands.h"

namespace slotmail::imapd {

void CmdSearch(Session& s, imap::Command&) { s.Finish("NO [CANNOT] SEARCH is not available yet"); }

}  // namespace slotmail::imapd
