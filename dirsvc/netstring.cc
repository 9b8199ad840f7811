#include "dirsvc/netstring.h"

namespace slotmail::dirsvc {

std::string EncodeNetstring(std::string_view payload) {
  std::string out = std::to_string(payload.size());
  out += ':';
  out.append(payload);
  out += ',';
  return out;
}

NetstringDecoder::Event NetstringDecoder::Next(std::string* frame, std::string* error) {
  if (failed_) {
    *error = why_;
    return Event::kError;
  }
  auto fail = [&](std::string why) {
    failed_ = true;
    why_ = std::move(why);
    *error = why_;
    in_.clear();
    return Event::kError;
  };
  size_t colon = in_.find(':');
  size_t digits = colon == std::string::npos ? in_.size() : colon;
  for (size_t i = 0; i < digits; ++i) {
    if (in_[i] < '0' || in_[i] > '9') return fail("netstring: length is not a number");
  }
  if (digits > kMaxNetstringDigits) return fail("netstring: length too long");
  if (colon == std::string::npos) return Event::kNeedMore;
  if (digits == 0) return fail("netstring: empty length");
  if (digits > 1 && in_[0] == '0') return fail("netstring: length with a leading zero");
  size_t len = std::stoul(in_.substr(0, digits));
  if (len > max_) return fail("netstring: " + std::to_string(len) + " bytes is over the limit");
  if (in_.size() < colon + 1 + len + 1) return Event::kNeedMore;
  if (in_[colon + 1 + len] != ',') return fail("netstring: missing ','");
  frame->assign(in_, colon + 1, len);
  in_.erase(0, colon + 1 + len + 1);
  return Event::kFrame;
}

}  // namespace slotmail::dirsvc
