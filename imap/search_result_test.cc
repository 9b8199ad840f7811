#include "imap/search_result.h"

#include <doctest/doctest.h>

namespace slotmail::imap {
namespace {

SearchReturn Return(std::string_view options) {
  SearchReturn r;
  r.esearch = true;
  r.min = options.find("MIN") != std::string_view::npos;
  r.max = options.find("MAX") != std::string_view::npos;
  r.all = options.find("ALL") != std::string_view::npos;
  r.count = options.find("COUNT") != std::string_view::npos;
  r.save = options.find("SAVE") != std::string_view::npos;
  return r;
}

TEST_CASE("imap search result: the SEARCH response lists numbers, MODSEQ only with a match") {
  CHECK(SearchResponse({}, 0) == "SEARCH");
  CHECK(SearchResponse({2, 3, 5}, 0) == "SEARCH 2 3 5");
  CHECK(SearchResponse({2, 3, 5}, 9) == "SEARCH 2 3 5 (MODSEQ 9)");
  CHECK(SearchResponse({}, 9) == "SEARCH");
}

TEST_CASE("imap search result: ESEARCH carries the tag, UID and the asked items in order") {
  const std::vector<uint32_t> found = {2, 3, 4, 9, 11};
  CHECK(EsearchResponse("a1", false, Return("MIN MAX ALL COUNT"), found, 0) ==
        "ESEARCH (TAG \"a1\") MIN 2 MAX 11 ALL 2:4,9,11 COUNT 5");
  CHECK(EsearchResponse("a1", true, Return("ALL"), found, 0) ==
        "ESEARCH (TAG \"a1\") UID ALL 2:4,9,11");
  CHECK(EsearchResponse("t]x", false, Return("COUNT"), found, 0) ==
        "ESEARCH (TAG \"t]x\") COUNT 5");
  CHECK(EsearchResponse("a1", false, Return("MAX"), found, 77) ==
        "ESEARCH (TAG \"a1\") MAX 11 MODSEQ 77");
}

TEST_CASE("imap search result: ESEARCH with nothing found has COUNT 0 and nothing else") {
  CHECK(EsearchResponse("a1", false, Return("MIN MAX ALL COUNT"), {}, 0) ==
        "ESEARCH (TAG \"a1\") COUNT 0");
  CHECK(EsearchResponse("a1", true, Return("MIN ALL"), {}, 5) == "ESEARCH (TAG \"a1\") UID");
}

TEST_CASE("imap search result: RETURN (SAVE) alone sends no ESEARCH") {
  CHECK_FALSE(SendsEsearch(Return("SAVE")));
  CHECK(SendsEsearch(Return("SAVE MIN")));
  CHECK(SendsEsearch(Return("ALL")));
}

TEST_CASE("imap search result: SAVE and MODSEQ cover MIN/MAX only when they are the only other options") {
  const std::vector<uint32_t> found = {4, 7, 9};
  CHECK(ReturnedPart(Return("SAVE"), found) == found);
  CHECK(ReturnedPart(Return("SAVE MIN"), found) == std::vector<uint32_t>{4});
  CHECK(ReturnedPart(Return("SAVE MAX"), found) == std::vector<uint32_t>{9});
  CHECK(ReturnedPart(Return("SAVE MIN MAX"), found) == std::vector<uint32_t>{4, 9});
  CHECK(ReturnedPart(Return("SAVE MIN ALL"), found) == found);
  CHECK(ReturnedPart(Return("SAVE MAX COUNT"), found) == found);
  CHECK(ReturnedPart(Return("SAVE MIN MAX"), {5}) == std::vector<uint32_t>{5});
  CHECK(ReturnedPart(Return("SAVE MIN"), {}).empty());
}

}  // namespace
}  // namespace slotmail::imap
