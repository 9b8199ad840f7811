#include "admin/remote.h"

#include <ostream>

#include "admin/exit_code.h"
#include "admin/format.h"
#include "admin/password_input.h"
#include "common/limits.h"

namespace slotmail::admin {
namespace {

// Options a remote command may not carry: they name things on the server.
bool ServerSideOnly(const std::string& option) {
  const OptionSpec* spec = FindOption(option);
  return (spec != nullptr && spec->global) || option == "password-file";
}

}  // namespace

Result<Invocation> PrepareRemoteCommand(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--") break;  // the rest are words, whatever they look like
    if (a.rfind("--", 0) != 0) continue;
    const std::string name = a.substr(2, a.find('=') == std::string::npos ? std::string::npos
                                                                           : a.find('=') - 2);
    if (ServerSideOnly(name)) {
      return Status::InvalidArgument("admin: option --" + name + " is not allowed over the control channel");
    }
  }
  Invocation inv = ParseCommandLine(args);
  if (inv.kind != Invocation::Kind::kRun) {
    return Status::InvalidArgument("admin: " + (inv.error.empty() ? "not a command" : inv.error));
  }
  if (inv.command->handler == nullptr) {
    return Status::InvalidArgument("admin: '" + DescribeCommand(inv) + "' is not a store command");
  }
  RETURN_IF_ERROR(ParseValues(&inv));
  return inv;
}

int RunRemote(ControlClient* client, const Invocation& inv, Io io) {
  // Options first, then "--" and the words: a mailbox named "-x" stays a name.
  json::Value args = json::Value::Array();
  std::string input;
  for (const auto& [name, value] : inv.options) {
    if (name == "password-file" || name == "password-stdin") {
      auto pw = ReadPassword(inv.Option("password-file"), io.in);
      if (!pw.ok()) {
        io.err << "mailctl: " << DescribeCommand(inv) << ": " << pw.status().message() << '\n';
        return ExitCodeFor(pw.status());
      }
      input = *pw;
      args.Push("--password-stdin");
      continue;
    }
    if (ServerSideOnly(name)) continue;
    const OptionSpec* spec = FindOption(name);
    args.Push("--" + name + (spec->kind == OptionKind::kFlag ? "" : "=" + value));
  }
  args.Push("--");
  args.Push(inv.command->group);
  if (!inv.command->verb.empty()) args.Push(inv.command->verb);
  for (const auto& a : inv.args) args.Push(a);
  json::Value req = json::Value::Object().Set("op", "admin").Set("args", args);
  if (!input.empty()) req.Set("stdin", input);
  auto answer = client->Call(std::move(req), limits::kControlCommandTimeout);
  if (!answer.ok()) {
    io.err << "mailctl: " << DescribeCommand(inv) << ": " << answer.status().message() << '\n';
    return kExitFailure;
  }
  auto code = answer->GetInt("exit");
  auto out = answer->GetString("out");
  auto err = answer->GetString("err");
  if (!code.ok() || !out.ok() || !err.ok()) {
    io.err << "mailctl: " << DescribeCommand(inv) << ": malformed answer from the slot\n";
    return kExitFailure;
  }
  io.out << *out;
  io.err << *err;
  return static_cast<int>(*code);
}

}  // namespace slotmail::admin
