// Netstrings (D. J. Bernstein, "LEN:BYTES,"), the framing of Postfix's
// socketmap protocol (socketmap_table(5)). The decoder is incremental and
// does no I/O: it is handed bytes and answers "need more", "a frame" or
// "error", so it is tested by feeding one byte at a time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace slotmail::dirsvc {

// Postfix's socketmap client refuses replies over 100000 bytes; requests are
// "NAME KEY" with KEY an address (at most a few hundred bytes). Anything
// longer is no socketmap client: the connection is closed.
inline constexpr size_t kMaxNetstringBytes = 100000;
// A length of more digits than this cannot be at most kMaxNetstringBytes.
inline constexpr size_t kMaxNetstringDigits = 6;

// "5:hello,"
std::string EncodeNetstring(std::string_view payload);

class NetstringDecoder {
 public:
  enum class Event { kNeedMore, kFrame, kError };
  explicit NetstringDecoder(size_t max_bytes = kMaxNetstringBytes) : max_(max_bytes) {}

  // Appends `bytes` to the input.
  void Feed(std::string_view bytes) { in_.append(bytes); }
  // The next event: kFrame puts the payload in *frame; kError puts the
  // reason in *error and is final (the stream cannot be resynchronised).
  Event Next(std::string* frame, std::string* error);

 private:
  size_t max_;
  std::string in_;
  bool failed_ = false;
  std::string why_;
};

}  // namespace slotmail::dirsvc
