#include <cstdlib>

#include "loadgen/imapbench.h"

namespace slotmail::loadgen {

const char* BenchUsage() {
  return "usage: imapbench [options]\n"
         "IMAP load generator: N clients, each logged in as one of U users, loop over\n"
         "weighted operations for --duration seconds, checking every answer; prints\n"
         "ops/s and p50/p99 latency per operation. With --preload M it only fills\n"
         "each user's INBOX to M messages over APPEND (same content for any server).\n"
         "  --host H          server address                      [127.0.0.1]\n"
         "  --port P          IMAP port (plain; LOGIN must be allowed) [143]\n"
         "  --users U         users PREFIX1..PREFIXU               [10]\n"
         "  --user-prefix S   user name prefix                     [bench]\n"
         "  --password S      every user's password                [benchpass]\n"
         "  --clients N       concurrent clients; client i is user i mod U [10]\n"
         "  --duration S      seconds of load                      [10]\n"
         "  --seed N          corpus and operation seed            [1]\n"
         "  --corpus N        distinct corpus messages             [200]\n"
         "  --preload M       fill INBOXes to M messages, then exit\n"
         "  --weights SPEC    e.g. list=5,status=5,select=10,fetch=20,body=20,\n"
         "                    store=15,expunge=5,append=5,logout=5 (the default)\n";
}

Result<BenchOptions> ParseBenchOptions(const std::vector<std::string>& args) {
  BenchOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") return Status::InvalidArgument("help");
    if (i + 1 >= args.size()) return Status::InvalidArgument(a + " needs a value");
    const std::string& v = args[++i];
    char* end = nullptr;
    double num = strtod(v.c_str(), &end);
    bool numeric = end != v.c_str() && *end == '\0' && num >= 0;
    auto need_num = [&]() -> Status {
      return numeric ? Status::Ok() : Status::InvalidArgument(a + ": not a number: " + v);
    };
    if (a == "--host") {
      o.host = v;
    } else if (a == "--user-prefix") {
      o.user_prefix = v;
    } else if (a == "--password") {
      o.password = v;
    } else if (a == "--weights") {
      RETURN_IF_ERROR(o.weights.Parse(v));
    } else {
      RETURN_IF_ERROR(need_num());
      if (a == "--port" && num >= 1 && num <= 65535) o.port = uint16_t(num);
      else if (a == "--users" && num >= 1) o.users = int(num);
      else if (a == "--clients" && num >= 1) o.clients = int(num);
      else if (a == "--duration" && num > 0) o.duration = num;
      else if (a == "--seed") o.seed = uint64_t(num);
      else if (a == "--corpus" && num >= 1) o.corpus = size_t(num);
      else if (a == "--preload") o.preload = long(num);
      else return Status::InvalidArgument("unknown option or bad value: " + a + " " + v);
    }
  }
  return o;
}

}  // namespace slotmail::loadgen
