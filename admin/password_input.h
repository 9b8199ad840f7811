// Reading a new password for `user add` and `user passwd`: from a file or
// standard input, never from argv (where ps would show it).
#pragma once

#include <iosfwd>
#include <string>

#include "common/status.h"

namespace slotmail::admin {

// Reads the password from `in` up to its end and strips one trailing newline
// ("\n" or "\r\n"). InvalidArgument if it is empty, TooBig if it is longer
// than limits::kMaxPasswordBytes (reading stops there), IOError if reading
// fails. `source` names the input in messages.
Result<std::string> ReadPasswordFrom(std::istream& in, const std::string& source);

// The password named by --password-file FILE or --password-stdin (stdin is
// `in`). REQUIRES: exactly one of the two was given.
Result<std::string> ReadPassword(const std::string& password_file, std::istream& in);

}  // namespace slotmail::admin
