#include "admin/control_client.h"

#include "common/fs.h"
#include "common/limits.h"
#include "slots/control_server.h"

namespace slotmail::admin {
namespace {

Code CodeFromName(const std::string& name) {
  for (int c = static_cast<int>(Code::kNotFound); c <= static_cast<int>(Code::kTooBig); ++c) {
    if (name == CodeName(static_cast<Code>(c))) return static_cast<Code>(c);
  }
  return Code::kProtocol;
}

}  // namespace

Result<std::unique_ptr<ControlClient>> ControlClient::ConnectSlot(
    const slots::Production& prod, const slots::LocalSettings& local, const slots::SlotDef& slot,
    Millis timeout) {
  std::unique_ptr<LineClient> line;
  const std::string socket = slots::ControlSocketPath(local, slot);
  if (fs::Exists(socket)) {
    auto c = LineClient::ConnectUnix(socket, timeout);
    if (c.ok()) line = std::move(*c);
  }
  if (!line) {
    const slots::Machine* m = prod.FindMachine(slot.machine);
    if (m == nullptr) return Status::NotFound("slot " + slot.Name() + ": unknown machine");
    ClientTls tls{local.tls_cert, local.tls_key, local.cluster_ca, m->address};
    ASSIGN_OR_RETURN(line, LineClient::ConnectTcp(m->address, slot.ports.control, &tls, timeout));
  }
  std::unique_ptr<ControlClient> client(new ControlClient(std::move(line)));
  RETURN_IF_ERROR(client->Hello());
  return client;
}

Result<std::unique_ptr<ControlClient>> ControlClient::ConnectSocket(const std::string& path,
                                                                   Millis timeout) {
  ASSIGN_OR_RETURN(auto line, LineClient::ConnectUnix(path, timeout));
  std::unique_ptr<ControlClient> client(new ControlClient(std::move(line)));
  RETURN_IF_ERROR(client->Hello());
  return client;
}

Status ControlClient::Hello() {
  json::Value hello = json::Value::Object()
                          .Set("hello", "slotmail-control")
                          .Set("version", slots::kControlVersion);
  RETURN_IF_ERROR(line_->WriteLine(json::Serialize(hello)));
  ASSIGN_OR_RETURN(std::string line, line_->ReadLine(limits::kMaxControlLineBytes));
  ASSIGN_OR_RETURN(json::Value answer, json::Parse(line));
  auto ok = answer.GetBool("ok");
  if (!ok.ok() || !*ok) {
    auto message = answer.GetString("message");
    return Status::Protocol("the slot refused the hello: " +
                            (message.ok() ? *message : std::string("no reason given")));
  }
  hello_ = std::move(answer);
  return Status::Ok();
}

Result<json::Value> ControlClient::Call(json::Value request, Millis timeout) {
  const int64_t id = next_id_++;
  json::Value req = json::Value::Object().Set("id", id);
  for (const auto& [k, v] : request.Members()) req.Set(k, v);
  line_->SetTimeout(timeout);
  RETURN_IF_ERROR(line_->WriteLine(json::Serialize(req)));
  ASSIGN_OR_RETURN(std::string line, line_->ReadLine(limits::kMaxControlLineBytes));
  json::ParseLimits lim;
  lim.max_bytes = limits::kMaxControlLineBytes;
  auto answer = json::Parse(line, lim);
  if (!answer.ok()) return Status::Protocol("bad answer from the slot: " + answer.status().message());
  auto got_id = answer->GetInt("id");
  if (!got_id.ok() || *got_id != id) return Status::Protocol("answer for another request");
  auto ok = answer->GetBool("ok");
  if (!ok.ok()) return Status::Protocol("answer without ok");
  if (!*ok) {
    auto code = answer->GetString("code");
    auto message = answer->GetString("message");
    return Status(CodeFromName(code.ok() ? *code : ""), message.ok() ? *message : "failed");
  }
  return std::move(*answer);
}

}  // namespace slotmail::admin
