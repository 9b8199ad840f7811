// The LMTP (RFC 2033) conversation of one connection, with no I/O: it is
// fed bytes, writes replies into an output buffer, and asks its owner to do
// the two things that need the store: check that a recipient exists, and
// deliver a finished message to the accepted recipients. While such a
// request is outstanding it reads no further input (pipelined commands wait
// in its buffer), so replies always come out in command order. Consecutive
// pipelined RCPT commands already in the buffer are checked as one request
// (one worker-pool round trip per transaction instead of one per RCPT).
//
// Extensions: PIPELINING, ENHANCEDSTATUSCODES, 8BITMIME, SIZE.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/limits.h"

namespace slotmail::lmtpd {

// A parsed RCPT TO address: user (lowercased local part without +folder)
// and the folder after '+' (may be empty). The domain is ignored.
struct Recipient {
  std::string address;  // as given, without <>
  std::string user;
  std::string folder;
};

// Splits "local+folder@domain" into a Recipient; false if the address is
// unusable (empty local part).
bool ParseRecipient(std::string_view address, Recipient* out);

struct ProtocolOptions {
  std::string hostname = "localhost";
  uint64_t max_message_bytes = limits::kDefaultMaxMessageBytes;
  size_t max_recipients = limits::kMaxLmtpRecipients;
  size_t max_command_line = limits::kMaxLmtpCommandLineBytes;
  size_t max_data_line = limits::kMaxLmtpDataLineBytes;
  // Over quota: false, "452 4.2.2" (the MTA retries); true, "552 5.2.2"
  // (the MTA bounces at once). RFC 3463 3.3 allows either.
  bool over_quota_permanent = false;
};

// The outcome of delivering to one recipient.
enum class Outcome { kDelivered, kUnknownUser, kOverQuota, kTooBig, kFailed };

class Protocol {
 public:
  enum class Event {
    kNeedMore,        // feed more input
    kCheckRecipient,  // call RecipientsChecked(exists) for pending_recipients()
    kDeliver,         // deliver message() to recipients(); then Delivered()
    kClose,           // send the output, then close (QUIT, or too many errors)
  };

  explicit Protocol(ProtocolOptions options);

  // The 220 greeting, once, at connection start.
  void Greet();
  // Appends input bytes to the internal buffer.
  void Feed(std::string_view bytes) { in_.append(bytes.data(), bytes.size()); }
  // Processes buffered input until it needs more, or a request is made.
  // REQUIRES: no request outstanding.
  Event Next();
  // Moves the replies produced so far to *out.
  void TakeOutput(std::string* out);
  bool HasOutput() const { return !out_.empty(); }
  // Moves the error replies given since the last call (the client broke
  // the protocol: 5xx to a command) to *out, for the log.
  void TakeErrors(std::vector<std::string>* out);
  // The client made more errors than limits::kMaxLmtpErrors (kClose follows).
  bool too_many_errors() const { return errors_ > limits::kMaxLmtpErrors; }
  size_t BufferedInput() const { return in_.size() - in_pos_; }
  // Bytes of complete lines consumed so far: rises only when the client
  // finishes a line, so it measures progress that trickled bytes do not.
  uint64_t consumed() const { return consumed_ + in_pos_; }

  // ---- answers to requests
  // One or more RCPTs, in command order, awaiting a check.
  const std::vector<Recipient>& pending_recipients() const { return pending_; }
  // REQUIRES: exists.size() == pending_recipients().size(), in that order.
  void RecipientsChecked(const std::vector<bool>& exists);
  // Refuses every pending recipient with `reply` (a whole reply line such as
  // "451 4.3.0 Not the master"), without looking them up.
  void RecipientsRefused(std::string_view reply);
  const std::string& sender() const { return sender_; }
  const std::string& helo() const { return helo_; }
  // The message as received: dot-unstuffed, every line ending in CRLF.
  const std::string& message() const { return data_; }
  const std::vector<Recipient>& recipients() const { return rcpts_; }
  // Instead of Delivered: every recipient gets `reply`; nothing was stored.
  void DeliveryRefused(std::string_view reply);
  // REQUIRES: outcomes.size() == recipients().size(), in the same order.
  void Delivered(const std::vector<Outcome>& outcomes);

 private:
  enum class State { kCommand, kData, kWaiting };
  // The next complete line at in_pos_ (without its line end) and the offset
  // after it; false if no line is complete. A bare LF ends a line too (*crlf
  // tells which), but only CRLF lines can end DATA. The view lives until in_
  // changes.
  bool PeekLine(std::string_view* line, size_t* next, bool* crlf) const;
  // Consumes the next line, or drops an incomplete one longer than `max`.
  bool NextLine(size_t max, std::string_view* line, bool* too_long, bool* crlf);
  Event NextEvent();
  Event Command(std::string_view line);
  Event DataLine(std::string_view line, bool crlf);
  Event Mail(std::string_view args);
  Event Rcpt(std::string_view args);
  std::string_view RcptError(std::string_view args, Recipient* out) const;
  bool TakePipelinedRcpt();
  Event Error(std::string_view reply);
  void Reply(std::string_view text);
  void ResetTransaction();

  ProtocolOptions opt_;
  State state_ = State::kCommand;
  std::string in_;
  size_t in_pos_ = 0;  // in_ before this is consumed (erased when Next returns)
  uint64_t consumed_ = 0;  // bytes erased from in_ after being consumed
  std::string out_;
  bool discarding_line_ = false;  // skipping the rest of an over-long line
  int errors_ = 0;
  std::vector<std::string> error_replies_;  // not yet taken by TakeErrors
  std::string helo_;
  bool have_mail_ = false;
  std::string sender_;
  std::vector<Recipient> rcpts_;
  std::vector<Recipient> pending_;
  std::string data_;
  bool data_too_big_ = false;
  // The previous line ended in CRLF (the DATA command counts): a "." line is
  // the end of the data only after one, i.e. only <CRLF>.<CRLF> ends it.
  bool data_after_crlf_ = false;
};

}  // namespace slotmail::lmtpd
