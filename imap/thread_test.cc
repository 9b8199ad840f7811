#include "imap/thread.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "common/limits.h"

namespace slotmail::imap {
namespace {

// A crafted mailbox: message i (0-based) has sequence number i + 1 and
// sent date `date`.
class Box {
 public:
  void Add(std::string id, std::vector<std::string> refs, std::string subject, int64_t date,
           std::string in_reply_to = "") {
    mime::SortKeys k;
    k.message_id = std::move(id);
    k.references = std::move(refs);
    k.in_reply_to = std::move(in_reply_to);
    k.subject = mime::BaseSubject(subject, &k.subject_is_reply);
    k.sent_date = date;
    keys_.push_back(std::move(k));
  }
  std::string References() { return Render(ThreadReferences(Items())); }
  std::string OrderedSubject() { return Render(ThreadOrderedSubject(Items())); }

 private:
  std::vector<SortItem> Items() const {
    std::vector<SortItem> items;
    for (size_t i = 0; i < keys_.size(); ++i) {
      items.push_back({static_cast<uint32_t>(i + 1), 0, 0, &keys_[i]});
    }
    return items;
  }
  static std::string Render(const std::vector<ThreadNode>& t) {
    return ThreadResponse(t, [](size_t k) { return static_cast<uint32_t>(k + 1); });
  }
  std::vector<mime::SortKeys> keys_;
};

TEST_CASE("thread: REFERENCES links by References, else In-Reply-To") {
  Box b;
  b.Add("<1@x>", {}, "Hello", 10);
  b.Add("<2@x>", {"<1@x>"}, "Re: Hello", 20);
  b.Add("<3@x>", {}, "Something else", 30, "<1@x>");
  b.Add("<4@x>", {"<1@x>", "<2@x>"}, "Re: Hello", 40);
  CHECK(b.References() == "THREAD (1 (2 4)(3))");
}

TEST_CASE("thread: REFERENCES refuses loops") {
  Box b;
  b.Add("<1@x>", {"<2@x>"}, "a", 10);  // 1 under 2 ...
  b.Add("<2@x>", {"<1@x>"}, "b", 20);  // ... so 2 under 1 would be a loop
  b.Add("<3@x>", {"<y@x>", "<z@x>", "<y@x>"}, "c", 30);  // z under y; y under z refused
  b.Add("<4@x>", {"<4@x>"}, "d", 40);  // its own parent: refused
  CHECK(b.References() == "THREAD (2 1)(3)(4)");
}

TEST_CASE("thread: REFERENCES keeps a duplicate Message-ID for the first message only") {
  Box b;
  b.Add("<d@x>", {}, "one", 10);
  b.Add("<d@x>", {}, "two", 20);
  b.Add("<r@x>", {"<d@x>"}, "three", 30);
  CHECK(b.References() == "THREAD (1 3)(2)");
}

TEST_CASE("thread: REFERENCES dummies for missing parents are pruned or kept") {
  Box b;
  b.Add("<a@x>", {"<gone@x>"}, "a", 30);               // alone under a dummy: promoted
  b.Add("<b@x>", {"<lost@x>"}, "b", 20);               // two under one dummy
  b.Add("<c@x>", {"<lost@x>"}, "c", 10);               // ... kept, sorted by date
  b.Add("<d@x>", {"<deep@x>", "<mid@x>"}, "d", 40);    // a chain of dummies
  CHECK(b.References() == "THREAD ((3)(2))(1)(4)");
}

TEST_CASE("thread: REFERENCES gathers roots by base subject") {
  Box b;
  b.Add("<1@x>", {}, "Re: Topic", 10);    // a reply ...
  b.Add("<2@x>", {}, "Topic", 20);        // ... the original takes its place in the table
  b.Add("<3@x>", {}, "Re: Topic", 30);    // replies go under it
  b.Add("<4@x>", {}, "Other", 5);
  b.Add("<5@x>", {}, "Other", 50);        // two originals: a new dummy over both
  b.Add("<6@x>", {}, "", 1);              // empty subjects are never gathered
  b.Add("<7@x>", {}, "", 2);
  CHECK(b.References() == "THREAD (6)(7)((4)(5))(2 (1)(3))");
}

TEST_CASE("thread: REFERENCES breaks reply chains deeper than the limit") {
  // In order and in reverse order of arrival: both ways end in threads of
  // at most kMaxThreadDepth + 1 messages, without deep recursion.
  for (bool reverse : {false, true}) {
    Box b;
    const int n = 3 * static_cast<int>(limits::kMaxThreadDepth);
    for (int k = 0; k < n; ++k) {
      const int i = reverse ? n - 1 - k : k;
      std::vector<std::string> refs;
      if (i > 0) refs.push_back("<" + std::to_string(i - 1) + "@x>");
      b.Add("<" + std::to_string(i) + "@x>", refs, "chain " + std::to_string(i), 1000 + i);
    }
    const std::string t = b.References();
    const auto threads = std::count(t.begin(), t.end(), '(');
    CHECK(threads >= 3);
    CHECK(threads <= 4);
    // Every message once: "THREAD (a b)(c d)" has threads - 1 fewer spaces.
    CHECK(std::count(t.begin(), t.end(), ' ') + threads - 1 == n);
  }
}

TEST_CASE("thread: ORDEREDSUBJECT groups by base subject, ordered by first date") {
  Box b;
  b.Add("", {}, "Re: b", 30);
  b.Add("", {}, "a", 20);
  b.Add("", {}, "B", 10);
  b.Add("", {}, "[list] A", 5);
  b.Add("", {}, "c", 5);
  CHECK(b.OrderedSubject() == "THREAD (4 2)(5)(3 1)");
  CHECK(Box().OrderedSubject() == "THREAD");
}

}  // namespace
}  // namespace slotmail::imap
