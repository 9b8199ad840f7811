// CAPABILITY, NOOP, LOGOUT, ID: valid in every state.
#include "imapd/commands.h"

namespace slotmail::imapd {

void CmdCapability(Session& s, imap::Command&) {
  s.Untagged("CAPABILITY " + Capabilities(s));
  s.Finish("OK CAPABILITY completed");
}

void CmdNoop(Session& s, imap::Command&) { s.Finish("OK NOOP completed"); }

void CmdLogout(Session& s, imap::Command&) {
  s.Untagged("BYE Logging out");
  s.Logout();
  s.Finish("OK LOGOUT completed");
}

// RFC 2971: we say who we are; what the client says is not needed.
void CmdId(Session& s, imap::Command& cmd) {
  if (cmd.args.size() != 1 || (cmd.args[0].kind != imap::Arg::kList &&
                               cmd.args[0].kind != imap::Arg::kNil)) {
    return s.FinishBad("ID takes a parameter list or NIL");
  }
  s.Untagged("ID (\"name\" \"slotmail\" \"vendor\" \"slotmail\")");
  s.Finish("OK ID completed");
}

}  // namespace slotmail::imapd
