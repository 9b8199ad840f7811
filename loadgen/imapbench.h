// imapbench: the IMAP load generator (doc/bench.md). tools/imapbench.cc is
// its main; everything else is here so the pieces stay testable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "loadgen/workload.h"

namespace slotmail::loadgen {

struct BenchOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 143;
  int users = 10;                  // bench1..benchN (see user_prefix)
  std::string user_prefix = "bench";
  std::string password = "benchpass";
  int clients = 10;
  double duration = 10;            // seconds
  uint64_t seed = 1;
  size_t corpus = 200;             // distinct corpus messages
  long preload = -1;               // >= 0: fill INBOXes to this many, no load run
  Weights weights;
};

// Parses argv (without the program name). On --help, prints usage and
// returns InvalidArgument("help").
Result<BenchOptions> ParseBenchOptions(const std::vector<std::string>& args);
const char* BenchUsage();

// Runs the preload or the load run; prints the report on stdout and errors
// on stderr. Returns the process exit code: 0, 1 with errors, 2 on failure.
int RunImapbench(const BenchOptions& options);

}  // namespace slotmail::loadgen
