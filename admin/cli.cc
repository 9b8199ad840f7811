#include "admin/cli.h"

#include <cctype>

#include "admin/commands.h"
#include "common/limits.h"

namespace slotmail::admin {
namespace {

constexpr uint64_t kMaxKdfIterations = 10000000;

// Usage errors of the parsed command: options that do not apply, argument
// counts, option rules, the slot. "" if there is none.
std::string CheckCommand(const Invocation& inv) {
  const CommandSpec& c = *inv.command;
  const std::string name = c.group + " " + c.verb;
  for (const auto& [opt, value] : inv.options) {
    const OptionSpec* spec = FindOption(opt);
    bool allowed = spec->global;
    for (const auto& o : c.options) allowed = allowed || o == opt;
    if (!allowed) return "option --" + opt + " does not apply to '" + name + "'";
  }
  if (inv.args.size() < c.min_args) return "'" + name + "' needs more arguments";
  if (inv.args.size() > c.max_args) return "unexpected argument '" + inv.args[c.max_args] + "'";
  for (const auto& rule : c.rules) {
    size_t given = 0;
    std::string list;
    for (const auto& o : rule.names) {
      given += inv.Has(o) ? 1 : 0;
      list += (list.empty() ? "--" : " or --") + o;
    }
    if (given < rule.min) return "'" + name + "' needs " + list;
    if (given > rule.max) return "give only one of " + list;
  }
  const int targets = inv.Has("slot-dir") + inv.Has("config") + inv.Has("slot") + inv.Has("store");
  if (targets > 1) {
    return "give at most one of --slot-dir DIR, --config FILE, --slot M:N or --store NAME";
  }
  if ((inv.Has("slot-dir") || inv.Has("config")) && (inv.Has("cluster") || inv.Has("local"))) {
    return "--slot-dir and --config name one slot; --cluster and --local do not apply";
  }
  if (c.client != nullptr && (inv.Has("slot-dir") || inv.Has("config"))) {
    return "'" + name + "' works on the cluster (production.dat), not on one slot directory";
  }
  return "";
}

// The end of parsing once the command is known: its help, or it checked.
Invocation Resolved(Invocation inv, bool help, const std::string& error) {
  if (help) {
    inv.kind = Invocation::Kind::kHelp;
    return inv;
  }
  inv.error = error.empty() ? CheckCommand(inv) : error;
  inv.kind = inv.error.empty() ? Invocation::Kind::kRun : Invocation::Kind::kUsageError;
  return inv;
}

}  // namespace

const std::vector<OptionSpec>& Options() {
  static const std::vector<OptionSpec> kOptions = {
      {"slot-dir", OptionKind::kText, "DIR", true, 0, 0, "the slot directory"},
      {"config", OptionKind::kText, "FILE", true, 0, 0,
       "a slotd config file; its slot_dir names the slot"},
      {"kdf-iterations", OptionKind::kNumber, "N", true, limits::kMinKdfIterations,
       kMaxKdfIterations, "PBKDF2 iterations for new password hashes [100000]"},
      {"password-file", OptionKind::kText, "FILE", false, 0, 0, "read the password from FILE"},
      {"password-stdin", OptionKind::kFlag, "", false, 0, 0,
       "read the password from standard input"},
      {"bytes", OptionKind::kSize, "N", false, 0, UINT64_MAX,
       "storage limit in bytes, K/M/G/T suffixes allowed (0: unlimited)"},
      {"messages", OptionKind::kNumber, "N", false, 0, UINT64_MAX,
       "message count limit (0: unlimited)"},
      {"special-use", OptionKind::kText, "USE", false, 0, 0,
       "\\All \\Archive \\Drafts \\Flagged \\Junk \\Sent or \\Trash"},
      {"cluster", OptionKind::kText, "FILE", true, 0, 0,
       "production.dat [var/production.dat, else ./production.dat]"},
      {"local", OptionKind::kText, "FILE", true, 0, 0,
       "the machine-local file [var/local.conf, else /etc/slotmail/local.conf]"},
      {"slot", OptionKind::kText, "M:N", true, 0, 0, "send the command to this slot of the cluster"},
      {"store", OptionKind::kText, "NAME", true, 0, 0,
       "send the command to this store's master (user add: place the user there)"},
      {"json", OptionKind::kFlag, "", false, 0, 0, "machine-readable output"},
      {"epoch", OptionKind::kNumber, "N", false, 0, UINT64_MAX, "the epoch of the new role"},
      {"to", OptionKind::kText, "SLOT", false, 0, 0,
       "failover: the replica that becomes master; move: the spare that joins"},
      {"retire", OptionKind::kText, "SLOT", false, 0, 0, "move: the slot that leaves the store"},
      {"force", OptionKind::kFlag, "", false, 0, 0, "fail over without the old master"},
      {"verify-all", OptionKind::kFlag, "", false, 0, 0,
       "failover: compare every user, not only those changed since the last verified point"},
      {"parallel", OptionKind::kNumber, "N", false, 1, 64, "failovers at once [4]"},
  };
  return kOptions;
}

const OptionSpec* FindOption(std::string_view name) {
  for (const auto& o : Options()) {
    if (name == o.name) return &o;
  }
  return nullptr;
}

std::string Invocation::Option(const std::string& name) const {
  auto it = options.find(name);
  return it == options.end() ? "" : it->second;
}

uint64_t Invocation::Number(const std::string& name, uint64_t fallback) const {
  auto it = numbers.find(name);
  return it == numbers.end() ? fallback : it->second;
}

Invocation ParseCommandLine(const std::vector<std::string>& argv) {
  Invocation inv;
  std::vector<std::string> words;
  std::string error;  // the first syntax error; parsing goes on to find the command
  bool help = false, only_words = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_words || a.size() < 2 || a[0] != '-') {
      words.push_back(a);
    } else if (a == "--") {
      only_words = true;
    } else if (a == "--help" || a == "-h") {
      help = true;
    } else {
      size_t eq = a.find('=');
      std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const OptionSpec* spec = a.compare(0, 2, "--") == 0 ? FindOption(name) : nullptr;
      std::string value = eq == std::string::npos ? "" : a.substr(eq + 1);
      if (!spec) {
        error = error.empty() ? "unknown option " + a.substr(0, eq) : error;
        continue;
      }
      if (spec->kind == OptionKind::kFlag && eq != std::string::npos) {
        error = error.empty() ? "option --" + name + " takes no value" : error;
      } else if (spec->kind != OptionKind::kFlag && eq == std::string::npos) {
        if (i + 1 < argv.size()) {
          value = argv[++i];
        } else if (error.empty()) {
          error = "option --" + name + " needs a value";
        }
      }
      if (inv.options.count(name) && error.empty()) error = "option --" + name + " given twice";
      inv.options[name] = value;
    }
  }
  if (words.empty()) {
    inv.kind = help ? Invocation::Kind::kHelp : Invocation::Kind::kUsageError;
    inv.error = error.empty() ? "no command given" : error;
    return inv;
  }
  if (!IsGroup(words[0])) {
    inv.error = "unknown command '" + words[0] + "'";
    return inv;
  }
  inv.group = words[0];
  if (const CommandSpec* single = FindCommand(words[0], ""); single != nullptr) {
    // A one-word command ("status", "check", "config"): the rest are arguments.
    inv.command = single;
    inv.args.assign(words.begin() + 1, words.end());
    return Resolved(std::move(inv), help, error);
  }
  if (words.size() < 2) {
    inv.kind = help ? Invocation::Kind::kHelp : Invocation::Kind::kUsageError;
    inv.error = error.empty() ? "'" + inv.group + "' needs a command" : error;
    return inv;
  }
  inv.command = FindCommand(words[0], words[1]);
  if (!inv.command) {
    inv.error = "unknown command '" + words[0] + " " + words[1] + "'";
    return inv;
  }
  inv.args.assign(words.begin() + 2, words.end());
  return Resolved(std::move(inv), help, error);
}

