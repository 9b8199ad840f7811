// Whether a slot takes client logins and deliveries, and what clients hear
// when it does not (a replica or fenced slot points them at the master).
// The control service opens and closes it on role changes; the IMAP and
// LMTP servers consult it on every login, command and recipient.
// Thread-safe: read on the loop and on workers, written on the loop.
#pragma once

#include <mutex>
#include <string>

namespace slotmail {

class ServingGate {
 public:
  bool open() const {
    std::lock_guard<std::mutex> lock(mu_);
    return open_;
  }
  // The sentence for refused clients ("" while open).
  std::string refusal() const {
    std::lock_guard<std::mutex> lock(mu_);
    return refusal_;
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    refusal_.clear();
  }
  // REQUIRES: refusal is one line of printable text.
  void Close(std::string refusal) {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = false;
    refusal_ = std::move(refusal);
  }

 private:
  mutable std::mutex mu_;
  bool open_ = true;
  std::string refusal_;
};

}  // namespace slotmail
