// IDLE (RFC 2177): updates are pushed as they happen until the client
// sends DONE.
#include "imap/parser.h"
#include "imapd/commands.h"

namespace slotmail::imapd {

void CmdIdle(Session& s, imap::Command& cmd) {
  if (!cmd.args.empty()) return s.FinishBad("IDLE takes no arguments");
  s.Continue("idling");
  s.set_idling(true);
  if (s.selected()) s.PushUpdates();
  s.ReadLines([&s](std::string_view line) {
    s.StopReadingLines();
    s.set_idling(false);
    if (!imap::EqualsIgnoreCase(line, "DONE")) return s.FinishBad("Expected DONE");
    s.Finish("OK IDLE terminated");
  });
}

}  // namespace slotmail::imapd
