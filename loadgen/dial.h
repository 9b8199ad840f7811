// Client side of a TCP connection for the load generators.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace slotmail::loadgen {

// A blocking connect to host:port (loopback benchmarks: it completes at
// once) with TCP_NODELAY set. The caller owns the returned descriptor.
Result<int> Dial(const std::string& host, uint16_t port);

}  // namespace slotmail::loadgen
