// Helpers shared by the network glue's files (net.cc, metrics_endpoint.cc);
// not for use outside common/.
#pragma once

#include <cstdint>

namespace slotmail::net::internal {

// The local port a bound socket `fd` has (IPv4 or IPv6); 0 if unknown.
uint16_t LocalPort(int fd);

}  // namespace slotmail::net::internal
