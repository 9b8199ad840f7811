#include "imap/object_id.h"

#include <doctest/doctest.h>

#include <string>

namespace slotmail::imap {
namespace {

TEST_CASE("imap objectid: syntax") {
  CHECK(IsObjectId("M0123abcdef"));
  CHECK(IsObjectId("a_b-C9"));
  CHECK(IsObjectId(std::string(255, 'x')));
  CHECK_FALSE(IsObjectId(std::string(256, 'x')));
  CHECK_FALSE(IsObjectId(""));
  CHECK_FALSE(IsObjectId("a b"));
  CHECK_FALSE(IsObjectId("a.b"));
  CHECK_FALSE(IsObjectId("a=b"));
  CHECK_FALSE(IsObjectId("\xc3\xa9"));
}

TEST_CASE("imap objectid: ids derived from the store's are valid objectids") {
  const std::string guid(64, 'f');
  CHECK(EmailId(guid) == "M" + guid);
  CHECK(IsObjectId(EmailId(guid)));
  CHECK(MailboxId("0123456789abcdef0123456789abcdef") == "F0123456789abcdef0123456789abcdef");
  CHECK(IsObjectId(MailboxId("0123456789abcdef0123456789abcdef")));
}

}  // namespace
}  // namespace slotmail::imap
