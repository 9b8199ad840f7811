// mailctl check | config | slot role: cluster commands that need no store.
#include <ostream>

#include "admin/cluster.h"
#include "admin/cluster_handlers.h"
#include "admin/control_client.h"
#include "admin/exit_code.h"
#include "common/limits.h"

namespace slotmail::admin {
namespace {

int Fail(Io io, const std::string& what, const Status& st, int code) {
  io.err << "mailctl: " << what << ": " << st.message() << '\n';
  return code;
}

}  // namespace

int ClusterCheck(const Invocation& inv, Io io) {
  const std::string path = inv.args.empty() ? ClusterPath(inv) : inv.args[0];
  std::vector<slots::Problem> problems;
  auto prod = slots::LoadProduction(path, &problems);
  if (!prod.ok()) return Fail(io, "check " + path, prod.status(), kExitFailure);
  slots::CheckProduction(*prod, &problems);
  for (const auto& p : problems) io.err << slots::FormatProblem(path, p) << '\n';
  if (!problems.empty()) return kExitInvalid;
  io.out << path << ": ok (" << prod->machines.size() << " machines, " << prod->slots.size()
         << " slots, " << prod->stores.size() << " stores, serial " << prod->serial << ")\n";
  return kExitOk;
}

int ClusterConfig(const Invocation& inv, Io io) {
  auto cluster = LoadCluster(inv);
  if (!cluster.ok()) return Fail(io, "read cluster", cluster.status(), kExitFailure);
  auto config = slots::DeriveSlotConfig(cluster->prod, inv.args[0], cluster->local);
  if (!config.ok()) return Fail(io, "config " + inv.args[0], config.status(), ExitCodeFor(config.status()));
  io.out << "# slot " << inv.args[0] << " as derived from " << cluster->path << " (serial "
         << cluster->prod.serial << ") and " << cluster->local_path << "\n"
         << slots::FormatConfig(*config);
  return kExitOk;
}

int SlotRole(const Invocation& inv, Io io) {
  auto cluster = LoadCluster(inv);
  if (!cluster.ok()) return Fail(io, "read cluster", cluster.status(), kExitFailure);
  const std::string& name = inv.args[0];
  const std::string what = "slot role " + name;
  const slots::SlotDef* slot = cluster->prod.FindSlot(name);
  if (slot == nullptr) return Fail(io, what, Status::NotFound("no such slot in " + cluster->path), kExitNotFound);
  json::Value req = json::Value::Object()
                        .Set("op", "role")
                        .Set("role", inv.args[1])
                        .Set("epoch", inv.Number("epoch", 0));
  // A replica's refusals point clients at the store's master.
  const slots::StoreDef* store = cluster->prod.StoreOfSlot(name);
  if (store != nullptr && inv.args[1] != "master") {
    auto config = slots::DeriveSlotConfig(cluster->prod, name, cluster->local);
    if (config.ok() && config->Get("master", "") != name) {
      req.Set("master", config->Get("master", ""))
          .Set("master_imap", config->Get("master_imap", ""))
          .Set("master_lmtp", config->Get("master_lmtp", ""));
    }
  }
  auto client = ConnectSlot(cluster->prod, cluster->local, *slot,
                                           limits::kControlConnectTimeout);
  if (!client.ok()) return Fail(io, what, client.status(), kExitFailure);
  auto answer = (*client)->Call(std::move(req), limits::kControlCommandTimeout);
  if (!answer.ok()) return Fail(io, what, answer.status(), ExitCodeFor(answer.status()));
  io.out << name << "\t" << *answer->GetString("role") << "\tepoch " << *answer->GetInt("epoch")
         << '\n';
  return kExitOk;
}

}  // namespace slotmail::admin
