// libFuzzer target: the IMAP command parser and the sub-parsers that read
// its arguments (sequence sets, modified UTF-7, FETCH items, SEARCH, the
// RFC 7162 SELECT parameters and FETCH/STORE modifiers).
//
// Input layout: byte 0 picks the limits (% 3: authenticated, pre-auth,
// tiny) and whether quoted strings may be UTF-8 (/ 3 odd), byte 1 seeds how the rest is split into pieces; the rest is what a
// client sends. Beyond "no crash, no leak, no UB" it checks properties:
//  - the events are the same whether the input arrives whole, one byte at a
//    time or in random pieces (the parser is truly incremental);
//  - nothing leaks from one command to the next: wherever the parser is
//    between commands, a fresh parser given the rest of the input produces
//    the rest of the events;
//  - modified UTF-7 decoding accepts only canonical text (re-encoding gives
//    the input back) and encoding round-trips;
//  - a sequence set prints back to itself and resolves to sorted, disjoint
//    ranges within [1, max] that agree with Contains().
// Build and run: make fuzz / make fuzz-smoke.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "imap/condstore_args.h"
#include "imap/fetch_items.h"
#include "imap/mutf7.h"
#include "imap/parser.h"
#include "imap/search_parse.h"
#include "imap/sequence_set.h"

