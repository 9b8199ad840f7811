// Whether a slot takes client logins and deliveries, and what clients hear
// when it does not (a replica or fenced slot points them at the master).
// The control service opens and closes it on role changes; the IMAP and
// LMTP servers consult it on every login, command and recipient, and hold
// a pass for each piece of client work they start, so closing the gate can
// wait for the work it let in (a planned failover must not compare the two
// slots while a write admitted before the freeze is still running).
// Thread-safe: read on the loop and on workers, written on the loop.
#pragma once

#include <atomic>
#include <memory>
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

  // Counts one piece of client work (a logged-in session's store job, a
  // delivery) until the pass is destroyed. Taken whether or not the gate
  // is open: what matters is that it was let in. REQUIRES: the gate
  // outlives every pass.
  std::shared_ptr<void> Pass() const {
    in_flight_.fetch_add(1);
    return std::shared_ptr<void>(nullptr, [this](void*) { in_flight_.fetch_sub(1); });
  }
  // Passes alive now.
  size_t in_flight() const { return in_flight_.load(); }

 private:
  mutable std::atomic<size_t> in_flight_{0};
  mutable std::mutex mu_;
  bool open_ = true;
  std::string refusal_;
};

}  // namespace slotmail
