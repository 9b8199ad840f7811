// mailctl drain MACHINE: a planned failover (failover.cc) of every store
// whose master is on MACHINE, to a replica on another machine, several at
// once (doc/mailctl.md).
#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "admin/cluster.h"
#include "admin/cluster_handlers.h"
#include "admin/exit_code.h"
#include "common/json.h"

namespace slotmail::admin {
namespace {

// Failovers running at once unless --parallel says.
constexpr uint64_t kDrainParallel = 4;

struct Move {
  std::string store, to;
  int code = kExitFailure;
  std::string out, err;
};

}  // namespace

int ClusterDrain(const Invocation& inv, Io io) {
  const std::string& machine = inv.args[0];
  auto cluster = LoadCluster(inv);
  if (!cluster.ok()) {
    io.err << "mailctl: drain " << machine << ": " << cluster.status().message() << '\n';
    return kExitFailure;
  }
  const slots::Production& p = cluster->prod;
  if (p.FindMachine(machine) == nullptr) {
    io.err << "mailctl: drain " << machine << ": no such machine in " << cluster->path << '\n';
    return kExitNotFound;
  }
  auto machine_of = [&](const std::string& slot) { return slot.substr(0, slot.find(':')); };
  // Masters per machine, so that the new ones spread: each store goes to
  // its replica on the machine with the fewest masters so far.
  std::map<std::string, int> masters;
  for (const auto& s : p.stores) ++masters[machine_of(s.masters[0])];
  std::vector<Move> moves;
  for (const auto& s : p.stores) {
    if (machine_of(s.masters[0]) != machine) continue;
    std::string best;
    for (const auto& r : s.replicas) {
      if (machine_of(r) == machine) continue;
      if (best.empty() || masters[machine_of(r)] < masters[machine_of(best)]) best = r;
    }
    if (best.empty()) {
      io.err << "mailctl: drain " << machine << ": refused: store " << s.name
             << " has no replica on another machine\n";
      return kExitUnhealthy;
    }
    ++masters[machine_of(best)];
    Move m;
    m.store = s.name;
    m.to = best;
    moves.push_back(m);
  }
  const bool json = inv.Has("json");
  const uint64_t parallel = std::max<uint64_t>(1, inv.Number("parallel", kDrainParallel));
  if (!json) {
    io.out << "drain " << machine << ": " << moves.size() << " master"
           << (moves.size() == 1 ? "" : "s") << " to move, " << parallel << " at a time\n"
           << std::flush;
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::mutex mu;  // guards io and `next`
  size_t next = 0;
  auto worker = [&] {
    for (;;) {
      Move* m;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (next == moves.size()) return;
        m = &moves[next++];
      }
      Invocation one = inv;
      one.args = {m->store};
      one.options.erase("parallel");
      one.options["to"] = m->to;
      std::istringstream in;
      std::ostringstream out, err;
      m->code = ClusterFailover(one, Io{in, out, err});
      m->out = out.str();
      m->err = err.str();
      std::lock_guard<std::mutex> lock(mu);
      if (!json) {
        io.out << "-- " << m->store << " -> " << m->to << ": "
               << (m->code == kExitOk ? "done" : "FAILED (exit " + std::to_string(m->code) + ")")
               << '\n' << m->out << m->err << std::flush;
      }
    }
  };
  std::vector<std::thread> threads;
  for (uint64_t i = 0; i < parallel && i < moves.size(); ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int code = kExitOk;
  for (const auto& m : moves) {
    if (m.code != kExitOk && code == kExitOk) code = m.code;
  }
  if (json) {
    json::Value list = json::Value::Array();
    for (const auto& m : moves) {
      json::Value item = json::Value::Object()
                             .Set("store", m.store)
                             .Set("to", m.to)
                             .Set("exit", m.code)
                             .Set("error", m.err);
      if (auto parsed = json::Parse(m.out, {}); parsed.ok()) item.Set("failover", *parsed);
      list.Push(item);
    }
    io.out << json::Serialize(json::Value::Object()
                                  .Set("machine", machine)
                                  .Set("stores", list)
                                  .Set("seconds", seconds)
                                  .Set("ok", code == kExitOk))
           << '\n';
  } else {
    io.out << "drain " << machine << ": " << (code == kExitOk ? "done" : "NOT complete") << " in "
           << seconds << " s\n";
  }
  return code;
}

}  // namespace slotmail::admin
