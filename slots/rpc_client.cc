#include "slots/rpc_client.h"

#include "slots/control_server.h"

namespace slotmail::slots {
namespace {

Code CodeFromName(const std::string& name) {
  for (int c = static_cast<int>(Code::kNotFound); c <= static_cast<int>(Code::kTooBig); ++c) {
    if (name == CodeName(static_cast<Code>(c))) return static_cast<Code>(c);
  }
  return Code::kProtocol;
}

json::ParseLimits Limits(size_t max_line) {
  json::ParseLimits lim;
  lim.max_bytes = max_line;
  return lim;
}

}  // namespace

Result<std::unique_ptr<RpcClient>> RpcClient::Open(std::unique_ptr<LineClient> line,
                                                   const json::Value& hello, size_t max_line) {
  std::unique_ptr<RpcClient> client(new RpcClient(std::move(line), max_line));
  RETURN_IF_ERROR(client->line_->WriteLine(json::Serialize(hello)));
  ASSIGN_OR_RETURN(std::string text, client->line_->ReadLine(max_line));
  ASSIGN_OR_RETURN(json::Value answer, json::Parse(text, Limits(max_line)));
  auto ok = answer.GetBool("ok");
  if (!ok.ok() || !*ok) {
    // The server's code is kept: a replica that answers NotMaster has
    // become master, which its old master must act on.
    auto code = answer.GetString("code");
    auto message = answer.GetString("message");
    const Code c = code.ok() ? CodeFromName(*code) : Code::kProtocol;
    return Status(c == Code::kNotMaster ? c : Code::kProtocol,
                  "the slot refused the hello: " +
                      (message.ok() ? *message : std::string("no reason given")));
  }
  if (auto z = answer.GetString("compress"); z.ok()) {
    // The server agreed to what our hello asked for; nothing else is valid.
    auto asked = hello.GetString("compress");
    if (!asked.ok() || *asked != *z || *z != kCompressZlib) {
      return Status::Protocol("the slot answered compress \"" + z->substr(0, 16) +
                              "\", which the hello did not ask for");
    }
    RETURN_IF_ERROR(client->line_->StartCompression());
  }
  client->hello_ = std::move(answer);
  return client;
}

Result<json::Value> RpcClient::Call(const json::Value& request, Millis timeout,
                                    std::string_view attachment) {
  const int64_t id = next_id_++;
  json::Value req = json::Value::Object().Set("id", id);
  for (const auto& [k, v] : request.Members()) req.Set(k, v);
  if (!attachment.empty()) req.Set("attach", static_cast<int64_t>(attachment.size()));
  line_->SetTimeout(timeout);
  RETURN_IF_ERROR(line_->WriteLine(json::Serialize(req), attachment));
  ASSIGN_OR_RETURN(std::string line, line_->ReadLine(max_line_));
  auto answer = json::Parse(line, Limits(max_line_));
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

}  // namespace slotmail::slots
