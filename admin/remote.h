// Store commands over the control channel: mailctl's side (RunRemote) and
// the slot's side (PrepareRemoteCommand, then Execute on the slot's store).
// The command line crosses as words, parsed on both sides by the one parser.
#pragma once

#include <string>
#include <vector>

#include "admin/cli.h"
#include "admin/commands.h"
#include "admin/control_client.h"

namespace slotmail::admin {

// Slot side: parses `args` as a store command for this slot. Refuses
// (InvalidArgument) usage errors, commands that are not store commands, and
// every option that names a slot or a file on the server (doc/control.md).
Result<Invocation> PrepareRemoteCommand(const std::vector<std::string>& args);

// mailctl side: runs the store command `inv` on the slot behind `client`:
// reads a password locally (--password-file or --password-stdin) and sends
// it as the command's input, then copies the slot's output to io and
// returns its exit code.
int RunRemote(ControlClient* client, const Invocation& inv, Io io);

}  // namespace slotmail::admin
