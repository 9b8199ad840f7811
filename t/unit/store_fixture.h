// A Store on a temporary slot for unit tests that also look at the slot's
// files and index behind the store's back.
#pragma once

#include <doctest/doctest.h>

#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "store/paths.h"
#include "store/sqlite.h"
#include "store/store.h"
#include "t/unit/temp_dir.h"

namespace slotmail::testing {

class StoreFixture {
 public:
  StoreFixture() { Open(); }
  void Open() {
    store_.reset();
    auto s = store::Store::Open(root(), {.kdf_iterations = 1000});
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    store_ = std::move(s.value());
  }
  void Close() { store_.reset(); }
  std::string root() const { return dir_.path() + "/slot"; }
  store::Store* operator->() { return store_.get(); }

  // Removes message files of `user`: whatever still works needs none of them.
  void RemoveBlobs(const std::vector<std::string>& guids, const char* user = "alice") {
    store::SlotPaths paths(root());
    for (const auto& g : guids) (void)::unlink(paths.BlobPath(user, g).c_str());
  }
  // Runs `sql` on the index of `user`. REQUIRES: Close()d (the store holds
  // an open index exclusively).
  void Sql(const char* sql, const char* user = "alice") {
    auto db = store::Database::Open(store::SlotPaths(root()).IndexPath(user), false);
    REQUIRE(db.ok());
    REQUIRE((*db)->Exec(sql).ok());
  }

 private:
  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace slotmail::testing
