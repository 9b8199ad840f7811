// mailctl status: every slot of production.dat asked over its control
// channel at once, shown beside what production.dat says.
#include <cstdio>
#include <ostream>
#include <thread>

#include "admin/cluster.h"
#include "admin/cluster_handlers.h"
#include "admin/control_client.h"
#include "admin/exit_code.h"
#include "common/limits.h"

namespace slotmail::admin {
namespace {

struct SlotReport {
  const slots::SlotDef* slot;
  std::string expected_role;  // from production.dat
  std::string store;          // from production.dat
  Result<json::Value> status = Status::IOError("not asked");
};

std::string ExpectedRole(const slots::Production& prod, const slots::SlotDef& s,
                         std::string* store) {
  const slots::StoreDef* st = prod.StoreOfSlot(s.Name());
  if (st == nullptr) return "spare";
  *store = st->name;
  return st->masters.front() == s.Name() ? "master" : "replica";
}

// Asks every slot in parallel; each answer (or failure) comes within the
// connect timeout plus the call timeout.
std::vector<SlotReport> AskAll(const Cluster& c) {
  std::vector<SlotReport> reports;
  for (const auto& s : c.prod.slots) {
    SlotReport r{&s, "", ""};
    r.expected_role = ExpectedRole(c.prod, s, &r.store);
    reports.push_back(std::move(r));
  }
  std::vector<std::thread> threads;
  for (auto& r : reports) {
    threads.emplace_back([&c, &r] {
      auto client = ConnectSlot(c.prod, c.local, *r.slot,
                                               limits::kControlConnectTimeout);
      if (!client.ok()) {
        r.status = client.status();
        return;
      }
      r.status = (*client)->Call(json::Value::Object().Set("op", "status"),
                                 limits::kControlConnectTimeout);
    });
  }
  for (auto& t : threads) t.join();
  return reports;
}

std::string Str(const json::Value& v, const char* key) {
  auto s = v.GetString(key);
  return s.ok() ? *s : "";
}
int64_t Int(const json::Value& v, const char* key) {
  auto i = v.GetInt(key);
  return i.ok() ? *i : 0;
}

std::string HumanBytes(uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

int Percent(uint64_t used, uint64_t size) {
  return size == 0 ? 0 : static_cast<int>(used * 100 / size);
}

// A slot fuller than this is a problem: fixed-size slots are rebalanced by
// moving a store before they fill (doc/mailctl.md).
constexpr int kSlotFullPercent = 80;

// The problems that make the exit code kExitUnhealthy, one sentence each.
std::vector<std::string> Problems(const Cluster& c, const std::vector<SlotReport>& reports) {
  std::vector<std::string> out;
  for (const auto& r : reports) {
    const std::string name = r.slot->Name();
    if (!r.status.ok()) {
      out.push_back("slot " + name + " is down: " + r.status.status().message());
      continue;
    }
    const std::string role = Str(*r.status, "role");
    if (role != r.expected_role) {
      out.push_back("slot " + name + " reports role " + role + "; " + c.path + " says " +
                    r.expected_role);
    }
    const slots::StoreDef* st = c.prod.FindStore(r.store);
    if (st != nullptr && static_cast<uint64_t>(Int(*r.status, "epoch")) != st->epoch) {
      out.push_back("slot " + name + " has seen epoch " + std::to_string(Int(*r.status, "epoch")) +
                    " of store " + r.store + "; " + c.path + " says " + std::to_string(st->epoch));
    }
    if (const json::Value* d = r.status->Find("sync_degraded"); d && d->is_bool() && d->AsBool()) {
      out.push_back("store " + r.store + " is in sync mode but degraded to async on " + name +
                    ": a replica is unreachable");
    }
    if (const json::Value* f = r.status->Find("failing_users"); f != nullptr && f->is_object()) {
      for (const auto& [user, why] : f->Members()) {
        out.push_back("store " + r.store + ": user " + user + " is not replicated: " +
                      (why.is_string() ? why.AsString() : std::string("?")));
      }
    }
    if (const int full = Percent(static_cast<uint64_t>(Int(*r.status, "bytes")), r.slot->size);
        full > kSlotFullPercent) {
      out.push_back("slot " + name + " is " + std::to_string(full) + "% full (over " +
                    std::to_string(kSlotFullPercent) + "% of its size " +
                    slots::FormatSize(r.slot->size) + "): move a store off it");
    }
    if (Str(*r.status, "store") != r.store) {
      out.push_back("slot " + name + " reports store '" + Str(*r.status, "store") + "'; " +
                    c.path + " says '" + r.store + "'");
    }
  }
  for (const auto& st : c.prod.stores) {
    bool live = false;
    for (const auto& r : reports) {
      if (r.store == st.name && r.status.ok() && Str(*r.status, "role") == "master" &&
          r.status->Find("serving") && r.status->Find("serving")->is_bool() &&
          r.status->Find("serving")->AsBool()) {
        live = true;
      }
    }
    if (!live) out.push_back("store " + st.name + " has no live master");
  }
  return out;
}

json::Value Json(const Cluster& c, const std::vector<SlotReport>& reports,
                 const std::vector<std::string>& problems) {
  json::Value stores = json::Value::Array();
  for (const auto& st : c.prod.stores) {
    json::Value replicas = json::Value::Array();
    for (const auto& r : st.replicas) replicas.Push(r);
    stores.Push(json::Value::Object()
                    .Set("name", st.name)
                    .Set("epoch", st.epoch)
                    .Set("mode", st.sync_mode ? "sync" : "async")
                    .Set("master", st.masters.front())
                    .Set("replicas", replicas));
  }
  json::Value slots = json::Value::Array();
  for (const auto& r : reports) {
    // What the slot says (every field of its status answer), then what
    // production.dat says, which names the row.
    json::Value s = json::Value::Object();
    if (r.status.ok()) {
      for (const auto& [k, v] : r.status->Members()) {
        if (k != "id" && k != "ok") s.Set(k, v);
      }
    }
    s.Set("slot", r.slot->Name())
        .Set("machine", r.slot->machine)
        .Set("store", r.store)
        .Set("expected_role", r.expected_role)
        .Set("size", r.slot->size)
        .Set("up", r.status.ok());
    if (r.status.ok()) {
      const json::Value& v = *r.status;
      s.Set("percent_full", Percent(static_cast<uint64_t>(Int(v, "bytes")), r.slot->size));
    } else {
      for (const char* k : {"role", "epoch", "imap", "lmtp", "users", "messages", "bytes",
                            "lag_seconds", "pending_users"}) {
        s.Set(k, nullptr);
      }
      s.Set("error", r.status.status().message());
    }
    slots.Push(s);
  }
  json::Value list = json::Value::Array();
  for (const auto& p : problems) list.Push(p);
  return json::Value::Object()
      .Set("cluster", c.path)
      .Set("serial", c.prod.serial)
      .Set("ok", problems.empty())
      .Set("problems", list)
      .Set("stores", stores)
      .Set("slots", slots);
}

void Text(const Cluster& c, const std::vector<SlotReport>& reports,
          const std::vector<std::string>& problems, std::ostream& out) {
  char line[256];
  out << "cluster " << c.path << " serial " << c.prod.serial << ": " << c.prod.machines.size()
      << " machines, " << c.prod.slots.size() << " slots, " << c.prod.stores.size()
      << " stores\n\n";
  std::snprintf(line, sizeof line, "%-10s %-6s %-6s %-8s %s\n", "STORE", "EPOCH", "MODE",
                "MASTER", "REPLICAS");
  out << line;
  for (const auto& st : c.prod.stores) {
    std::string replicas;
    for (const auto& r : st.replicas) replicas += (replicas.empty() ? "" : ",") + r;
    std::snprintf(line, sizeof line, "%-10s %-6llu %-6s %-8s %s\n", st.name.c_str(),
                  static_cast<unsigned long long>(st.epoch), st.sync_mode ? "sync" : "async",
                  st.masters.front().c_str(), replicas.c_str());
    out << line;
  }
  out << '\n';
  std::snprintf(line, sizeof line, "%-7s %-8s %-6s %-8s %-8s %-5s %-5s %-6s %-8s %-10s %-10s %-5s %-5s %s\n",
                "SLOT", "MACHINE", "STORE", "ROLE", "REPORTS", "EPOCH", "UP", "USERS", "MESSAGES",
                "USED", "SIZE", "FULL", "CONNS", "LAG");
  out << line;
  for (const auto& r : reports) {
    const bool up = r.status.ok();
    const json::Value none;
    const json::Value& v = up ? *r.status : none;
    int64_t conns = 0;
    if (const json::Value* cs = v.Find("connections")) conns = Int(*cs, "imap") + Int(*cs, "lmtp");
    const uint64_t bytes = static_cast<uint64_t>(Int(v, "bytes"));
    // A master's replication: "0.2s/1" = lag and users pending.
    std::string lag = "-";
    if (const json::Value* l = v.Find("lag_seconds"); l != nullptr && l->is_number()) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "%.1fs/%lld", l->AsDouble(),
                    static_cast<long long>(Int(v, "pending_users")));
      lag = buf;
    }
    std::snprintf(line, sizeof line,
                  "%-7s %-8s %-6s %-8s %-8s %-5s %-5s %-6s %-8s %-10s %-10s %-5s %-5s %s\n",
                  r.slot->Name().c_str(), r.slot->machine.c_str(),
                  r.store.empty() ? "-" : r.store.c_str(), r.expected_role.c_str(),
                  up ? Str(v, "role").c_str() : "-",
                  up ? std::to_string(Int(v, "epoch")).c_str() : "-", up ? "up" : "DOWN",
                  up ? std::to_string(Int(v, "users")).c_str() : "-",
                  up ? std::to_string(Int(v, "messages")).c_str() : "-",
                  up ? HumanBytes(bytes).c_str() : "-", HumanBytes(r.slot->size).c_str(),
                  up ? (std::to_string(Percent(bytes, r.slot->size)) + "%").c_str() : "-",
                  up ? std::to_string(conns).c_str() : "-", lag.c_str());
    out << line;
  }
  out << '\n';
  // Full passes (initial sync, or catch-up after an outage) in progress.
  for (const auto& r : reports) {
    if (!r.status.ok()) continue;
    const json::Value* passes = r.status->Find("full_sync");
    if (passes == nullptr || !passes->is_array()) continue;
    for (const auto& p : passes->Items()) {
      out << "sync " << r.slot->Name() << " -> " << Str(p, "replica") << ": "
          << Int(p, "users_done") << "/" << Int(p, "users_total") << " users compared, "
          << HumanBytes(static_cast<uint64_t>(Int(p, "bytes_done"))) << " shipped\n";
    }
  }
  if (problems.empty()) {
    out << "ok: every slot is up, every store has its master, roles agree with " << c.path
        << '\n';
  }
  for (const auto& p : problems) out << "problem: " << p << '\n';
}

}  // namespace

int ClusterStatus(const Invocation& inv, Io io) {
  auto cluster = LoadCluster(inv);
  if (!cluster.ok()) {
    io.err << "mailctl: read cluster: " << cluster.status().message() << '\n';
    return kExitFailure;
  }
  std::vector<SlotReport> reports = AskAll(*cluster);
  std::vector<std::string> problems = Problems(*cluster, reports);
  if (inv.Has("json")) {
    io.out << json::Pretty(Json(*cluster, reports, problems)) << '\n';
  } else {
    Text(*cluster, reports, problems, io.out);
  }
  return problems.empty() ? kExitOk : kExitUnhealthy;
}

}  // namespace slotmail::admin