Result<uint64_t> ParseNumber(std::string_view text, bool with_suffix) {
  static const std::string_view kSuffixes = "KMGT";
  uint64_t scale = 1;
  if (with_suffix && !text.empty()) {
    size_t k = kSuffixes.find(static_cast<char>(std::toupper(static_cast<unsigned char>(text.back()))));
    if (k != std::string_view::npos) {
      scale = uint64_t{1} << (10 * (k + 1));
      text.remove_suffix(1);
    }
  }
  if (text.empty()) return Status::InvalidArgument("expected a number");
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::InvalidArgument("not a number: '" + std::string(text) + "'");
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return Status::InvalidArgument("number too large");
    v = v * 10 + d;
  }
  if (v > UINT64_MAX / scale) return Status::InvalidArgument("number too large");
  return v * scale;
}

Status ParseValues(Invocation* inv) {
  for (const auto& [name, value] : inv->options) {
    const OptionSpec* spec = FindOption(name);
    if (spec->kind != OptionKind::kNumber && spec->kind != OptionKind::kSize) continue;
    auto n = ParseNumber(value, spec->kind == OptionKind::kSize);
    if (!n.ok()) return Status::InvalidArgument("--" + name + ": " + n.status().message());
    if (*n < spec->min || *n > spec->max) {
      return Status::InvalidArgument("--" + name + " must be from " + std::to_string(spec->min) +
                                     " to " + std::to_string(spec->max));
    }
    inv->numbers[name] = *n;
  }
  return Status::Ok();
}

}  // namespace slotmail::admin
