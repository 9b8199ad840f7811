#include "imapd/login_checks.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/limits.h"

namespace slotmail::imapd {
namespace {

// Linux gives each thread its own nice value: raise this one's to
// kLoginThreadNice (never lower it; that needs privilege). Failure leaves
// the check at normal priority, which the thread count still bounds.
bool LowerThisThreadPriority() {
  const id_t tid = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, tid);
  if (errno == 0 && current < limits::kLoginThreadNice) {
    (void)::setpriority(PRIO_PROCESS, tid, limits::kLoginThreadNice);
  }
  return true;
}

}  // namespace

LoginChecks::LoginChecks(size_t threads) : pool_(threads) {}

LoginChecks::~LoginChecks() = default;

size_t LoginChecks::DefaultThreads(unsigned cpus) { return std::max(1u, cpus / 4); }

void LoginChecks::Submit(const std::string& key, std::function<bool()> wanted,
                         std::function<void()> check) {
  pool_.Submit(key, [this, wanted = std::move(wanted), check = std::move(check)] {
    static thread_local const bool lowered = LowerThisThreadPriority();
    (void)lowered;
    if (!wanted()) {
      skipped_.fetch_add(1);
      return;
    }
    check();
  });
}

}  // namespace slotmail::imapd
