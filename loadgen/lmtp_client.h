// A blocking LMTP client (RFC 2033) for lmtp_bench: one connection, one
// transaction at a time, MAIL/RCPT/DATA pipelined as an MTA does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace slotmail::loadgen {

class LmtpClient {
 public:
  LmtpClient() = default;
  LmtpClient(const LmtpClient&) = delete;
  LmtpClient& operator=(const LmtpClient&) = delete;
  ~LmtpClient() { Close(); }
  // Connects (closing any previous connection), reads the 220 greeting and
  // sends LHLO.
  Status Open(const std::string& host, uint16_t port);
  // Delivers `message` (CRLF lines, none starting with '.') to
  // `recipients`. *accepted gets one entry per recipient: true for a 250
  // after DATA. Non-ok if any reply was not the expected one (the
  // connection is then unusable); *accepted is still filled for what was
  // answered.
  Status Deliver(const std::string& sender, const std::vector<std::string>& recipients,
                 const std::string& message, std::vector<bool>* accepted);
  void Quit();   // QUIT, then Close
  void Close();  // drops the connection

 private:
  Status ReadReply(int* code, std::string* text);  // a whole (multi-line) reply
  Status Expect(int want, const char* what);
  Status WriteAll(const std::string& data);

  int fd_ = -1;
  std::string in_;
};

}  // namespace slotmail::loadgen
