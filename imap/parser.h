// Incremental IMAP command parser (client -> server), RFC 3501 / RFC 9051
// syntax with LITERAL+/LITERAL- (RFC 7888) and literal8 (RFC 3516).
// No I/O: the caller hands it whatever bytes arrived and acts on the events.
//
// Lexical rules, and where this parser is lenient on purpose:
//  - A line ends with CRLF or a bare LF (many clients and telnet users are
//    sloppy); a CR not followed by LF is an error. Empty lines are ignored.
//  - Arguments are separated by one or more spaces; trailing spaces before
//    the end of line are ignored. Two tokens with no space between them
//    ("a"b, x(y)) are an error.
//  - tag: ASTRING-CHARs except '+'. Unreadable tag -> untagged error.
//  - command name: ATOM-CHARs, returned uppercased.
//  - kAtom is a *bare token*: printable non-space ASCII except ( ) { " -- a
//    superset of ATOM-CHAR that also carries sequence sets ("1:*"), LIST
//    patterns ("%"), astrings ("a]b") and flags ("\Seen"). In FETCH and
//    UID FETCH a '[' inside a token opens a region, closed by the next ']'
//    outside a quoted string, in which spaces, parentheses and quoted
//    strings are kept verbatim, so BODY.PEEK[HEADER.FIELDS (From To)]<0.100>
//    is ONE token. Elsewhere '[' is an ordinary ATOM-CHAR (LIST "" a[%).
//    Consumers check the grammar they need (IsAtom() for strict atoms).
//  - "NIL" in any case is kNil; its value keeps the text as sent, because in
//    astring position NIL is just an atom.
//  - quoted strings: \\ and \" escapes only; NUL, CR, LF are refused, and
//    8-bit bytes too (RFC 3501 QUOTED-CHAR) unless SetUtf8(true) was called:
//    then well-formed UTF-8 is taken (RFC 9051 QUOTED-CHAR's UTF8-2..4, RFC
//    9755 UTF8=ACCEPT), checked when the closing quote arrives.
//  - literals {n}, {n+} and literal8 ~{n}, ~{n+}. Literal data may not hold
//    NUL (RFC 3501 CHAR8); literal8 data may.
//
// Limits (ParserLimits): the command line excluding literal data, each
// literal (max_append_literal_bytes for APPEND's literals after the mailbox
// name), all literals of a command together, list depth and the number of
// arguments (every element of every list counts). Nothing grows past them.
// ID's line and literals together may always reach kMaxImapIdLineBytes and
// kMaxImapIdLiteralBytes (common/limits.h): RFC 2971 lets it carry that
// much before login.
//
// Errors and resynchronisation. A non-fatal error is reported as soon as it
// is seen; the parser then discards input up to the end of the command line
// and starts afresh, so the connection stays usable. While discarding, a
// literal's bytes are skipped only if the client sends them without waiting:
// a non-synchronising literal {n+}, or a synchronising literal whose "+" the
// parser already asked for (the error was found inside its data). A
// synchronising literal header met while discarding ends the command: the
// client waits for a "+" that never comes and sees the tagged BAD instead.
// A literal over a limit is refused as soon as its header line ends, with
// too_big set: {n} gets no "+" and is never sent; {n+} within the literal
// limit but over max_nonsync_literal_bytes (LITERAL-) has its bytes skipped.
// Fatal errors (line too long, a {n+} bigger than any literal the command may
// carry: skipping it could take forever) leave the parser failed: every later
// call returns the same error and the session must close the connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slotmail::imap {

struct ParserLimits {
  size_t max_line_bytes;              // command line(s) without literal data
  uint64_t max_literal_bytes;         // one literal
  uint64_t max_append_literal_bytes;  // one literal of APPEND after the mailbox
  uint64_t max_nonsync_literal_bytes; // one {n+} literal (LITERAL-: 4096)
  uint64_t max_command_literal_bytes; // all literals of one command
  size_t max_list_depth;              // nested parentheses
  size_t max_args;                    // arguments, list elements included

  static ParserLimits PreAuth();        // before LOGIN/AUTHENTICATE succeeds
  static ParserLimits Authenticated();  // after
};

struct Arg {
  enum Kind { kAtom, kString /* quoted or literal */, kList, kNil };
  Kind kind = kAtom;
  std::string value;      // token text, string contents (unescaped); empty for kList
  std::vector<Arg> list;  // kList elements
  bool literal = false;   // kString that came as a literal (literal8 too)
  bool literal8 = false;  // kString that came as ~{n} (may contain NUL)

  bool IsAtom() const;    // kAtom (or kNil) made only of RFC 3501 ATOM-CHARs
  bool IsString() const { return kind == kString; }
  // kAtom, kNil or kString: the RFC 3501 "astring" position.
  bool IsAstring() const { return kind == kAtom || kind == kNil || kind == kString; }
  // Debug/test rendering: atoms bare, strings quoted, lists in parentheses.
  std::string ToString() const;
};

struct Command {
  std::string tag;
  std::string name;  // uppercased; "UID" for UID commands (args[0] is FETCH etc.)
  std::vector<Arg> args;
};

struct ParseError {
  std::string tag;      // empty if unreadable -> untagged BAD
  std::string message;  // safe to show the client
  bool fatal = false;   // the connection must close
  bool too_big = false; // a size limit was exceeded (RFC 5530 [TOOBIG])
};

class CommandParser {
 public:
  enum class Event {
    kNeedMore,            // all input consumed, nothing complete yet
    kCommand,             // *out holds a whole command
    kContinuationNeeded,  // send "+ ..." now: a synchronising literal follows
    kError,               // *err says what; see fatal
    kLine,                // NextLine only: *line holds one line
  };

