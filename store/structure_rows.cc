#include "store/structure_rows.h"

#include <unordered_map>

namespace slotmail::store {
namespace {

// `guids` as a JSON array for json_each(): one bound parameter however many
// there are, so the statement stays cached. A GUID is 64 lowercase hex
// digits (Store checks that before it gets here), so nothing needs escaping.
std::string JsonArray(const std::vector<std::string>& guids) {
  std::string out = "[";
  for (const std::string& g : guids) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += g;
    out += '"';
  }
  out += ']';
  return out;
}

}  // namespace

Status PutStructure(UserIndex* ix, std::string_view guid, std::string_view serialized) {
  ASSIGN_OR_RETURN(Stmt s, ix->db()->Prepare(
      "INSERT OR REPLACE INTO mime_structures(guid, version, data) VALUES(?, ?, ?)"));
  s.Bind(1, guid).Bind(2, kStructureVersion).BindBlob(3, serialized);
  return s.Run();
}

Result<std::vector<std::string>> GetStructures(UserIndex* ix,
                                               const std::vector<std::string>& guids) {
  ASSIGN_OR_RETURN(Stmt s, ix->db()->Prepare(
      "SELECT guid, data FROM mime_structures "
      "WHERE guid IN (SELECT value FROM json_each(?)) AND version = ?"));
  s.Bind(1, JsonArray(guids)).Bind(2, kStructureVersion);
  std::unordered_map<std::string, std::string> found;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    found.emplace(s.Text(0), s.Blob(1));
  }
  std::vector<std::string> out;
  out.reserve(guids.size());
  for (const std::string& g : guids) {
    auto it = found.find(g);
    out.push_back(it == found.end() ? std::string() : it->second);
  }
  return out;
}

}  // namespace slotmail::store
