#include "imap/search_result.h"

#include "imap/quote.h"
#include "imap/sequence_set.h"

namespace slotmail::imap {

std::string SearchResponse(const std::vector<uint32_t>& found, uint64_t modseq) {
  std::string line = "SEARCH";
  for (uint32_t n : found) line += " " + std::to_string(n);
  if (modseq != 0 && !found.empty()) line += " (MODSEQ " + std::to_string(modseq) + ")";
  return line;
}

bool SendsEsearch(const SearchReturn& ret) { return ret.min || ret.max || ret.all || ret.count; }

std::string EsearchResponse(std::string_view tag, bool uid, const SearchReturn& ret,
                            const std::vector<uint32_t>& found, uint64_t modseq) {
  std::string line = "ESEARCH (TAG " + Quoted(tag) + ")";
  if (uid) line += " UID";
  if (!found.empty()) {
    if (ret.min) line += " MIN " + std::to_string(found.front());
    if (ret.max) line += " MAX " + std::to_string(found.back());
    if (ret.all) line += " ALL " + FormatNumbers(found);
  }
  if (ret.count) line += " COUNT " + std::to_string(found.size());
  if (modseq != 0 && !found.empty()) line += " MODSEQ " + std::to_string(modseq);
  return line;
}

std::vector<uint32_t> ReturnedPart(const SearchReturn& ret, std::vector<uint32_t> found) {
  if (found.empty() || ret.all || ret.count || !(ret.min || ret.max)) return found;
  std::vector<uint32_t> part;
  if (ret.min) part.push_back(found.front());
  if (ret.max && (!ret.min || found.back() != found.front())) part.push_back(found.back());
  return part;
}

}  // namespace slotmail::imap
