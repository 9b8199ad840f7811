#include "imapd/search_eval.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "imap/parser.h"
#include "imapd/mime_cache.h"
#include "mime/date.h"

namespace slotmail::imapd {
namespace {

// Seconds since the epoch of a UTC time.
int64_t At(int year, unsigned month, unsigned day, int hour = 0, int minute = 0, int second = 0) {
  return mime::DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

// `text` with LF line ends turned into CRLF, as messages are stored.
std::string Crlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// An IMAP literal holding `s`, for search strings that are not 7-bit.
std::string Lit(std::string_view s) { return "{" + std::to_string(s.size()) + "}\r\n" + std::string(s); }

// A selected mailbox in memory. UIDs are 10, 20, 30... so that they differ
// from sequence numbers; the loader counts its calls.
class Box {
 public:
  store::UidSet saved;  // the result "$" stands for (RFC 5182)

  // A message of `text` (LF line ends; stored with CRLF).
  void Add(std::string_view text, uint32_t system_flags = 0,
           std::vector<std::string> keywords = {}, int64_t internal_date = At(2024, 1, 1),
           bool recent = false, uint64_t modseq = 1) {
    SearchMessage m;
    m.seq = static_cast<uint32_t>(messages_.size() + 1);
    m.info.uid = m.seq * 10;
    m.info.guid = "guid-" + std::to_string(m.info.uid);
    bytes_[m.info.guid] = Crlf(text);
    m.info.size = bytes_[m.info.guid].size();
    m.info.internal_date = internal_date;
    m.info.flags.system = system_flags;
    m.info.flags.keywords = std::move(keywords);
    m.info.modseq = modseq;
    m.recent = recent;
    messages_.push_back(std::move(m));
  }
  // The message's bytes are gone from the store (expunged and collected).
  void Drop(uint32_t seq) { bytes_.erase(messages_[seq - 1].info.guid); }

  // Sequence numbers matching "SEARCH <criteria>", as "1 3"; "<error: ...>"
  // if parsing or evaluation fails.
  std::string Search(const std::string& criteria) {
    auto cmd = imap::ParseCommandText("t SEARCH " + criteria + "\r\n",
                                      imap::ParserLimits::Authenticated());
    if (!cmd.ok()) return "<error: " + cmd.status().message() + ">";
    auto program = imap::ParseSearch(cmd->args);
    if (!program.ok()) return "<error: " + program.status().message() + ">";
    SearchContext ctx;
    ctx.exists = static_cast<uint32_t>(messages_.size());
    ctx.max_uid = messages_.empty() ? 0 : messages_.back().info.uid;
    ctx.now = now;
    SearchLoader load = [this](const store::MessageInfo& m) -> Result<std::string> {
      ++loads;
      if (fail_loads) return Status::IOError("disk on fire");
      auto it = bytes_.find(m.guid);
      if (it == bytes_.end()) return Status::NotFound("no such blob");
      return it->second;
    };
    auto found =
        EvaluateSearch(WithSavedResult(program->key, saved), ctx, messages_, load, &cache_);
    if (!found.ok()) return "<error: " + found.status().message() + ">";
    std::string out;
    for (size_t i : *found) out += (out.empty() ? "" : " ") + std::to_string(messages_[i].seq);
    return out;
  }

  int loads = 0;
  bool fail_loads = false;
  int64_t now = At(2024, 6, 1, 12);

 private:
  std::vector<SearchMessage> messages_;
  std::map<std::string, std::string> bytes_;
  MimeCache cache_{16};
};

// Five messages for the string keys.
void AddCorpus(Box* box) {
  // 1: plain ASCII
  box->Add("From: Alice Example <alice@example.com>\n"
            "To: bob@example.org\n"
            "Cc: Carol <carol@example.net>\n"
            "Subject: Lunch plans\n"
            "Message-ID: <lunch-1@example.com>\n"
            "X-Spam:\n"
            "Date: Tue, 1 Jul 2003 10:52:37 +0200\n"
            "\n"
            "Let's meet at noon.\n");
  // 2: UTF-8 B-encoded subject, base64 UTF-8 body
  box->Add("From: =?UTF-8?Q?Jos=C3=A9?= <jose@example.com>\n"
            "To: alice@example.com\n"
            "Subject: =?UTF-8?B?w5xuw69jb2RlIEdyw7zDn2U=?=\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=UTF-8\n"
            "Content-Transfer-Encoding: base64\n"
            "\n"
            "U3RyYcOfZSBpbiDQnNC+0YHQutCy0LAsIM6azpHOm86XzpzOlc6hzpEgzrrPjM+DzrzOtQ0K\n");
  // 3: ISO-8859-1 Q-encoded subject, quoted-printable ISO-8859-1 body
  box->Add("From: bob@example.org\n"
            "To: alice@example.com\n"
            "Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me?=\n"
            "Content-Type: text/plain; charset=ISO-8859-1\n"
            "Content-Transfer-Encoding: quoted-printable\n"
            "\n"
            "Der B=E4r tanzt =\n"
            "weiter.\n");
  // 4: multipart: quoted-printable UTF-8 text and a base64 image
  box->Add("From: carol@example.net\n"
            "To: alice@example.com\n"
            "Subject: a very\n"
            " long subject\n"
            "Content-Type: multipart/mixed; boundary=\"b1\"\n"
            "\n"
            "--b1\n"
            "Content-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: quoted-printable\n"
            "\n"
            "Un caf=C3=A9 noir.\n"
            "--b1\n"
            "Content-Type: image/png\n"
            "Content-Transfer-Encoding: base64\n"
            "\n"
            "c2VjcmV0IHdvcmRzIGluc2lkZSBhIHBpY3R1cmUNCg==\n"
            "--b1--\n");
  // 5: no body text at all
  box->Add("From: dave@example.com\n"
            "Subject: empty\n"
            "\n");
}

TEST_CASE("imap search: ALL, sequence sets and UID sets resolve * against the view") {
  Box box;
  for (int i = 0; i < 5; ++i) box.Add("Subject: x\n\nbody\n");
  CHECK(box.Search("ALL") == "1 2 3 4 5");
  CHECK(box.Search("2") == "2");
  CHECK(box.Search("2:3,5") == "2 3 5");
  CHECK(box.Search("*") == "5");
  CHECK(box.Search("4:*") == "4 5");
  CHECK(box.Search("*:4") == "4 5");
  CHECK(box.Search("7") == "");
  CHECK(box.Search("UID 20:30") == "2 3");
  CHECK(box.Search("UID *") == "5");
  CHECK(box.Search("UID 25:35") == "3");
  CHECK(box.Search("UID 60:*") == "5");  // "n:*" covers the highest UID
  CHECK(box.Search("UID 60") == "");
  CHECK(box.loads == 0);
}

TEST_CASE("imap search: flags, \\Recent and keywords") {
  Box box;
  box.Add("a\n", store::kFlagSeen);
  box.Add("b\n", store::kFlagAnswered | store::kFlagFlagged, {"$Work"}, At(2024, 1, 1), true);
  box.Add("c\n", store::kFlagDeleted | store::kFlagDraft, {"Todo", "$work2"});
  box.Add("d\n", 0, {}, At(2024, 1, 1), true);
  CHECK(box.Search("SEEN") == "1");
  CHECK(box.Search("UNSEEN") == "2 3 4");
  CHECK(box.Search("ANSWERED") == "2");
  CHECK(box.Search("FLAGGED") == "2");
  CHECK(box.Search("UNFLAGGED") == "1 3 4");
  CHECK(box.Search("DELETED") == "3");
  CHECK(box.Search("UNDELETED") == "1 2 4");
  CHECK(box.Search("DRAFT") == "3");
  CHECK(box.Search("RECENT") == "2 4");
  CHECK(box.Search("OLD") == "1 3");
  CHECK(box.Search("NEW") == "2 4");
  CHECK(box.Search("KEYWORD $Work") == "2");
  CHECK(box.Search("KEYWORD $WORK") == "2");  // keywords compare case-insensitively
  CHECK(box.Search("KEYWORD todo") == "3");
  CHECK(box.Search("KEYWORD $Wor") == "");  // a keyword is not a substring match
  CHECK(box.Search("UNKEYWORD $work") == "1 3 4");
  CHECK(box.loads == 0);
}

TEST_CASE("imap search: AND, OR and NOT nest") {
  Box box;
  box.Add("a\n", store::kFlagSeen);
  box.Add("b\n", store::kFlagSeen | store::kFlagFlagged);
  box.Add("c\n", store::kFlagFlagged);
  box.Add("d\n", 0);
  CHECK(box.Search("SEEN FLAGGED") == "2");
  CHECK(box.Search("(SEEN FLAGGED)") == "2");
  CHECK(box.Search("OR SEEN FLAGGED") == "1 2 3");
  CHECK(box.Search("NOT OR SEEN FLAGGED") == "4");
  CHECK(box.Search("OR (SEEN NOT FLAGGED) (FLAGGED NOT SEEN)") == "1 3");
  CHECK(box.Search("OR OR 1 2 NOT 1:3") == "1 2 4");
  CHECK(box.Search("NOT NOT SEEN") == "1 2");
  CHECK(box.Search("OR SEEN (NOT (OR FLAGGED 4))") == "1 2");
  CHECK(box.Search("2:4 NOT (3 OR SEEN FLAGGED)") == "2 4");
}

TEST_CASE("imap search: LARGER, SMALLER, MODSEQ, OLDER and YOUNGER") {
  Box box;
  box.Add(std::string(98, 'a') + "\n", 0, {}, At(2024, 6, 1, 11), false, 5);    // 100 bytes
  box.Add(std::string(198, 'b') + "\n", 0, {}, At(2024, 5, 31, 12), false, 9);  // 200 bytes
  box.Add(std::string(298, 'c') + "\n", 0, {}, At(2024, 6, 1, 12), false, 7);   // 300 bytes
  box.now = At(2024, 6, 1, 12);
  CHECK(box.Search("LARGER 100") == "2 3");  // strictly larger
  CHECK(box.Search("LARGER 99") == "1 2 3");
  CHECK(box.Search("SMALLER 200") == "1");  // strictly smaller
  CHECK(box.Search("LARGER 100 SMALLER 300") == "2");
  CHECK(box.Search("MODSEQ 7") == "2 3");
  CHECK(box.Search("MODSEQ 10") == "");
  CHECK(box.Search("MODSEQ \"/flags/\\\\Seen\" all 9") == "2");
  CHECK(box.Search("YOUNGER 3600") == "1 3");  // exactly an hour old is still young
  CHECK(box.Search("YOUNGER 3599") == "3");
  CHECK(box.Search("OLDER 3600") == "2");  // OLDER n is NOT YOUNGER n
  CHECK(box.Search("OLDER 86399") == "2");
  CHECK(box.Search("OLDER 86400") == "");
  CHECK(box.loads == 0);
}

TEST_CASE("imap search: EMAILID matches the GUID-derived id, THREADID nothing") {
  Box box;
  box.Add("a\n");
  box.Add("b\n");
  CHECK(box.Search("EMAILID Mguid-20") == "2");  // guid-20: see Box::Add
  CHECK(box.Search("EMAILID guid-20") == "");
  CHECK(box.Search("NOT EMAILID Mguid-20") == "1");
  CHECK(box.Search("THREADID Mguid-20") == "");
  CHECK(box.Search("NOT THREADID T1") == "1 2");
  CHECK(box.loads == 0);
}

TEST_CASE("imap search: BEFORE, ON and SINCE compare the internal date's UTC day") {
  Box box;
  box.Add("a\n", 0, {}, At(2024, 3, 10, 23, 59, 59));
  box.Add("b\n", 0, {}, At(2024, 3, 11, 0, 0, 0));
  box.Add("c\n", 0, {}, At(2024, 3, 11, 23, 59, 59));
  box.Add("d\n", 0, {}, At(1969, 12, 31, 23));  // before the epoch
  box.Add("e\n", 0, {}, At(2024, 3, 12, 0, 0, 1));
  CHECK(box.Search("ON 10-Mar-2024") == "1");
  CHECK(box.Search("ON 11-Mar-2024") == "2 3");
  CHECK(box.Search("ON 12-mar-2024") == "5");
  CHECK(box.Search("ON 31-Dec-1969") == "4");
  CHECK(box.Search("ON 1-Jan-1970") == "");
  CHECK(box.Search("BEFORE 11-Mar-2024") == "1 4");
  CHECK(box.Search("SINCE 11-Mar-2024") == "2 3 5");
  CHECK(box.Search("SINCE 11-Mar-2024 BEFORE 12-Mar-2024") == "2 3");
  CHECK(box.Search("BEFORE 1-Jan-1970") == "4");
  CHECK(box.loads == 0);
}

TEST_CASE("imap search: SENT* use the Date header's day in its own zone") {
  Box box;
  // 04:30 UTC on the 11th, but the 10th where it was written.
  box.Add("Date: Sun, 10 Mar 2024 23:30:00 -0500\n\nx\n", 0, {}, At(2024, 3, 11, 4, 30));
  // 23:30 UTC on the 10th, but the 11th where it was written.
  box.Add("Date: Mon, 11 Mar 2024 00:30:00 +0100\n\nx\n", 0, {}, At(2024, 3, 10, 23, 30));
  // No Date: the internal date (UTC) stands in.
  box.Add("Subject: undated\n\nx\n", 0, {}, At(2024, 3, 12, 10));
  // An unparsable Date: likewise.
  box.Add("Date: sometime last week\n\nx\n", 0, {}, At(2024, 3, 9, 23, 59));
  // Obsolete zone name (EST = -0500) and no weekday.
  box.Add("Date: 12 Mar 2024 21:00 EST\n\nx\n", 0, {}, At(2024, 3, 13, 2));
  CHECK(box.Search("SENTON 10-Mar-2024") == "1");
  CHECK(box.Search("SENTON 11-Mar-2024") == "2");
  CHECK(box.Search("SENTON 12-Mar-2024") == "3 5");
  CHECK(box.Search("SENTON 9-Mar-2024") == "4");
  CHECK(box.Search("SENTBEFORE 11-Mar-2024") == "1 4");
  CHECK(box.Search("SENTSINCE 11-Mar-2024") == "2 3 5");
  // The internal date keys see the same messages differently.
  CHECK(box.Search("ON 10-Mar-2024") == "2");
  CHECK(box.Search("ON 11-Mar-2024") == "1");
}

TEST_CASE("imap search: header keys match unfolded, RFC 2047-decoded text") {
  Box box;
  AddCorpus(&box);
  CHECK(box.Search("SUBJECT lunch") == "1");
  CHECK(box.Search("SUBJECT \"LUNCH PLANS\"") == "1");
  CHECK(box.Search("SUBJECT " + Lit("Ünïcode Grüße")) == "2");  // =?UTF-8?B?...?=
  CHECK(box.Search("SUBJECT " + Lit("grüße")) == "2");
  CHECK(box.Search("SUBJECT w5xuw69jb2Rl") == "");  // the encoded form is not the text
  CHECK(box.Search("SUBJECT " + Lit("Café crème")) == "3");  // =?ISO-8859-1?Q?...?=
  CHECK(box.Search("SUBJECT " + Lit("CAFÉ")) == "3");
  CHECK(box.Search("SUBJECT Caf=E9") == "");
  CHECK(box.Search("SUBJECT \"very long\"") == "4");  // folded across two lines
  CHECK(box.Search("FROM alice") == "1");
  CHECK(box.Search("FROM \"Alice Example\"") == "1");
  CHECK(box.Search("FROM " + Lit("josé")) == "2");
  CHECK(box.Search("FROM EXAMPLE.ORG") == "3");
  CHECK(box.Search("TO alice@example.com") == "2 3 4");
  CHECK(box.Search("CC carol") == "1");
  CHECK(box.Search("BCC alice") == "");
  CHECK(box.Search("HEADER Message-ID <lunch-1@") == "1");
  CHECK(box.Search("HEADER content-transfer-encoding BASE64") == "2");
  CHECK(box.Search("SUBJECT noon") == "");  // the body is not the header
}

// Issue 14 point 7: FROM/TO/CC/BCC match the addresses ENVELOPE shows
// (RFC 3501 6.4.4 with RFC 5322 3.4 and 4.4), not the raw field text.
TEST_CASE("imap search: address keys match parsed addresses and display names (RFC 3501 6.4.4, RFC 5322 3.4)") {
  Box box;
  box.Add("From: <user (c)@ (c) domain.org>\nTo: g: a@x, b@y;\n\nx\n");
  box.Add("From: addr@x.org (Real Name)\nCc: g:;\nBcc: nodomain\n\nx\n");
  box.Add("From: \"Doe, John\" <john@x.org>\nTo: =?UTF-8?Q?J=C3=B6rg?= <j@x>\n\nx\n");
  CHECK(box.Search("FROM user@domain.org") == "1");
  CHECK(box.Search("FROM \"(c)\"") == "");  // a comment inside the address is no text
  CHECK(box.Search("TO b@y") == "1");
  CHECK(box.Search("TO g:") == "1");
  CHECK(box.Search("FROM \"real name\"") == "2");
  CHECK(box.Search("FROM \"Real Name <addr@x.org>\"") == "2");
  CHECK(box.Search("CC g") == "2");
  CHECK(box.Search("BCC nodomain") == "2");
  CHECK(box.Search("BCC MISSING") == "");  // the placeholder is not in the message
  CHECK(box.Search("FROM \"Doe, John <john@\"") == "3");
  CHECK(box.Search("TO " + Lit("jörg")) == "3");
  CHECK(box.Search("HEADER From \"(c)\"") == "1");  // HEADER still reads the raw text
}

TEST_CASE("imap search: HEADER with an empty string tests that the field exists") {
  Box box;
  AddCorpus(&box);
  CHECK(box.Search("HEADER X-Spam \"\"") == "1");  // present with an empty value
  CHECK(box.Search("HEADER Content-Type \"\"") == "2 3 4");
  CHECK(box.Search("CC \"\"") == "1");
  CHECK(box.Search("NOT HEADER Date \"\"") == "2 3 4 5");
  CHECK(box.Search("HEADER X-Absent \"\"") == "");
}

TEST_CASE("imap search: BODY decodes base64 and quoted-printable in ISO-8859-1 and UTF-8") {
  Box box;
  AddCorpus(&box);
  CHECK(box.Search("BODY noon") == "1");
  CHECK(box.Search("BODY " + Lit("Straße in Москва")) == "2");  // base64, UTF-8
  CHECK(box.Search("BODY U3RyYcOfZSBp") == "");
  CHECK(box.Search("BODY " + Lit("Bär tanzt weiter")) == "3");  // QP, ISO-8859-1, soft break
  CHECK(box.Search("BODY B=E4r") == "");
  CHECK(box.Search("BODY " + Lit("café noir")) == "4");  // QP, UTF-8, in a multipart
  CHECK(box.Search("BODY secret") == "");  // the image part is not text
  CHECK(box.Search("BODY lunch") == "");   // BODY is not the header
  CHECK(box.Search("BODY \"\"") == "1 2 3 4 5");
  CHECK(box.Search("TEXT lunch") == "1");  // TEXT is header and body
  CHECK(box.Search("TEXT noon") == "1");
  CHECK(box.Search("TEXT " + Lit("grüße")) == "2");  // decoded header
  CHECK(box.Search("TEXT " + Lit("москва")) == "2");
  CHECK(box.Search("TEXT \"subject: empty\"") == "5");
  CHECK(box.Search("TEXT nowhere") == "");
}

TEST_CASE("imap search: non-ASCII text matches case-insensitively") {
  Box box;
  AddCorpus(&box);
  CHECK(box.Search("SUBJECT " + Lit("üNÏCODE")) == "2");
  CHECK(box.Search("SUBJECT " + Lit("ÜNÏCODE GRÜSSE")) == "");  // full folding (ß -> ss) is not done
  CHECK(box.Search("BODY " + Lit("STRASSE")) == "");             // likewise
  CHECK(box.Search("BODY " + Lit("STRAẞE")) == "2");  // U+1E9E simple-folds to ß
  CHECK(box.Search("BODY " + Lit("МОСКВА")) == "2");  // Cyrillic
  CHECK(box.Search("BODY " + Lit("καλημερα ΚΌΣΜΕ")) == "2");  // Greek, with tonos
  CHECK(box.Search("BODY " + Lit("BÄR")) == "3");  // Latin-1 from ISO-8859-1
  CHECK(box.Search("BODY " + Lit("CAFÉ NOIR")) == "4");
}

TEST_CASE("imap search: SearchFold is simple case folding") {
  CHECK(SearchFold("Hello WORLD 123") == "hello world 123");
  CHECK(SearchFold("ÀÉÎÕÜÝÞ×") == "àéîõüýþ×");  // × is not a letter
  CHECK(SearchFold("ĀĂŁŃŐŒŠŸŽ") == "āăłńőœšÿž");
  CHECK(SearchFold("ǄǅǆǍǞȘȚ") == "ǆǆǆǎǟșț");
  CHECK(SearchFold("ΑΒΓΔΆΈΏΣς") == "αβγδάέώσσ");  // final sigma folds to sigma
  CHECK(SearchFold("ЁЖЯЀЏҐӁ") == "ёжяѐџґӂ");
  // Armenian, Latin Extended Additional, the ohm and kelvin signs
  CHECK(SearchFold("ԱՖ ḀẞỲ \u2126\u212A") == "աֆ ḁßỳ ωk");
  CHECK(SearchFold("ＡＢＣ") == "ａｂｃ");
  CHECK(SearchFold("İı") == "İı");  // no simple folding; no Turkish locale
  CHECK(SearchFold("straße") == "straße");
  CHECK(SearchFold("\xC3\x28 \xFF A") == "\xC3\x28 \xFF a");  // bad bytes copied as they are
  CHECK(SearchFold("漢字 😀") == "漢字 😀");
}

TEST_CASE("imap search: keys on metadata alone never read the bytes") {
  Box box;
  AddCorpus(&box);
  CHECK(box.Search("FLAGGED") == "");
  CHECK(box.Search("OR SEEN NOT DELETED UID 1:* 1:* LARGER 1 SINCE 1-Jan-2000") == "1 2 3 4 5");
  CHECK(box.Search("BODY \"\" TEXT \"\"") == "1 2 3 4 5");  // "" is in every text
  CHECK(box.loads == 0);
}

TEST_CASE("imap search: bytes are read once per message, only when metadata cannot decide") {
  Box box;
  box.Add("Subject: one\n\nalpha\n", store::kFlagFlagged);
  box.Add("Subject: two\n\nbeta\n");
  box.Add("Subject: three\n\nalpha beta\n", store::kFlagFlagged);
  // Every key on the bytes of the same message shares one load.
  CHECK(box.Search("BODY alpha SUBJECT o TEXT beta SENTBEFORE 1-Jan-2030 HEADER subject \"\"") == "");
  CHECK(box.loads == 3);
  box.loads = 0;
  // The metadata key is written last but runs first: only flagged messages load.
  CHECK(box.Search("BODY alpha FLAGGED") == "1 3");
  CHECK(box.loads == 2);
  box.loads = 0;
  // OR: a true metadata branch spares the load.
  CHECK(box.Search("OR BODY beta FLAGGED") == "1 2 3");
  CHECK(box.loads == 1);
  box.loads = 0;
  CHECK(box.Search("NOT OR SUBJECT two 1:2") == "3");
  CHECK(box.loads == 1);
}

TEST_CASE("imap search: a message whose bytes are gone never matches") {
  Box box;
  box.Add("Subject: kept\n\nhere\n");
  box.Add("Subject: gone\n\nhere\n");
  box.Drop(2);
  CHECK(box.Search("BODY here") == "1");
  CHECK(box.Search("NOT BODY nothing") == "1");
  CHECK(box.Search("ALL") == "1 2");  // metadata keys do not look
  box.fail_loads = true;
  CHECK(box.Search("SUBJECT kept") == "<error: disk on fire>");
}

TEST_CASE("imap search: UsesSavedResult finds $ anywhere") {
  auto uses = [](const std::string& criteria) {
    auto cmd = imap::ParseCommandText("t SEARCH " + criteria + "\r\n",
                                      imap::ParserLimits::Authenticated());
    REQUIRE(cmd.ok());
    auto program = imap::ParseSearch(cmd->args);
    REQUIRE(program.ok());
    return UsesSavedResult(program->key);
  };
  CHECK_FALSE(uses("1:* SEEN"));
  CHECK(uses("$"));
  CHECK(uses("SEEN UID 1,$"));
  CHECK(uses("OR SEEN (NOT $)"));
}

}  // namespace
}  // namespace slotmail::imapd

namespace slotmail::imapd {
namespace {

TEST_CASE("imap search: $ stands for the saved UIDs in sequence sets and UID sets") {
  Box box;  // UIDs 10, 20, 30, 40
  for (uint32_t flags : {0u, uint32_t{store::kFlagSeen}, 0u, uint32_t{store::kFlagSeen}}) {
    box.Add("Subject: x\n\nbody\n", flags);
  }
  CHECK(box.Search("$") == "");  // nothing saved yet
  CHECK(box.Search("UID $") == "");
  box.saved = {{20, 30}, {99, 99}};  // 99: expunged since it was saved
  CHECK(box.Search("$") == "2 3");
  CHECK(box.Search("UID $") == "2 3");
  CHECK(box.Search("UID 10,$") == "1 2 3");
  CHECK(box.Search("4,$") == "2 3 4");
  CHECK(box.Search("$ SEEN") == "2");
  CHECK(box.Search("NOT $") == "1 4");
  CHECK(box.Search("OR $ 1") == "1 2 3");
}

TEST_CASE("imap search: WithSavedResult rewrites only keys that use $") {
  auto rewrite = [](const std::string& criteria, const store::UidSet& saved) {
    auto cmd = imap::ParseCommandText("t SEARCH " + criteria + "\r\n",
                                      imap::ParserLimits::Authenticated());
    REQUIRE(cmd.ok());
    auto program = imap::ParseSearch(cmd->args);
    REQUIRE(program.ok());
    return WithSavedResult(program->key, saved).ToString();
  };
  CHECK(rewrite("1:* SEEN", {{5, 6}}) == "(1:* FLAG \\Seen)");
  CHECK(rewrite("$", {{5, 6}, {9, 9}}) == "UID 5:6,9");
  CHECK(rewrite("3,$", {{5, 6}}) == "(OR 3 UID 5:6)");
  CHECK(rewrite("UID 1,$", {{5, 6}}) == "UID 1,5:6");
  CHECK(rewrite("NOT $", {}) == "(NOT UID )");
}

}  // namespace
}  // namespace slotmail::imapd
