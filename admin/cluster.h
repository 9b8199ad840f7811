// mailctl and the cluster: which production.dat and machine-local file it
// reads, and which slot a command goes to.
//
// Defaults, so that `bin/mailctl status` works from the repo root after
// `make run`: --cluster, else var/production.dat (make run's working copy),
// else ./production.dat; --local, else var/local.conf, else
// /etc/slotmail/local.conf.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "admin/cli.h"
#include "slots/production.h"
#include "slots/slot_settings.h"

namespace slotmail::admin {

struct Cluster {
  std::string path;        // production.dat
  std::string local_path;  // the machine-local file
  slots::Production prod;
  slots::LocalSettings local;
};

// The production.dat path mailctl uses (see above).
std::string ClusterPath(const Invocation& inv);
// Loads and validates production.dat and the machine-local file.
Result<Cluster> LoadCluster(const Invocation& inv);

// True when the command names no single slot (--slot-dir/--config) and so
// works on the cluster.
bool ClusterMode(const Invocation& inv);

// Rewrites production.dat at `path` with `edit` applied to the text it
// holds now (re-read under a lock, so concurrent role changes of one
// mailctl, as in drain, do not undo each other); atomically. *serial: the
// file's new serial.
Status RewriteProduction(const std::string& path,
                         const std::function<Result<std::string>(const std::string&)>& edit,
                         uint64_t* serial);

}  // namespace slotmail::admin
