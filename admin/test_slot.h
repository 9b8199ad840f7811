// For admin's unit tests: a Store in a fresh temporary directory (removed at
// the end) and a way to run one mailctl command against it in-process.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "admin/cli.h"
#include "admin/mailctl.h"
#include "store/store.h"
#include "t/unit/temp_dir.h"

namespace slotmail::admin::testing {

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

class TestSlot {
 public:
  TestSlot() {
    REQUIRE(!dir_.path().empty());
    auto s = store::Store::Open(dir_.path(), store::StoreOptions{.kdf_iterations = 1000});
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    store_ = std::move(s.value());
  }
  store::Store* operator->() { return store_.get(); }

  // Runs `args` (a command and its arguments, without the slot options)
  // against this store, with `input` as standard input.
  Outcome Run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--slot-dir", dir_.path()});
    Invocation inv = ParseCommandLine(args);
    REQUIRE_MESSAGE(inv.kind == Invocation::Kind::kRun, inv.error);
    std::istringstream in(input);
    std::ostringstream out, err;
    Outcome o;
    Status st = ParseValues(&inv);
    o.code = st.ok() ? Execute(inv, store_.get(), {in, out, err}) : -2;
    o.out = out.str();
    o.err = err.str();
    return o;
  }

  void AddUser(const std::string& user) { REQUIRE(store_->CreateUser(user, "secret").ok()); }

 private:
  slotmail::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

// Runs the whole tool (parsing, opening the slot, the command) in-process.
inline Outcome RunTool(const std::vector<std::string>& args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  Outcome o;
  o.code = RunMailctl(args, {in, out, err});
  o.out = out.str();
  o.err = err.str();
  return o;
}

}  // namespace slotmail::admin::testing
