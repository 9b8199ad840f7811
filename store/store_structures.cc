// Store: FetchStructures — messages' parsed MIME structures from the index,
// filling in those the index lacks from the message bytes, once.
#include "common/hash.h"
#include "mime/message_parser.h"
#include "mime/serialize.h"
#include "store/names.h"
#include "store/sqlite.h"
#include "store/store_impl.h"
#include "store/structure_rows.h"

namespace slotmail::store {

Result<std::vector<std::shared_ptr<const mime::Message>>> Store::FetchStructures(
    std::string_view user, const std::vector<std::string>& guids) {
  RETURN_IF_ERROR(ValidateUserName(user));
  for (const std::string& g : guids) {
    if (!IsLowerHex(g, 64)) return Status::InvalidArgument("malformed message GUID");
  }
  ASSIGN_OR_RETURN(std::vector<std::string> rows,
                   impl_->Read(user, [&](UserIndex* ix) { return GetStructures(ix, guids); }));
  std::vector<std::shared_ptr<const mime::Message>> out(guids.size());
  std::vector<std::pair<size_t, std::string>> computed;  // position, serialized form
  for (size_t i = 0; i < guids.size(); ++i) {
    if (!rows[i].empty()) {
      Result<mime::Message> m = mime::DeserializeStructure(rows[i]);
      if (m.ok()) {
        out[i] = std::make_shared<const mime::Message>(std::move(m).value());
        continue;
      }
      // A damaged row is recomputed and replaced like a missing one.
    }
    // Outside the lock: read and parse. A message whose file is gone
    // (expunged meanwhile) stays nullptr.
    auto bytes = impl_->blobs->Read(user, guids[i]);
    if (!bytes.ok()) {
      if (bytes.status().code() == Code::kNotFound) continue;
      return bytes.status();
    }
    mime::Message parsed = mime::ParseMessage(*bytes);
    computed.emplace_back(i, mime::SerializeStructure(parsed));
    out[i] = std::make_shared<const mime::Message>(std::move(parsed));
  }
  if (computed.empty()) return out;
  // A cache row derived from immutable bytes: committed, but not logged for
  // replication nor synced. Failing to keep it costs only a reparse later,
  // so the caller still gets its answer.
  (void)impl_->Read(user, [&](UserIndex* ix) {
    return InTransaction(ix->db(), [&]() -> Status {
      for (const auto& [i, data] : computed) RETURN_IF_ERROR(PutStructure(ix, guids[i], data));
      return Status::Ok();
    });
  });
  return out;
}

}  // namespace slotmail::store
