#include "imap/parser.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace slotmail::imap {
namespace {

using namespace std::string_literals;  // "\0"s keeps the NUL
using Event = CommandParser::Event;

// One line per event: "tag NAME args" for a command, "+" for a continuation
// request, "BAD tag|*: message [fatal] [toobig]" for an error.
std::string Describe(Event ev, const Command& cmd, const ParseError& err) {
  switch (ev) {
    case Event::kCommand: {
      std::string out = cmd.tag + " " + cmd.name;
      for (const Arg& a : cmd.args) out += " " + a.ToString();
      return out;
    }
    case Event::kContinuationNeeded:
      return "+";
    case Event::kError:
      return "BAD " + (err.tag.empty() ? "*"s : err.tag) + ": " + err.message +
             (err.fatal ? " [fatal]" : "") + (err.too_big ? " [toobig]" : "");
    case Event::kNeedMore:
    case Event::kLine:
      break;
  }
  return "?";
}

// Feeds `input` in pieces of `chunk` bytes and records every event; stops
// after a fatal error.
std::vector<std::string> Drive(std::string_view input, size_t chunk, const ParserLimits& limits,
                               bool utf8 = false) {
  CommandParser parser(limits);
  parser.SetUtf8(utf8);
  std::vector<std::string> out;
  for (size_t pos = 0; pos < input.size(); pos += chunk) {
    std::string_view piece = input.substr(pos, chunk);
    for (;;) {
      Command cmd;
      ParseError err;
      const Event ev = parser.Next(&piece, &cmd, &err);
      if (ev == Event::kNeedMore) {
        CHECK(piece.empty());
        break;
      }
      out.push_back(Describe(ev, cmd, err));
      if (ev == Event::kError && err.fatal) return out;
    }
  }
  return out;
}

// Events for `input` fed whole; the same must come out when it is fed one
// byte at a time and in a few other splits.
std::vector<std::string> Parse(std::string_view input,
                               const ParserLimits& limits = ParserLimits::Authenticated(),
                               bool utf8 = false) {
  const std::vector<std::string> whole = Drive(input, input.size() + 1, limits, utf8);
  for (size_t chunk : {1, 2, 3, 7}) {
    CAPTURE(chunk);
    CHECK(Drive(input, chunk, limits, utf8) == whole);
  }
  return whole;
}

// Parse with UTF-8 quoted strings allowed (IMAP4rev2, UTF8=ACCEPT).
std::vector<std::string> ParseUtf8(std::string_view input) {
  return Parse(input, ParserLimits::Authenticated(), true);
}

using Events = std::vector<std::string>;

// What an 8-bit byte outside a string is answered with: the real problem,
// not a syntax error it happens to cause.
constexpr char kEightBit[] =
    "8-bit characters need a literal, or a quoted string after ENABLE UTF8=ACCEPT";

// The single command in `text`. REQUIRES: it parses.
Command One(std::string_view text) {
  Result<Command> r = ParseCommandText(text, ParserLimits::Authenticated());
  REQUIRE(r.ok());
  return r.value();
}

ParserLimits Tiny() {
  ParserLimits l = ParserLimits::Authenticated();
  l.max_line_bytes = 40;
  l.max_literal_bytes = 10;
  l.max_append_literal_bytes = 100;
  l.max_nonsync_literal_bytes = 5;
  l.max_command_literal_bytes = 150;
  l.max_list_depth = 2;
  l.max_args = 6;
  return l;
}

TEST_CASE("imap parser: simple commands, case and line endings") {
  CHECK(Parse("a1 NOOP\r\n") == Events{"a1 NOOP"});
  CHECK(Parse("a1 noop\r\nA2 Capability\r\n") == Events{"a1 NOOP", "A2 CAPABILITY"});
  CHECK(Parse("a1 NOOP\n") == Events{"a1 NOOP"});                  // bare LF accepted
  CHECK(Parse("\r\n\n\r\na1 NOOP\r\n") == Events{"a1 NOOP"});      // empty lines ignored
  CHECK(Parse("a1 LOGIN  bob   pw  \r\n") == Events{"a1 LOGIN bob pw"});  // lenient spaces
  CHECK(Parse("t]x SELECT INBOX\r\n") == Events{"t]x SELECT INBOX"});     // ']' is a tag char
  CHECK(Parse("a UID FETCH 1:* FLAGS\r\n") == Events{"a UID FETCH 1:* FLAGS"});
  CHECK(Parse("a1 NOOP") == Events{});  // incomplete: no event yet
}

TEST_CASE("imap parser: atoms carry wildcards, flags and astring chars") {
  Command c = One("a STORE 1,3:* +FLAGS.SILENT (\\Seen $Junk)\r\n");
  REQUIRE(c.args.size() == 3);
  CHECK(c.args[0].value == "1,3:*");
  CHECK(c.args[1].value == "+FLAGS.SILENT");
  REQUIRE(c.args[2].kind == Arg::kList);
  CHECK(c.args[2].list[0].value == "\\Seen");
  CHECK_FALSE(c.args[2].list[0].IsAtom());  // '\' is not an ATOM-CHAR
  CHECK(c.args[2].list[1].IsAtom());
  CHECK(Parse("a LIST \"\" %/*\r\n") == Events{"a LIST \"\" %/*"});
  CHECK(Parse("a X ~foo ~\r\n") == Events{"a X ~foo ~"});
}

TEST_CASE("imap parser: FETCH section atoms stay one token") {
  Command c = One("a FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.100> BODY[])\r\n");
  REQUIRE(c.args.size() == 2);
  REQUIRE(c.args[1].list.size() == 3);
  CHECK(c.args[1].list[1].kind == Arg::kAtom);
  CHECK(c.args[1].list[1].value == "BODY.PEEK[HEADER.FIELDS (From To)]<0.100>");
  CHECK(c.args[1].list[2].value == "BODY[]");
  // Unbracketed item at the end of the line, a quoted "]" inside, names like [Gmail]/x.
  CHECK(One("a FETCH 1 BODY[HEADER.FIELDS (\"X]\" A)]\r\n").args[1].value ==
        "BODY[HEADER.FIELDS (\"X]\" A)]");
  CHECK(One("a SELECT [Gmail]/All\r\n").args[0].value == "[Gmail]/All");
  CHECK(Parse("a FETCH 1 BODY[TEXT\r\nb NOOP\r\n") == Events{"BAD a: Missing ']'", "b NOOP"});
  CHECK(One("a uid fetch 1 BODY[HEADER.FIELDS (A)]\r\n").args[2].value ==
        "BODY[HEADER.FIELDS (A)]");
}

TEST_CASE("imap parser: outside FETCH '[' is an ATOM-CHAR like any other (RFC 3501 9)") {
  CHECK(Parse("a LIST \"\" !#$&'+,-.0123456789:;<=>?@^_`|[}%*\r\n") ==
        Events{"a LIST \"\" !#$&'+,-.0123456789:;<=>?@^_`|[}%*"});
  CHECK(Parse("a SELECT x[y\r\n") == Events{"a SELECT x[y"});
  CHECK(One("b CREATE [a b]\r\n").args.size() == 2);
}

TEST_CASE("imap parser: quoted strings, escapes and NIL") {
  Command c = One("a LOGIN \"us\\\"er\" \"p\\\\w d\"\r\n");
  REQUIRE(c.args.size() == 2);
  CHECK(c.args[0].kind == Arg::kString);
  CHECK(c.args[0].value == "us\"er");
  CHECK(c.args[1].value == "p\\w d");
  CHECK_FALSE(c.args[0].literal);
  CHECK(One("a X \"\"\r\n").args[0].value.empty());
  Command n = One("a X nil NIL (NIL) NILS\r\n");
  CHECK(n.args[0].kind == Arg::kNil);
  CHECK(n.args[0].value == "nil");  // as sent, for astring use
  CHECK(n.args[0].IsAstring());
  CHECK(n.args[2].list[0].kind == Arg::kNil);
  CHECK(n.args[3].kind == Arg::kAtom);
}

TEST_CASE("imap parser: bad quoted strings are tagged errors and the line is skipped") {
  CHECK(Parse("a X \"abc\r\nb NOOP\r\n") == Events{"BAD a: Unterminated quoted string", "b NOOP"});
  CHECK(Parse("a X \"a\\qb\"\r\nb NOOP\r\n") ==
        Events{"BAD a: Invalid escape in quoted string", "b NOOP"});
  CHECK(Parse("a X \"a\xc3\xa9\"\r\nb NOOP\r\n") == Events{"BAD a: "s + kEightBit, "b NOOP"});
  CHECK(Parse("a X \"a\0b\"\r\nb NOOP\r\n"s) ==
        Events{"BAD a: Invalid character in quoted string", "b NOOP"});
  CHECK(Parse("a X \"a\rb\"\r\nb NOOP\r\n") == Events{"BAD a: CR not followed by LF", "b NOOP"});
}

TEST_CASE("imap parser: UTF-8 quoted strings only when enabled, and only well-formed") {
  CHECK(ParseUtf8("a CREATE \"caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x93\xa7\"\r\n") ==
        Events{"a CREATE \"caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x93\xa7\""});
  CHECK(ParseUtf8("a X \"\xc3\"\r\nb NOOP\r\n") ==
        Events{"BAD a: Invalid UTF-8 in quoted string", "b NOOP"});  // truncated
  CHECK(ParseUtf8("a X \"\xc0\xaf\"\r\nb NOOP\r\n") ==
        Events{"BAD a: Invalid UTF-8 in quoted string", "b NOOP"});  // overlong
  CHECK(ParseUtf8("a X \"\xed\xa0\x80\"\r\nb NOOP\r\n") ==
        Events{"BAD a: Invalid UTF-8 in quoted string", "b NOOP"});  // surrogate
  CHECK(ParseUtf8("a X \"a\0b\"\r\nb NOOP\r\n"s) ==
        Events{"BAD a: Invalid character in quoted string", "b NOOP"});
  // Atoms stay ASCII (RFC 9051 ATOM-CHAR).
  CHECK(ParseUtf8("a X caf\xc3\xa9\r\nb NOOP\r\n") == Events{"BAD a: "s + kEightBit, "b NOOP"});
  CHECK(ParseUtf8("a X \xc3\xa9\r\nb NOOP\r\n") == Events{"BAD a: "s + kEightBit, "b NOOP"});
  CommandParser parser(ParserLimits::Authenticated());
  std::string_view in = "a X \"\xc3\xa9\"\r\n";
  Command cmd;
  ParseError err;
  CHECK(parser.Next(&in, &cmd, &err) == Event::kError);  // off by default
}

TEST_CASE("imap parser: lists nest and must balance") {
  CHECK(Parse("a X (a (b c) ()) d\r\n") == Events{"a X (a (b c) ()) d"});
  CHECK(Parse("a X ( a b )\r\n") == Events{"a X (a b)"});
  CHECK(Parse("a X (a b\r\nb NOOP\r\n") == Events{"BAD a: Missing ')'", "b NOOP"});
  CHECK(Parse("a X a)\r\nb NOOP\r\n") == Events{"BAD a: Unexpected ')'", "b NOOP"});
  CHECK(Parse("a X (a)(b)\r\nb NOOP\r\n") ==
        Events{"BAD a: Missing space between arguments", "b NOOP"});
  CHECK(Parse("a X \"a\"\"b\"\r\nb NOOP\r\n") ==
        Events{"BAD a: Missing space between arguments", "b NOOP"});
  CHECK(Parse("a X abc{3}\r\nb NOOP\r\n") ==
        Events{"BAD a: Missing space between arguments", "b NOOP"});
}

TEST_CASE("imap parser: tags, names and untagged errors") {
  CHECK(Parse(" NOOP\r\nb NOOP\r\n") == Events{"BAD *: Missing tag", "b NOOP"});
  CHECK(Parse("* NOOP\r\nb NOOP\r\n") == Events{"BAD *: Missing tag", "b NOOP"});
  CHECK(Parse("a+b NOOP\r\nb NOOP\r\n") == Events{"BAD *: Invalid character in tag", "b NOOP"});
  CHECK(Parse("a%b NOOP\r\n") == Events{"BAD *: Invalid character in tag"});
  CHECK(Parse("a\xff NOOP\r\n") == Events{"BAD *: Invalid character in tag"});
  CHECK(Parse("abc\r\nb NOOP\r\n") == Events{"BAD abc: Missing command name", "b NOOP"});
  CHECK(Parse("abc \r\n") == Events{"BAD abc: Missing command name"});
  CHECK(Parse("a NO*OP\r\nb NOOP\r\n") ==
        Events{"BAD a: Invalid character in command name", "b NOOP"});
  CHECK(Parse("a X \x01\r\nb NOOP\r\n") == Events{"BAD a: Invalid character in command", "b NOOP"});
  CHECK(Parse("a NOOP\rb NOOP\r\nc NOOP\r\n") == Events{"BAD a: CR not followed by LF", "c NOOP"});
  CHECK(Parse("\r\rb NOOP\r\n") == Events{"BAD *: CR not followed by LF"});
}

TEST_CASE("imap parser: synchronising literals ask for continuation") {
  CHECK(Parse("a LOGIN {5}\r\nalice {3}\r\npwd\r\n") ==
        Events{"+", "+", "a LOGIN {5}alice {3}pwd"});

  // The "+" comes as soon as the header line is complete, before any data.
  CommandParser p(ParserLimits::Authenticated());
  std::string_view in = "a LOGIN {5}\r\n";
  Command cmd;
  ParseError err;
  CHECK(p.Next(&in, &cmd, &err) == Event::kContinuationNeeded);
  CHECK(in.empty());
  CHECK_FALSE(p.AtCommandStart());
  in = "ali";
  CHECK(p.Next(&in, &cmd, &err) == Event::kNeedMore);
  in = "ce \"x\"\r\n";
  CHECK(p.Next(&in, &cmd, &err) == Event::kCommand);
  CHECK(cmd.args[0].value == "alice");
  CHECK(cmd.args[0].literal);
  CHECK(cmd.args[1].value == "x");
  CHECK(p.AtCommandStart());
}

TEST_CASE("imap parser: literal contents are taken verbatim") {
  const std::string body = "line1\r\n(\"{3}\r\n\xff)";
  const std::string in = "a X (x {" + std::to_string(body.size()) + "+}\r\n" + body + ") y\r\n";
  const Events ev = Parse(in);
  REQUIRE(ev.size() == 1);
  Command c = One(in);
  CHECK(c.args[0].list[1].value == body);
  CHECK(c.args[1].value == "y");
  CHECK(Parse("a X {0}\r\n\r\n") == Events{"+", "a X {0}"});
  CHECK(Parse("a X {0+}\r\n {0+}\r\n\r\n") == Events{"a X {0} {0}"});
  CHECK(Parse("a X {00003+}\r\nabc\r\n") == Events{"a X {3}abc"});
}

TEST_CASE("imap parser: literal8 may carry NUL, a plain literal may not") {
  Command c = One("a APPEND INBOX ~{3+}\r\na\0b\r\n"s);
  CHECK(c.args[1].literal8);
  CHECK(c.args[1].value == "a\0b"s);
  CHECK(Parse("a APPEND INBOX ~{3}\r\na\0b\r\n"s) == Events{"+", "a APPEND INBOX ~{3}a\0b"s});
  // The NUL is found inside data the client was asked for: skip the rest of
  // the literal and of the line, then carry on.
  CHECK(Parse("a X {4}\r\na\0bc more {2+}\r\nzz\r\nb NOOP\r\n"s) ==
        Events{"+", "BAD a: NUL in literal (use literal8)", "b NOOP"});
}

TEST_CASE("imap parser: malformed literal headers") {
  CHECK(Parse("a X {abc}\r\nb NOOP\r\n") == Events{"BAD a: Invalid literal size", "b NOOP"});
  CHECK(Parse("a X {}\r\nb NOOP\r\n") == Events{"BAD a: Invalid literal size", "b NOOP"});
  CHECK(Parse("a X {+}\r\nb NOOP\r\n") == Events{"BAD a: Invalid literal size", "b NOOP"});
  CHECK(Parse("a X {3++}\r\nb NOOP\r\n") == Events{"BAD a: Invalid literal size", "b NOOP"});
  CHECK(Parse("a X {3\r\nb NOOP\r\n") == Events{"BAD a: Invalid literal size", "b NOOP"});
  CHECK(Parse("a X {3} x\r\nb NOOP\r\n") ==
        Events{"BAD a: Literal size must end the line", "b NOOP"});
  CHECK(Parse("a X ~{3x}\r\nb NOOP\r\n") == Events{"BAD a: Invalid literal size", "b NOOP"});
}

TEST_CASE("imap parser: a broken literal header leaves nothing behind for the next one") {
  CHECK(Parse("a X {3x}\r\nb X {2}\r\nab\r\n") ==
        Events{"BAD a: Invalid literal size", "+", "b X {2}ab"});
  CHECK(Parse("a X {3+ }\r\nb X {2}\r\nab\r\n") ==
        Events{"BAD a: Invalid literal size", "+", "b X {2}ab"});
  CHECK(Parse("a X ~{3} x\r\nb X {2}\r\nab\r\n") ==
        Events{"BAD a: Literal size must end the line", "+", "b X {2}ab"});
  CHECK(Parse("a X {3} x\r\nb X ~{2}\r\nab\r\n") ==
        Events{"BAD a: Literal size must end the line", "+", "b X ~{2}ab"});
}

TEST_CASE("imap parser: LITERAL- limits non-synchronising literals") {
  // Over 4096 but within the literal limit: refused, its bytes skipped, the
  // connection stays usable (RFC 7888 4).
  const std::string data(5000, 'x');
  CHECK(Parse("a X {5000+}\r\n" + data + " more\r\nb NOOP\r\n") ==
        Events{"BAD a: Non-synchronizing literal too big [toobig]", "b NOOP"});
  CHECK(Parse("a X {4096+}\r\n" + std::string(4096, 'y') + "\r\n").size() == 1);
  // Bigger than any literal this command may carry: fatal.
  CHECK(Parse("a X {100000+}\r\n") == Events{"BAD a: Literal too big [fatal] [toobig]"});
  CHECK(Parse("a X {99999999999999999999999+}\r\n") ==
        Events{"BAD a: Literal too big [fatal] [toobig]"});
}

TEST_CASE("imap parser: a synchronising literal that is too big is refused, not read") {
  CHECK(Parse("a X {100000}\r\nb NOOP\r\n") ==
        Events{"BAD a: Literal too big [toobig]", "b NOOP"});
  CHECK(Parse("a X {99999999999999999999999}\r\nb NOOP\r\n") ==
        Events{"BAD a: Literal too big [toobig]", "b NOOP"});
  CHECK(Parse("a X {11}\r\nb NOOP\r\n", Tiny()) ==
        Events{"BAD a: Literal too big [toobig]", "b NOOP"});
  CHECK(Parse("a X {10}\r\n0123456789\r\n", Tiny()) == Events{"+", "a X {10}0123456789"});
}

TEST_CASE("imap parser: APPEND's message literal has its own limit") {
  ParserLimits l = Tiny();
  const std::string msg(100, 'm');
  CHECK(Parse("a APPEND INBOX (\\Seen) {100}\r\n" + msg + "\r\n", l) ==
        Events{"+", "a APPEND INBOX (\\Seen) {100}" + msg});
  CHECK(Parse("a append INBOX {101}\r\nb NOOP\r\n", l) ==
        Events{"BAD a: Literal too big [toobig]", "b NOOP"});
  // The mailbox name is not the message: the normal limit applies to it.
  CHECK(Parse("a APPEND {11}\r\nb NOOP\r\n", l) ==
        Events{"BAD a: Literal too big [toobig]", "b NOOP"});
  // Other commands do not get the APPEND allowance.
  CHECK(Parse("a XAPPEND INBOX {100}\r\nb NOOP\r\n", l) ==
        Events{"BAD a: Literal too big [toobig]", "b NOOP"});
  // All literals of one command together.
  CHECK(Parse("a APPEND INBOX {100}\r\n" + msg + " {60}\r\nb NOOP\r\n", l) ==
        Events{"+", "BAD a: Literal too big [toobig]", "b NOOP"});
}

TEST_CASE("imap parser: command line too long is fatal") {
  ParserLimits l = Tiny();  // 40 bytes
  const std::string ok = "a X " + std::string(34, 'x') + "\r\n";  // exactly 40
  REQUIRE(ok.size() == 40);
  CHECK(Parse(ok, l) == Events{"a X " + std::string(34, 'x')});
  CHECK(Parse("a X " + std::string(35, 'x') + "\r\nb NOOP\r\n", l) ==
        Events{"BAD a: Command line too long [fatal] [toobig]"});
  CHECK(Parse(std::string(50, 'a'), l) == Events{"BAD *: Command line too long [fatal] [toobig]"});
  // Literal data does not count, the text around it does.
  const std::string data(100, 'd');
  CHECK(Parse("a APPEND INBOX {100}\r\n" + data + " " + std::string(30, 'x') + "\r\n", l) ==
        Events{"+", "BAD a: Command line too long [fatal] [toobig]"});
  CHECK(Parse("a APPEND INBOX {100}\r\n" + data + " " + std::string(10, 'x') + "\r\n", l).size() ==
        2);
}

TEST_CASE("imap parser: ID has room for RFC 2971's largest parameter list in every state") {
  // 30 pairs, 30-octet fields, 1024-octet values, every octet escaped.
  std::string field = "\"" + std::string(30, 'f') + "\"";
  std::string value = "\"";
  for (int i = 0; i < 512; ++i) value += "\\\"\\\\";
  value += "\"";
  std::string params, literals;
  for (int i = 0; i < 30; ++i) {
    params += (i ? " " : "") + field + " " + value;
    literals += (i ? " " : "") + field + " {1024+}\r\n" + std::string(1024, 'v');
  }
  const std::string id = "a ID (" + params + ")\r\n";
  REQUIRE(id.size() > ParserLimits::PreAuth().max_line_bytes);
  for (const ParserLimits& l : {ParserLimits::PreAuth(), ParserLimits::Authenticated()}) {
    Events got = Parse(id, l);
    REQUIRE(got.size() == 1);
    CHECK(got[0].rfind("a ID (", 0) == 0);
    CHECK(Parse("a ID (" + literals + ")\r\n", l).size() == 1);
  }
  // The allowance is ID's alone: the same line as another command is too long.
  CHECK(Parse("a XID (" + params + ")\r\n", ParserLimits::PreAuth()) ==
        Events{"BAD a: Command line too long [fatal] [toobig]"});
  CHECK(Parse("a XID (" + literals + ")\r\n", ParserLimits::PreAuth()).back() ==
        "BAD a: Literal too big [toobig]");
}

TEST_CASE("imap parser: a fatal error sticks") {
  CommandParser p(Tiny());
  std::string_view in = "a X {100000+}\r\nb NOOP\r\n";
  Command cmd;
  ParseError err;
  REQUIRE(p.Next(&in, &cmd, &err) == Event::kError);
  CHECK(err.fatal);
  const size_t left = in.size();
  ParseError again;
  CHECK(p.Next(&in, &cmd, &again) == Event::kError);
  CHECK(again.fatal);
  CHECK(again.message == err.message);
  CHECK(in.size() == left);
  std::string line;
  CHECK(p.NextLine(&in, &line, &again) == Event::kError);
}

TEST_CASE("imap parser: nesting depth and argument count are bounded") {
  ParserLimits l = Tiny();  // depth 2, 6 args
  CHECK(Parse("a X ((a))\r\n", l) == Events{"a X ((a))"});
  CHECK(Parse("a X (((a)))\r\nb NOOP\r\n", l) ==
        Events{"BAD a: Lists nested too deeply [toobig]", "b NOOP"});
  CHECK(Parse("a X 1 2 3 4 5 6\r\n", l) == Events{"a X 1 2 3 4 5 6"});
  CHECK(Parse("a X 1 2 3 4 5 6 7\r\nb NOOP\r\n", l) ==
        Events{"BAD a: Too many arguments [toobig]", "b NOOP"});
  CHECK(Parse("a X (1 2) (3 4 5)\r\nb NOOP\r\n", l) ==
        Events{"BAD a: Too many arguments [toobig]", "b NOOP"});
  CHECK(Parse("a X 1 2 3 4 5 \"6\" \"7\"\r\n", l) == Events{"BAD a: Too many arguments [toobig]"});
  CHECK(Parse("a X 1 2 3 4 5 6 {2}\r\nb NOOP\r\n", l) ==
        Events{"BAD a: Too many arguments [toobig]", "b NOOP"});
  CHECK(Parse("a X 1 2 3 4 5 6 {2+}\r\nzz\r\nb NOOP\r\n", l) ==
        Events{"BAD a: Too many arguments [toobig]", "b NOOP"});
  // Deep nesting before login is refused early.
  CHECK(Parse("a ID (((x)))\r\n", ParserLimits::PreAuth()) ==
        Events{"BAD a: Lists nested too deeply [toobig]"});
}

TEST_CASE("imap parser: resynchronises after errors, skipping only literals the client sends") {
  // A non-synchronising literal in the discarded tail is sent anyway: skip it.
  CHECK(Parse("a X \x01 {3+}\r\nabc\r\nb NOOP\r\n") ==
        Events{"BAD a: Invalid character in command", "b NOOP"});
  // Its bytes may look like anything, even a command.
  CHECK(Parse("a X \x01 {9+}\r\nz NOOP\r\n\r\nb NOOP\r\n") ==
        Events{"BAD a: Invalid character in command", "b NOOP"});
  // A synchronising one is never sent (no "+"): the line ends there.
  CHECK(Parse("a X \x01 {3}\r\nb NOOP\r\n") ==
        Events{"BAD a: Invalid character in command", "b NOOP"});
  // Chained literals in the discarded part.
  CHECK(Parse("a X \x01 {2+}\r\nxx {2+}\r\nyy\r\nb NOOP\r\n") ==
        Events{"BAD a: Invalid character in command", "b NOOP"});
  // Braces that are not a literal header at the end of the line.
  CHECK(Parse("a X \x01 {2+} x\r\nb NOOP\r\n") ==
        Events{"BAD a: Invalid character in command", "b NOOP"});
  CHECK(Parse("a X \x01 {2+\r\nb NOOP\r\n") ==
        Events{"BAD a: Invalid character in command", "b NOOP"});
  // A lone CR while discarding does not matter.
  CHECK(Parse("a X \x01 \r x\r\nb NOOP\r\n") ==
        Events{"BAD a: Invalid character in command", "b NOOP"});
  // After a non-fatal error the next command parses from scratch.
  CHECK(Parse("a X (\r\nb X (c)\r\n") == Events{"BAD a: Missing ')'", "b X (c)"});
}

TEST_CASE("imap parser: limits can be raised after login") {
  CommandParser p(ParserLimits::PreAuth());
  const std::string big = "a X \"" + std::string(10000, 'q') + "\"\r\n";
  std::string_view in = big;
  Command cmd;
  ParseError err;
  CHECK(p.Next(&in, &cmd, &err) == Event::kError);
  CHECK(err.fatal);

  CommandParser q(ParserLimits::PreAuth());
  in = "a LOGIN u p\r\n";
  REQUIRE(q.Next(&in, &cmd, &err) == Event::kCommand);
  q.SetLimits(ParserLimits::Authenticated());
  in = big;
  CHECK(q.Next(&in, &cmd, &err) == Event::kCommand);
  CHECK(cmd.args[0].value.size() == 10000);
}

TEST_CASE("imap parser: NextLine reads AUTHENTICATE responses") {
  CommandParser p(ParserLimits::PreAuth());
  const std::string in = "a AUTHENTICATE PLAIN\r\nAGJvYgBwdw==\r\n*\nb NOOP\r\n";
  for (size_t chunk : {size_t{1}, size_t{3}, in.size()}) {
    CAPTURE(chunk);
    CommandParser parser(ParserLimits::PreAuth());
    std::vector<std::string> got;
    int mode = 0;  // 0: command, 1-2: lines
    for (size_t pos = 0; pos < in.size(); pos += chunk) {
      std::string_view piece = std::string_view(in).substr(pos, chunk);
      while (!piece.empty()) {
        Command cmd;
        ParseError err;
        std::string line;
        if (mode == 1 || mode == 2) {
          if (parser.NextLine(&piece, &line, &err) == Event::kLine) {
            got.push_back("line " + line);
            ++mode;
          }
        } else if (parser.Next(&piece, &cmd, &err) == Event::kCommand) {
          got.push_back(cmd.tag + " " + cmd.name);
          ++mode;
        }
      }
    }
    CHECK(got == std::vector<std::string>{"a AUTHENTICATE", "line AGJvYgBwdw==", "line *",
                                          "b NOOP"});
  }

  ParserLimits l = Tiny();
  CommandParser q(l);
  std::string_view long_line = "0123456789012345678901234567890123456789\r\n";
  std::string line;
  ParseError err;
  CHECK(q.NextLine(&long_line, &line, &err) == Event::kError);
  CHECK(err.fatal);
  CHECK(err.tag.empty());
}

TEST_CASE("imap parser: AtCommandStart is false in the middle of a command") {
  CommandParser p(ParserLimits::Authenticated());
  Command cmd;
  ParseError err;
  CHECK(p.AtCommandStart());
  std::string_view in = "a STARTTLS";
  CHECK(p.Next(&in, &cmd, &err) == Event::kNeedMore);
  CHECK_FALSE(p.AtCommandStart());
  in = "\r\n";
  CHECK(p.Next(&in, &cmd, &err) == Event::kCommand);
  CHECK(p.AtCommandStart());
  in = "\r";  // half a line end is part of a line
  CHECK(p.Next(&in, &cmd, &err) == Event::kNeedMore);
  CHECK_FALSE(p.AtCommandStart());
  in = "\n";
  CHECK(p.Next(&in, &cmd, &err) == Event::kNeedMore);
  CHECK(p.AtCommandStart());
}

TEST_CASE("imap parser: a parser moved in the middle of a command carries on") {
  CommandParser p(ParserLimits::Authenticated());
  Command cmd;
  ParseError err;
  std::string_view in = "a X (b (c {3}\r\n";
  REQUIRE(p.Next(&in, &cmd, &err) == Event::kContinuationNeeded);
  in = "d";
  REQUIRE(p.Next(&in, &cmd, &err) == Event::kNeedMore);
  CommandParser moved = std::move(p);
  CommandParser assigned(ParserLimits::PreAuth());
  assigned = std::move(moved);
  in = "ef) g) h\r\n";
  REQUIRE(assigned.Next(&in, &cmd, &err) == Event::kCommand);
  CHECK(Describe(Event::kCommand, cmd, err) == "a X (b (c {3}def) g) h");
}

TEST_CASE("imap parser: ParseCommandText") {
  CHECK(ParseCommandText("a NOOP\r\n", ParserLimits::PreAuth()).ok());
  CHECK(ParseCommandText("a NOOP", ParserLimits::PreAuth()).status().message() ==
        "Incomplete command");
  CHECK(ParseCommandText("a X (\r\n", ParserLimits::PreAuth()).status().message() ==
        "Missing ')'");
  CHECK(ParseCommandText("a X {3}\r\nabc\r\n", ParserLimits::PreAuth())->args[0].value == "abc");
}

TEST_CASE("imap parser: IsAtomChar and helpers") {
  for (char c : std::string("abcXYZ019+-.:!#$&'<>=?@[^_`|~")) {
    CAPTURE(c);
    CHECK(IsAtomChar(c));
  }
  for (char c : std::string("(){%*\"\\] \x01\x7f\xff")) {
    CAPTURE(c);
    CHECK_FALSE(IsAtomChar(c));
  }
  CHECK(AsciiUpper("aBc\xe9") == "ABC\xe9");
  CHECK(EqualsIgnoreCase("Nil", "NIL"));
  CHECK_FALSE(EqualsIgnoreCase("NI", "NIL"));
}

}  // namespace
}  // namespace slotmail::imap
