#include "imapd/fetch_structures.h"

namespace slotmail::imapd {

Result<std::vector<std::shared_ptr<const mime::Message>>> LoadStructures(
    store::Store& st, MimeCache& cache, const std::string& user,
    std::span<const store::MessageInfo> messages) {
  std::vector<std::shared_ptr<const mime::Message>> out(messages.size());
  std::vector<size_t> missing;
  std::vector<std::string> guids;
  for (size_t i = 0; i < messages.size(); ++i) {
    out[i] = cache.Find(messages[i].guid);
    if (out[i] == nullptr) {
      missing.push_back(i);
      guids.push_back(messages[i].guid);
    }
  }
  if (missing.empty()) return out;
  ASSIGN_OR_RETURN(auto found, st.FetchStructures(user, guids));
  for (size_t k = 0; k < missing.size(); ++k) {
    if (found[k] == nullptr) continue;
    cache.Put(guids[k], found[k]);
    out[missing[k]] = std::move(found[k]);
  }
  return out;
}

}  // namespace slotmail::imapd