namespace slotmail::imap {
namespace {

using Event = CommandParser::Event;

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "property violated: %s: [%.*s]\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

ParserLimits LimitsFor(uint8_t selector) {
  switch (selector % 3) {
    case 0:
      return ParserLimits::Authenticated();
    case 1:
      return ParserLimits::PreAuth();
    default: {
      ParserLimits tiny = ParserLimits::Authenticated();
      tiny.max_line_bytes = 64;
      tiny.max_literal_bytes = 16;
      tiny.max_append_literal_bytes = 64;
      tiny.max_nonsync_literal_bytes = 8;
      tiny.max_command_literal_bytes = 100;
      tiny.max_list_depth = 3;
      tiny.max_args = 12;
      return tiny;
    }
  }
}

void CheckMutf7(const std::string& s) {
  Result<std::string> utf8 = Mutf7ToUtf8(s);
  if (utf8.ok()) {
    Result<std::string> back = Utf8ToMutf7(utf8.value());
    if (!back.ok() || back.value() != s) Fail("mutf7 decode is not canonical", s);
  }
  Result<std::string> mutf7 = Utf8ToMutf7(s);
  if (mutf7.ok()) {
    Result<std::string> back = Mutf7ToUtf8(mutf7.value());
    if (!back.ok() || back.value() != s) Fail("mutf7 encode does not round-trip", s);
  }
}

void CheckSequenceSet(const std::string& text) {
  Result<SequenceSet> set = SequenceSet::Parse(text);
  if (!set.ok()) return;
  Result<SequenceSet> again = SequenceSet::Parse(set->ToString());
  if (!again.ok() || again->ToString() != set->ToString()) Fail("sequence set reprint", text);
  for (uint32_t max : {0u, 1u, 7u, 1000u, UINT32_MAX}) {
    const std::vector<SeqRange> ranges = set->Resolve(max);
    uint64_t prev_hi = 0;
    for (const SeqRange& r : ranges) {
      if (r.lo < 1 || r.lo > r.hi || r.hi > max) Fail("range outside [1, max]", text);
      if (prev_hi != 0 && r.lo <= prev_hi + 1) Fail("ranges not sorted and merged", text);
      prev_hi = r.hi;
      if (!set->Contains(r.lo, max) || !set->Contains(r.hi, max)) Fail("Contains", text);
      if (r.lo > 1 && set->Contains(r.lo - 1, max)) Fail("Contains below", text);
      if (r.hi < UINT32_MAX && set->Contains(r.hi + 1, max)) Fail("Contains above", text);
    }
    Result<SequenceSet> formatted = SequenceSet::Parse(FormatRanges(ranges));
    if (!ranges.empty() && (!formatted.ok() || formatted->Resolve(max) != ranges)) {
      Fail("FormatRanges round trip", text);
    }
  }
}

void CheckArgs(const std::vector<Arg>& args) {
  for (const Arg& arg : args) {
    Result<std::vector<FetchItem>> items = ParseFetchItems(arg);
    if (items.ok()) {
      for (const FetchItem& item : items.value()) (void)item.ResponseName();
    }
    (void)ParseFetchModifiers(arg);
    (void)ParseStoreModifiers(arg);
    if (arg.kind == Arg::kList) {
      CheckArgs(arg.list);
      continue;
    }
    CheckMutf7(arg.value);
    if (arg.kind == Arg::kAtom) CheckSequenceSet(arg.value);
    // 8-bit bytes in a quoted string only ever come as UTF-8.
    if (arg.kind == Arg::kString && !arg.literal && !IsUtf8(arg.value)) {
      Fail("quoted string is not UTF-8", arg.value);
    }
  }
}

void CheckCommand(const Command& cmd) {
  CheckArgs(cmd.args);
  for (size_t skip = 0; skip <= cmd.args.size() && skip < 3; ++skip) {
    std::vector<Arg> rest(cmd.args.begin() + static_cast<std::ptrdiff_t>(skip), cmd.args.end());
    Result<SearchProgram> search = ParseSearch(rest);
    if (search.ok()) (void)search->key.ToString();
    (void)ParseSelectParams(rest);
  }
}

// A place where a fresh parser could take over: between commands, not
// waiting for an AUTHENTICATE line.
struct Restart {
  size_t offset;       // of the rest of the input
  size_t events_done;  // events reported before it
};

// What one run produced: the events as text, and the restart places seen
// after events and at the ends of pieces.
struct Trace {
  std::vector<std::string> events;
  std::vector<Restart> restarts;
};

constexpr uint32_t kWhole = 0;
constexpr uint32_t kByteAtATime = UINT32_MAX;

// Feeds `input` in pieces whose sizes come from `seed` (kWhole: all at once,
// kByteAtATime: one byte per call).
// After AUTHENTICATE the next line is read with NextLine, as a session would.
Trace Drive(std::string_view input, const ParserLimits& limits, bool utf8, uint32_t seed,
            bool check_commands) {
  CommandParser parser(limits);
  parser.SetUtf8(utf8);
  Trace trace;
  bool want_line = false;
  uint32_t rng = seed;
  size_t offset = 0;  // bytes of input handed over so far
  while (offset < input.size()) {
    size_t n = input.size() - offset;
    if (seed == kByteAtATime) {
      n = 1;
    } else if (seed != kWhole) {
      rng = rng * 1103515245u + 12345u;
      n = std::min<size_t>(n, 1 + (rng >> 16) % 17);
    }
    std::string_view piece = input.substr(offset, n);
    offset += n;
    for (;;) {
      Command cmd;
      ParseError err;
      std::string line;
      const Event ev = want_line ? parser.NextLine(&piece, &line, &err)
                                 : parser.Next(&piece, &cmd, &err);
      const bool between = parser.AtCommandStart() && !want_line;
      if (ev == Event::kNeedMore) {
        if (!piece.empty()) Fail("kNeedMore with input left", piece);
        if (between) trace.restarts.push_back({offset, trace.events.size()});
        break;
      }
      std::string text;
      switch (ev) {
        case Event::kCommand:
          if (!parser.AtCommandStart()) Fail("not at command start after a command", cmd.tag);
          text = "C " + cmd.tag + " " + cmd.name;
          for (const Arg& a : cmd.args) text += " " + a.ToString();
          want_line = cmd.name == "AUTHENTICATE";
          if (check_commands) CheckCommand(cmd);
          break;
        case Event::kLine:
          text = "L " + line;
          want_line = false;
          break;
        case Event::kContinuationNeeded:
          text = "+";
          break;
        case Event::kError:
          text = "E " + err.tag + " " + err.message + (err.fatal ? " fatal" : "");
          break;
        case Event::kNeedMore:
          break;
      }
      trace.events.push_back(std::move(text));
      if (parser.AtCommandStart() && !want_line) {
        trace.restarts.push_back({offset - piece.size(), trace.events.size()});
      }
      if (ev == Event::kError && err.fatal) return trace;
    }
  }
  return trace;
}

}  // namespace
}  // namespace slotmail::imap

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace slotmail::imap;
  if (size < 2) return 0;
  const ParserLimits limits = LimitsFor(data[0]);
  const bool utf8 = (data[0] / 3) % 2 == 1;
  const uint32_t seed = 1 + data[1];
  const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
  const Trace whole = Drive(input, limits, utf8, kWhole, /*check_commands=*/true);
  const Trace split = Drive(input, limits, utf8, seed, /*check_commands=*/false);
  const Trace bytes = Drive(input, limits, utf8, kByteAtATime, /*check_commands=*/false);
  if (whole.events != split.events || whole.events != bytes.events) {
    Fail("events depend on how the input was split", input);
  }
  // Take over with a fresh parser at two of the places where one could
  // (all of them would be quadratic); the events must go on the same.
  const std::vector<Restart>& places = bytes.restarts;
  if (!places.empty()) {
    for (const Restart& r : {places[seed % places.size()], places[places.size() / 2]}) {
      const Trace rest =
          Drive(input.substr(r.offset), limits, utf8, kWhole, /*check_commands=*/false);
      const std::vector<std::string> expected(
          whole.events.begin() + static_cast<std::ptrdiff_t>(r.events_done), whole.events.end());
      if (rest.events != expected) Fail("state leaked into the next command", input);
    }
  }
  return 0;
}
