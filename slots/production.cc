// The production.dat parser (doc/production-dat.md "Syntax", "Records").
#include "slots/production.h"

#include <charconv>
#include <string_view>

#include "common/fs.h"

namespace slotmail::slots {
namespace {

constexpr std::string_view kHeaderType = "slotmail-production";
constexpr std::string_view kHeaderForm = "'slotmail-production 1 serial=N'";
// production.dat is a few hundred lines; anything near this is not one.
constexpr size_t kMaxProductionFileBytes = 16 << 20;

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Decimal digits only (no sign, no spaces), within uint64_t.
bool ParseDecimal(std::string_view s, uint64_t* out) {
  if (!IsDigits(s)) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool IsValidName(std::string_view s) {
  if (s.empty() || s.size() > kMaxProductionNameBytes || s[0] < 'a' || s[0] > 'z') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

// Dotted-quad IPv4 without leading zeros, so that equal addresses are equal strings.
bool IsIpv4(std::string_view s) {
  int parts = 0;
  while (true) {
    size_t dot = s.find('.');
    std::string_view part = s.substr(0, dot);
    uint64_t v = 0;
    if (part.size() > 3 || (part.size() > 1 && part[0] == '0') || !ParseDecimal(part, &v) ||
        v > 255) {
      return false;
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return parts == 4;
}

bool ParsePort(std::string_view s, uint16_t* port) {
  uint64_t v = 0;
  if (!ParseDecimal(s, &v) || v == 0 || v > 65535) return false;
  *port = static_cast<uint16_t>(v);
  return true;
}

std::vector<std::string_view> SplitBlanks(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// One record being read: its key=value fields, and the problems found in it.
// A record with any problem is not added to the model.
class Record {
 public:
  Record(int line, std::string subject, std::vector<Problem>* problems)
      : line_(line), subject_(std::move(subject)), problems_(problems) {}

  void Fail(const std::string& reason) {
    problems_->push_back({line_, subject_ + ": " + reason});
    ok_ = false;
  }
  // REQUIRES: every word has been checked to hold a '='.
  void AddField(std::string_view word) {
    size_t eq = word.find('=');
    std::string key(word.substr(0, eq));
    if (key.empty()) return Fail("'" + std::string(word) + "' has no key before '='");
    for (const Field& f : fields_) {
      if (f.key == key) return Fail(key + " is given twice");
    }
    fields_.push_back({key, std::string(word.substr(eq + 1)), false});
  }
  // The value of `key`, or nullptr if absent (a problem if `required`).
  const std::string* Get(const std::string& key, bool required) {
    for (Field& f : fields_) {
      if (f.key == key) {
        f.used = true;
        return &f.value;
      }
    }
    if (required) Fail("missing " + key + "=");
    return nullptr;
  }
  void Number(const std::string& key, uint64_t* out) {
    const std::string* v = Get(key, true);
    if (v && !ParseDecimal(*v, out)) Fail("bad " + key + " '" + *v + "' (a decimal number)");
  }
  void Size(const std::string& key, uint64_t* out) {
    const std::string* v = Get(key, true);
    if (v && !ParseSize(*v, out)) {
      Fail("bad " + key + " '" + *v + "' (a positive number with an optional K, M, G or T suffix)");
    }
  }
  // Leaves *port as it is when `key` is absent.
  void Port(const std::string& key, uint16_t* port) {
    const std::string* v = Get(key, false);
    if (v && !ParsePort(*v, port)) Fail("bad " + key + " port '" + *v + "' (1 to 65535)");
  }
  // Slot names from a comma-separated list; empty if `key` is absent.
  std::vector<std::string> SlotList(const std::string& key) {
    std::vector<std::string> names;
    const std::string* v = Get(key, false);
    if (!v) return names;
    size_t pos = 0;
    while (true) {
      size_t comma = v->find(',', pos);
      std::string name = v->substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      std::string machine;
      int number = 0;
      if (!ParseSlotName(name, &machine, &number)) {
        Fail("bad slot name '" + name + "' in " + key + "= (MACHINE:N, N from 1 to " +
             std::to_string(kMaxSlotNumber) + ")");
      }
      names.push_back(name);
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    return names;
  }
  // Reports the keys nobody asked for. Call after every Get.
  void Finish() {
    for (const Field& f : fields_) {
      if (!f.used) Fail("unknown key '" + f.key + "'");
    }
  }
  bool ok() const { return ok_; }
  int line() const { return line_; }

 private:
  struct Field {
    std::string key, value;
    bool used;
  };
  int line_;
  std::string subject_;
  std::vector<Problem>* problems_;
  std::vector<Field> fields_;
  bool ok_ = true;
};

void ParseHeader(std::string_view version, Record* r, Production* p) {
  uint64_t v = 0;
  if (!ParseDecimal(version, &v)) {
    r->Fail("bad version '" + std::string(version) + "', expected " + std::string(kHeaderForm));
  } else if (v != static_cast<uint64_t>(kProductionVersion)) {
    r->Fail("format version " + std::string(version) + " is not known (this slotmail reads " +
            std::to_string(kProductionVersion) + ")");
  }
  uint64_t serial = 0;
  r->Number("serial", &serial);
  r->Finish();
  if (!r->ok()) return;
  p->version = static_cast<int>(v);
  p->serial = serial;
}

void ParseMachine(const std::string& name, Record* r, Production* p) {
  Machine m;
  m.name = name;
  m.line = r->line();
  if (!IsValidName(name)) {
    r->Fail("bad machine name ([a-z][a-z0-9-]*, at most " +
            std::to_string(kMaxProductionNameBytes) + " bytes)");
  }
  if (const std::string* a = r->Get("address", true)) {
    if (!IsIpv4(*a)) r->Fail("bad address '" + *a + "' (an IPv4 address like 127.0.0.11)");
    m.address = *a;
  }
  r->Size("capacity", &m.capacity);
  r->Finish();
  if (r->ok()) p->machines.push_back(std::move(m));
}

void ParseSlot(const std::string& name, Record* r, Production* p) {
  SlotDef s;
  s.line = r->line();
  if (!ParseSlotName(name, &s.machine, &s.number)) {
    r->Fail("bad slot name (MACHINE:N, N from 1 to " + std::to_string(kMaxSlotNumber) + ")");
  } else {
    s.ports = DerivedPorts(s.number);
  }
  r->Size("size", &s.size);
  r->Port("control", &s.ports.control);
  r->Port("replication", &s.ports.replication);
  r->Port("pop3", &s.ports.pop3);
  r->Port("lmtp", &s.ports.lmtp);
  r->Port("imap", &s.ports.imap);
  r->Port("imaps", &s.ports.imaps);
  r->Finish();
  if (r->ok()) p->slots.push_back(std::move(s));
}

void ParseStore(const std::string& name, Record* r, Production* p) {
  StoreDef s;
  s.name = name;
  s.line = r->line();
  if (!IsValidName(name)) {
    r->Fail("bad store name ([a-z][a-z0-9-]*, at most " +
            std::to_string(kMaxProductionNameBytes) + " bytes)");
  }
  r->Number("epoch", &s.epoch);
  if (const std::string* mode = r->Get("mode", true)) {
    if (*mode != "async" && *mode != "sync") r->Fail("bad mode '" + *mode + "' (async or sync)");
    s.sync_mode = *mode == "sync";
  }
  if (const std::string* down = r->Get("on_replica_down", false)) {
    if (*down != "fail" && *down != "degrade") {
      r->Fail("bad on_replica_down '" + *down + "' (fail or degrade)");
    } else if (!s.sync_mode) {
      r->Fail("on_replica_down applies to mode=sync only");
    }
    s.degrade_when_replica_down = *down == "degrade";
  }
  s.masters = r->SlotList("master");
  s.replicas = r->SlotList("replicas");
  r->Finish();
  if (r->ok()) p->stores.push_back(std::move(s));
}

// One record line. REQUIRES: `text` has a word (comment already removed).
void ParseRecord(std::string_view text, int line, bool first, Production* p,
                 std::vector<Problem>* problems, int* header_line) {
  std::vector<std::string_view> words = SplitBlanks(text);
  std::string type(words[0]);
  bool header = type == kHeaderType;
  if (first && !header) {
    problems->push_back({line, "the first record must be the header " + std::string(kHeaderForm)});
  }
  if (header && *header_line != 0) {
    problems->push_back({line, "a second header (the first is on line " +
                                   std::to_string(*header_line) + ")"});
    return;
  }
  if (header) *header_line = line;
  if (!header && type != "machine" && type != "slot" && type != "store") {
    problems->push_back(
        {line, "unknown record type '" + type + "' (expected machine, slot or store)"});
    return;
  }
  if (words.size() < 2 || words[1].find('=') != std::string_view::npos) {
    std::string what = header ? "a version" : "a name";
    problems->push_back({line, type + ": " + what + " must follow '" + type + "'"});
    return;
  }
  std::string name(words[1]);
  Record r(line, header ? "header" : type + " " + name, problems);
  for (size_t i = 2; i < words.size(); ++i) {
    if (words[i].find('=') == std::string_view::npos) {
      r.Fail("'" + std::string(words[i]) + "' is not key=value");
    } else {
      r.AddField(words[i]);
    }
  }
  if (header) {
    ParseHeader(name, &r, p);
  } else if (type == "machine") {
    ParseMachine(name, &r, p);
  } else if (type == "slot") {
    ParseSlot(name, &r, p);
  } else {
    ParseStore(name, &r, p);
  }
}

}  // namespace

bool ParseSlotName(const std::string& name, std::string* machine, int* number) {
  size_t colon = name.find(':');
  if (colon == std::string::npos) return false;
  std::string_view m(name.data(), colon);
  std::string_view n(name.data() + colon + 1, name.size() - colon - 1);
  uint64_t v = 0;
  // No leading zero: "m1:01" and "m1:1" must not be two names for one slot.
  if (!IsValidName(m) || n.empty() || n.size() > 3 || n[0] == '0' || !ParseDecimal(n, &v) || v < 1 ||
      v > static_cast<uint64_t>(kMaxSlotNumber)) {
    return false;
  }
  *machine = std::string(m);
  *number = static_cast<int>(v);
  return true;
}

SlotPorts DerivedPorts(int n) {
  const int base = 20000 + 100 * n;
  auto port = [base](int offset) { return static_cast<uint16_t>(base + offset); };
  return SlotPorts{.control = port(0),
                   .replication = port(1),
                   .pop3 = port(10),
                   .lmtp = port(24),
                   .imap = port(43),
                   .imaps = port(93)};
}

bool ParseSize(const std::string& text, uint64_t* bytes) {
  std::string_view digits = text;
  int shift = 0;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      case 'T': shift = 40; break;
      default: break;
    }
    if (shift != 0) digits.remove_suffix(1);
  }
  uint64_t v = 0;
  if (!ParseDecimal(digits, &v) || v == 0 || v > (UINT64_MAX >> shift)) return false;
  *bytes = v << shift;
  return true;
}

std::string FormatSize(uint64_t bytes) {
  static constexpr struct { int shift; char unit; } kUnits[] = {
      {40, 'T'}, {30, 'G'}, {20, 'M'}, {10, 'K'}};
  for (const auto& u : kUnits) {
    uint64_t unit = uint64_t{1} << u.shift;
    if (bytes >= unit && bytes % unit == 0) return std::to_string(bytes >> u.shift) + u.unit;
  }
  return std::to_string(bytes);
}

Production ParseProduction(const std::string& text, const std::string& origin,
                           std::vector<Problem>* problems) {
  Production p;
  p.origin = origin;
  int line = 0, header_line = 0;
  bool first = true;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++line;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.size() > kMaxProductionLineBytes) {
      problems->push_back({line, "line longer than " + std::to_string(kMaxProductionLineBytes) +
                                     " bytes"});
      first = false;
      continue;
    }
    std::string_view record = raw.substr(0, raw.find('#'));
    if (SplitBlanks(record).empty()) continue;
    ParseRecord(record, line, first, &p, problems, &header_line);
    first = false;
  }
  if (first) problems->push_back({0, "no records: expected the header " + std::string(kHeaderForm)});
  return p;
}

Result<Production> LoadProduction(const std::string& path, std::vector<Problem>* problems) {
  Result<std::string> text = fs::ReadFile(path, kMaxProductionFileBytes + 1);
  if (!text.ok()) return Status::IOError("cannot read " + path + ": " + text.status().message());
  if (text->size() > kMaxProductionFileBytes) {
    return Status::IOError(path + " is larger than " + FormatSize(kMaxProductionFileBytes));
  }
  return ParseProduction(*text, path, problems);
}

std::string FormatProblem(const std::string& origin, const Problem& problem) {
  if (problem.line == 0) return origin + ": " + problem.reason;
  return origin + ":" + std::to_string(problem.line) + ": " + problem.reason;
}

Result<Production> LoadValidProduction(const std::string& path) {
  std::vector<Problem> problems;
  ASSIGN_OR_RETURN(Production p, LoadProduction(path, &problems));
  CheckProduction(p, &problems);
  if (problems.empty()) return p;
  std::string message;
  for (const Problem& problem : problems) {
    if (!message.empty()) message += "\n";
    message += FormatProblem(path, problem);
  }
  return Status::InvalidArgument(message);
}

const Machine* Production::FindMachine(const std::string& name) const {
  for (const Machine& m : machines) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const SlotDef* Production::FindSlot(const std::string& name) const {
  for (const SlotDef& s : slots) {
    if (s.Name() == name) return &s;
  }
  return nullptr;
}

const StoreDef* Production::FindStore(const std::string& name) const {
  for (const StoreDef& s : stores) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const StoreDef* Production::StoreOfSlot(const std::string& slot) const {
  for (const StoreDef& s : stores) {
    for (const std::string& m : s.masters) {
      if (m == slot) return &s;
    }
    for (const std::string& r : s.replicas) {
      if (r == slot) return &s;
    }
  }
  return nullptr;
}

}  // namespace slotmail::slots
