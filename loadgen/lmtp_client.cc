#include "loadgen/lmtp_client.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "loadgen/dial.h"

namespace slotmail::loadgen {

void LmtpClient::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  in_.clear();
}

Status LmtpClient::Open(const std::string& host, uint16_t port) {
  Close();
  ASSIGN_OR_RETURN(fd_, Dial(host, port));
  RETURN_IF_ERROR(Expect(220, "greeting"));
  RETURN_IF_ERROR(WriteAll("LHLO lmtp-bench.example.com\r\n"));
  return Expect(250, "LHLO");
}

Status LmtpClient::WriteAll(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IOError(std::string("send: ") + strerror(errno));
    done += size_t(n);
  }
  return Status::Ok();
}

Status LmtpClient::ReadReply(int* code, std::string* text) {
  text->clear();
  while (true) {
    size_t eol;
    while ((eol = in_.find("\r\n")) == std::string::npos) {
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::IOError("connection closed while reading a reply");
      in_.append(buf, size_t(n));
    }
    std::string line = in_.substr(0, eol);
    in_.erase(0, eol + 2);
    *text += line;
    if (line.size() < 3) return Status::Protocol("short reply line: " + line);
    if (line.size() == 3 || line[3] == ' ') {
      *code = atoi(line.substr(0, 3).c_str());
      return Status::Ok();
    }
    *text += "\n";
  }
}

Status LmtpClient::Expect(int want, const char* what) {
  int code = 0;
  std::string text;
  RETURN_IF_ERROR(ReadReply(&code, &text));
  if (code != want) {
    return Status::Protocol(std::string(what) + ": expected " + std::to_string(want) + ", got " +
                            text);
  }
  return Status::Ok();
}

Status LmtpClient::Deliver(const std::string& sender, const std::vector<std::string>& recipients,
                           const std::string& message, std::vector<bool>* accepted) {
  accepted->assign(recipients.size(), false);
  std::string head = "MAIL FROM:<" + sender + ">\r\n";
  for (const std::string& r : recipients) head += "RCPT TO:<" + r + ">\r\n";
  head += "DATA\r\n";
  RETURN_IF_ERROR(WriteAll(head));
  RETURN_IF_ERROR(Expect(250, "MAIL FROM"));
  for (size_t i = 0; i < recipients.size(); ++i) RETURN_IF_ERROR(Expect(250, "RCPT TO"));
  RETURN_IF_ERROR(Expect(354, "DATA"));
  RETURN_IF_ERROR(WriteAll(message));
  RETURN_IF_ERROR(WriteAll(".\r\n"));
  Status first = Status::Ok();
  for (size_t i = 0; i < recipients.size(); ++i) {
    int code = 0;
    std::string text;
    RETURN_IF_ERROR(ReadReply(&code, &text));
    (*accepted)[i] = code == 250;
    if (code != 250 && first.ok()) {
      first = Status::Protocol("after DATA for " + recipients[i] + ": " + text);
    }
  }
  return first;
}

void LmtpClient::Quit() {
  if (fd_ < 0) return;
  if (WriteAll("QUIT\r\n").ok()) (void)Expect(221, "QUIT");
  Close();
}

}  // namespace slotmail::loadgen
