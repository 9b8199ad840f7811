// Running one slot: everything slotd does between reading its configuration
// and exiting. tools/slotd.cc only finds the configuration.
#pragma once

#include "common/config.h"
#include "common/status.h"

namespace slotmail::slotd {

// Locks the slot directory, settles the starting role against the one the
// slot recorded (the fence), starts IMAP, LMTP and the control channel,
// prints the banner ("slot ...", "role ...", one line per listener, then
// "ready") and serves until SIGTERM/SIGINT. Returns the reason it could not
// start, or Ok after a clean stop.
Status RunSlot(const ConfigFile& file);

}  // namespace slotmail::slotd
