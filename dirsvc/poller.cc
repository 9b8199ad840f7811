#include "dirsvc/poller.h"

#include <future>

#include "common/fs.h"
#include "common/log.h"

namespace slotmail::dirsvc {

Poller::Poller(std::string production_path, slots::LocalSettings local, Millis interval,
               Millis timeout, Publish publish)
    : path_(std::move(production_path)),
      local_(std::move(local)),
      interval_(interval),
      timeout_(timeout),
      publish_(std::move(publish)) {}

Poller::~Poller() { Stop(); }

Status Poller::Start() {
  RETURN_IF_ERROR(Reload());
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void Poller::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status Poller::Reload() {
  ASSIGN_OR_RETURN(std::string text, fs::ReadFile(path_));
  if (text == text_) return Status::Ok();
  std::vector<slots::Problem> problems;
  slots::Production prod = slots::ParseProduction(text, path_, &problems);
  slots::CheckProduction(prod, &problems);
  if (!problems.empty()) {
    return Status::InvalidArgument(slots::FormatProblem(path_, problems.front()));
  }
  if (!text_.empty()) log::Info("directory: " + path_ + " changed (serial " +
                                std::to_string(prod.serial) + "), following it");
  text_ = std::move(text);
  prod_ = std::move(prod);
  std::map<std::string, SlotConn> kept;  // a slot gone from the file is dropped
  for (const slots::SlotDef& s : prod_.slots) kept[s.Name()] = std::move(conns_[s.Name()]);
  conns_ = std::move(kept);
  return Status::Ok();
}

void Poller::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    auto next = std::chrono::steady_clock::now() + interval_;
    lock.unlock();
    Round();
    lock.lock();
    cv_.wait_until(lock, next, [this] { return stop_; });
  }
}

void Poller::Round() {
  if (Status s = Reload(); !s.ok()) {
    log::Warning("directory: " + path_ + ": " + s.message() + "; keeping the last good one");
  }
  std::vector<std::future<SlotReport>> pending;
  for (const slots::SlotDef& def : prod_.slots) {
    SlotConn* conn = &conns_[def.Name()];  // the map does not change during the round
    pending.push_back(std::async(std::launch::async, [this, &def, conn] {
      return PollSlot(def, conn);
    }));
  }
  std::vector<SlotReport> reports;
  for (auto& f : pending) reports.push_back(f.get());
  if (snap_ != nullptr && reports == last_) return;
  snap_ = BuildSnapshot(prod_, reports, snap_.get(), ++generation_);
  last_ = std::move(reports);
  if (snap_->conflicts > 0) {
    log::Warning("directory: " + std::to_string(snap_->conflicts) +
                 " users are listed by two stores' masters; each is routed to the first store");
  }
  publish_(snap_);
}

SlotReport Poller::PollSlot(const slots::SlotDef& def, SlotConn* conn) {
  SlotReport r;
  r.slot = def.Name();
  auto fail = [&](const Status& s) {
    conn->client.reset();
    if (conn->was_reachable) log::Warning("directory: slot " + r.slot + ": " + s.message());
    conn->was_reachable = false;
    SlotReport gone;
    gone.slot = r.slot;
    return gone;
  };
  if (conn->client == nullptr) {
    auto c = admin::ConnectSlot(prod_, local_, def, timeout_);
    if (!c.ok()) return fail(c.status());
    conn->client = std::move(*c);
  }
  auto status = conn->client->Call(json::Value::Object().Set("op", "status"), timeout_);
  if (!status.ok()) return fail(status.status());
  auto str = [&](const char* key) {
    const json::Value* v = status->Find(key);
    return v != nullptr && v->is_string() ? v->AsString() : std::string();
  };
  r.store = str("store");
  r.role = str("role");
  r.imap = str("imap");
  r.lmtp = str("lmtp");
  const json::Value* epoch = status->Find("epoch");
  r.epoch = epoch != nullptr && epoch->is_int() ? static_cast<uint64_t>(epoch->AsInt()) : 0;
  if (r.role == "master") {
    auto users = conn->client->Call(json::Value::Object().Set("op", "users"), timeout_);
    if (!users.ok()) return fail(users.status());
    const json::Value* list = users->Find("users");
    if (list != nullptr && list->is_array()) {
      r.has_users = true;
      for (const json::Value& u : list->Items()) {
        if (u.is_string()) r.users.push_back(u.AsString());
      }
    }
  }
  if (!conn->was_reachable) log::Info("directory: slot " + r.slot + " answers again");
  conn->was_reachable = true;
  r.reachable = true;
  return r;
}

}  // namespace slotmail::dirsvc
