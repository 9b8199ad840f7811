#include "admin/password_input.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>

#include "common/limits.h"

namespace slotmail::admin {

Result<std::string> ReadPasswordFrom(std::istream& in, const std::string& source) {
  // Room for the longest password and its "\r\n"; one more byte shows it is too long.
  const size_t cap = limits::kMaxPasswordBytes + 3;
  std::string pw(cap, '\0');
  in.read(pw.data(), static_cast<std::streamsize>(cap));
  if (in.bad()) return Status::IOError(source + ": read failed");
  pw.resize(static_cast<size_t>(in.gcount()));
  if (!pw.empty() && pw.back() == '\n') {
    pw.pop_back();
    if (!pw.empty() && pw.back() == '\r') pw.pop_back();
  }
  if (pw.size() > limits::kMaxPasswordBytes) {
    return Status::TooBig(source + ": password longer than " +
                          std::to_string(limits::kMaxPasswordBytes) + " bytes");
  }
  if (pw.empty()) return Status::InvalidArgument(source + ": empty password");
  return pw;
}

Result<std::string> ReadPassword(const std::string& password_file, std::istream& in) {
  if (password_file.empty()) return ReadPasswordFrom(in, "standard input");
  std::ifstream file(password_file, std::ios::binary);
  if (!file) {
    return Status::InvalidArgument("--password-file " + password_file + ": " +
                                   std::strerror(errno));
  }
  return ReadPasswordFrom(file, password_file);
}

}  // namespace slotmail::admin
