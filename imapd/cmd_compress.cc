// COMPRESS (RFC 4978): DEFLATE only. The OK goes out uncompressed; from the
// byte after it both directions are a raw deflate stream (inside TLS when
// TLS is on). There is no way back.
#include "imapd/commands.h"

namespace slotmail::imapd {

void CmdCompress(Session& s, imap::Command& cmd) {
  if (cmd.args.size() != 1 || !cmd.args[0].IsAtom()) {
    return s.FinishBad("COMPRESS takes one mechanism");
  }
  if (imap::AsciiUpper(cmd.args[0].value) != "DEFLATE") return s.FinishBad("Unknown compression mechanism");
  if (s.is_compressed()) return s.Finish("NO [COMPRESSIONACTIVE] DEFLATE active already");
  s.StartCompression();
  s.Finish("OK DEFLATE active");
}

}  // namespace slotmail::imapd
