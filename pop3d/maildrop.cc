#include "pop3d/maildrop.h"

namespace slotmail::pop3d {

std::string Uidl(uint32_t uidvalidity, const MaildropMessage& m) {
  return std::to_string(uidvalidity) + "." + std::to_string(m.uid);
}

void AppendMultiline(std::string_view message, std::optional<uint64_t> body_lines,
                     std::string* out) {
  bool in_body = false;
  uint64_t sent_body = 0;
  size_t pos = 0;
  while (pos < message.size()) {
    if (in_body && body_lines && sent_body >= *body_lines) break;
    size_t lf = message.find('\n', pos);
    const size_t next = lf == std::string_view::npos ? message.size() : lf + 1;
    if (lf == std::string_view::npos) lf = message.size();
    size_t end = lf;
    if (end > pos && message[end - 1] == '\r') --end;
    const std::string_view line = message.substr(pos, end - pos);
    pos = next;
    if (line.starts_with('.')) out->push_back('.');
    out->append(line);
    out->append("\r\n");
    if (in_body) {
      ++sent_body;
    } else if (line.empty()) {
      in_body = true;  // the empty line ending the header is part of it
    }
  }
  out->append(".\r\n");
}

}  // namespace slotmail::pop3d
