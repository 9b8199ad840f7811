// Answering SEARCH and UID SEARCH: the SEARCH response (RFC 3501 7.2.5), the
// ESEARCH response (RFC 4731 3.1, RFC 9051 7.3.4) and what RETURN (SAVE)
// keeps (RFC 5182 2.4). Pure functions; thread-safe.
//
// `found` is always what the search found, ascending, named as the answer
// names messages: sequence numbers for SEARCH, UIDs for UID SEARCH.
// `modseq` is the highest mod-sequence among the messages the response
// returns (ReturnedPart) when the criteria had MODSEQ (RFC 7162 3.1.5), else
// 0; it is reported only if something was found.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "imap/search_parse.h"

namespace slotmail::imap {

// "SEARCH 2 3 5 (MODSEQ 9)", without "* ".
std::string SearchResponse(const std::vector<uint32_t>& found, uint64_t modseq);

// False for RETURN (SAVE) alone: the result is only kept, and no ESEARCH
// response is sent (RFC 5182 2.4). True for every other RETURN.
bool SendsEsearch(const SearchReturn& ret);

// "ESEARCH (TAG "a1") UID MIN 2 MAX 9 ALL 2:4,9 COUNT 4 MODSEQ 9", without
// "* ", with the items `ret` asks for. With nothing found, MIN, MAX, ALL and
// MODSEQ are left out and COUNT is 0 (RFC 4731 3.1).
std::string EsearchResponse(std::string_view tag, bool uid, const SearchReturn& ret,
                            const std::vector<uint32_t>& found, uint64_t modseq);

// The part of `found` the response returns: with MIN and/or MAX but
// neither ALL nor COUNT, only the lowest and/or highest; otherwise all of
// it. RETURN (... SAVE) keeps that part (RFC 5182 2.4), and MODSEQ is the
// highest mod-sequence within it (RFC 7162 3.1.5). Any ascending list will
// do (numbers, or positions of the found messages).
std::vector<uint32_t> ReturnedPart(const SearchReturn& ret, std::vector<uint32_t> found);

}  // namespace slotmail::imap
