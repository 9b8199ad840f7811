#include "store/derived_rows.h"

#include "mime/message_parser.h"
#include "mime/serialize.h"
#include "store/sort_key_rows.h"
#include "store/structure_rows.h"

namespace slotmail::store {

DerivedRows DeriveRows(std::string_view bytes) {
  return DerivedRows{mime::ComputeSortKeys(bytes),
                     mime::SerializeStructure(mime::ParseMessage(bytes))};
}

Status PutDerivedRows(UserIndex* ix, std::string_view guid, const DerivedRows& rows) {
  RETURN_IF_ERROR(PutSortKeys(ix, guid, rows.keys));
  return PutStructure(ix, guid, rows.structure);
}

Result<std::vector<std::string>> GuidsLackingDerivedRows(UserIndex* ix,
                                                         const std::vector<std::string>& guids) {
  ASSIGN_OR_RETURN(std::vector<std::string> structures, GetStructures(ix, guids));
  std::vector<std::string> out;
  for (size_t i = 0; i < guids.size(); ++i) {
    ASSIGN_OR_RETURN(bool keys, HasSortKeys(ix, guids[i]));
    if (!keys || structures[i].empty()) out.push_back(guids[i]);
  }
  return out;
}

}  // namespace slotmail::store
