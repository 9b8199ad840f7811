// imapbench: IMAP load generator and checker (doc/bench.md). The logic
// lives in loadgen/.
#include <cstdio>
#include <string>
#include <vector>

#include "loadgen/imapbench.h"

int main(int argc, char** argv) {
  using namespace slotmail::loadgen;
  slotmail::Result<BenchOptions> options = ParseBenchOptions({argv + 1, argv + argc});
  if (!options.ok()) {
    bool help = options.status().message() == "help";
    if (!help) fprintf(stderr, "imapbench: %s\n", options.status().message().c_str());
    fputs(BenchUsage(), help ? stdout : stderr);
    return help ? 0 : 2;
  }
  return RunImapbench(*options);
}