  explicit CommandParser(const ParserLimits& limits);
  // Movable (a session replaces its parser after STARTTLS), not copyable.
  CommandParser(CommandParser&&) = default;
  CommandParser& operator=(CommandParser&&) = default;
  CommandParser(const CommandParser&) = delete;
  CommandParser& operator=(const CommandParser&) = delete;

  // Takes effect at once; sessions call it between commands (after login).
  void SetLimits(const ParserLimits& limits);
  // Whether quoted strings may hold UTF-8 (see the file comment). Off at
  // construction; sessions turn it on between commands (ENABLE).
  void SetUtf8(bool allow) { utf8_ = allow; }

  // Consumes bytes from the front of *input until an event happens and
  // returns it; kNeedMore means *input is now empty. Call again with the
  // rest. After kContinuationNeeded the caller sends "+" and keeps feeding.
  // After a fatal kError nothing more is consumed and the same error is
  // returned again.
  Event Next(std::string_view* input, Command* out, ParseError* err);

  // AUTHENTICATE responses and IDLE's DONE: one plain line (CRLF or LF
  // stripped) of at most max_line_bytes, else a fatal error. Returns kLine,
  // kNeedMore or kError. REQUIRES: no command is partly parsed
  // (AtCommandStart() or a previous NextLine call left a partial line).
  Event NextLine(std::string_view* input, std::string* line, ParseError* err);

  // True between commands: no partial command or line is held. STARTTLS
  // must find this true, or plaintext bytes would leak into the TLS session.
  bool AtCommandStart() const;

 private:
  enum class State;
  // What Feed did with the byte it was shown.
  enum class Step { kConsume, kReprocess, kEvent /* consumed it */, kEventKeep };

  Step Feed(char c, Event* event);
  Step FeedTag(char c, Event* event);
  Step FeedName(char c, Event* event);
  Step FeedArgStart(char c, Event* event);
  Step FeedAfterToken(char c, Event* event);
  Step FeedAtom(char c, Event* event);
  Step FeedBracket(char c, Event* event);
  Step FeedQuoted(char c, Event* event);
  Step FeedLiteralHeader(char c, Event* event);
  Step FeedSkip(char c);
  Step OpenList(Event* event);
  Step CloseList(Event* event);
  Step EndOfLine(Event* event);
  Step LiteralHeaderDone(Event* event);
  // A literal announced by the header just read cannot be taken: report it
  // and skip its bytes if the client sends them unasked ({n+}).
  Step RefuseLiteral(std::string message, uint64_t size, bool plus, Event* event);
  void ReadLiteralData(std::string_view* input, Event* event);
  void SkipLiteralData(std::string_view* input);

  // The innermost open list, or the command's top-level arguments.
  std::vector<Arg>& Innermost();
  // Appends to Innermost(); false once max_args is exceeded.
  bool PushArg(Arg arg);
  uint64_t LiteralLimitHere() const;
  // The command being read is FETCH or UID FETCH (section brackets).
  bool InFetch() const;
  // The line limit, and the limit of all literals, of the command being read.
  size_t LineLimitHere() const;
  uint64_t CommandLiteralLimitHere() const;
  // Records an error for the command being read and forgets the command.
  // Unless fatal, the rest of the command line is then discarded.
  Step Fail(std::string message, Event* event, bool fatal = false, bool too_big = false);
  void ResetCommand();
  void StartLiteralHeader(bool literal8);
  void ResetSkip();

  ParserLimits limits_;
  bool utf8_ = false;
  State state_;
  Command cmd_;
  // Open lists, innermost last, pointing into cmd_.args' heap storage (never
  // at members, so moving the parser keeps them valid). Only the innermost
  // list grows while it is open, so the pointers stay valid.
  std::vector<std::vector<Arg>*> open_lists_;
  std::string token_;          // tag, name, atom or quoted string being read
  size_t line_bytes_ = 0;      // command bytes so far, literal data excluded
  size_t args_ = 0;            // Args created for cmd_
  uint64_t literal_total_ = 0; // literal bytes announced for cmd_
  bool cr_ = false;            // a CR was seen; only LF may follow
  bool quoted_in_bracket_ = false;
  bool escape_ = false;
  // The literal being announced ({...}) or read.
  uint64_t literal_size_ = 0;
  bool literal_digits_ = false;
  bool literal_plus_ = false;
  bool literal8_ = false;
  bool literal_closed_ = false;
  uint64_t literal_left_ = 0;
  std::string* literal_dst_ = nullptr;  // the value of the Arg being filled
  // Discarding: does the tail of the line announce a literal ({n} / {n+})?
  bool skip_brace_ = false;
  bool skip_digits_ = false;
  bool skip_plus_ = false;
  bool skip_closed_ = false;
  uint64_t skip_size_ = 0;     // announced size, then bytes left to skip
  ParseError error_;           // the last (or the fatal) error
  std::string line_;           // NextLine's partial line
};

// Parses one whole command held in memory, literals inline (continuation
// requests are not needed). InvalidArgument with the parser's message if it
// is malformed or incomplete. For tests, tools and replayed transcripts.
Result<Command> ParseCommandText(std::string_view text, const ParserLimits& limits);

// RFC 3501 ATOM-CHAR: any CHAR except atom-specials ( ) { SP CTL % * " \ ].
bool IsAtomChar(char c);
// ASCII-only case folding; network keywords are ASCII.
std::string AsciiUpper(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace slotmail::imap
