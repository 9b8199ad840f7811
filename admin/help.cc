#include "admin/help.h"

#include <cstdio>

#include "admin/commands.h"
#include "admin/exit_code.h"

namespace slotmail::admin {
namespace {

constexpr char kSlotUsage[] = "mailctl [--cluster FILE] [--local FILE] [--slot M:N | --store NAME | --slot-dir DIR | --config FILE]";

// "  --name VALUE  help" lines of the options `global` selects, or of `names`.
std::string OptionLines(bool global, const std::vector<std::string>& names) {
  std::string out;
  for (const auto& o : Options()) {
    bool wanted = global ? o.global : false;
    for (const auto& n : names) wanted = wanted || n == o.name;
    if (!wanted) continue;
    std::string left = std::string("--") + o.name + (*o.value_name ? " " : "") + o.value_name;
    char line[160];
    std::snprintf(line, sizeof line, "  %-22s %s\n", left.c_str(), o.help);
    out += line;
  }
  return out;
}

std::string CommandLine(const CommandSpec& c, bool with_group) {
  std::string left = (with_group || c.verb.empty() ? CommandWords(c) : c.verb) +
                     (c.synopsis.empty() ? "" : " " + c.synopsis);
  char line[200];
  std::snprintf(line, sizeof line, "  %-56s %s\n", left.c_str(), c.summary.c_str());
  return line;
}

// The part every page ends with: slot options, the slotd warning, exit codes.
std::string Footer() {
  return "\nWhere commands go (doc/mailctl.md):\n" + OptionLines(true, {}) +
         "  --help, -h             this help; also after any command\n"
         "\nBy default mailctl works on the cluster of production.dat: a command goes to\n"
         "the right slot over its control channel, while slotd serves. It opens a\n"
         "slot's files itself only when that slot is stopped (--slot-dir, --config,\n"
         "or a cluster slot that does not answer but lives on this machine).\n"
         "A slot directory must exist and be either a slot or hold no subdirectories.\n\n" +
         ExitCodeHelp();
}

std::string ToolHelp() {
  std::string out = std::string("usage: ") + kSlotUsage + " COMMAND [ARGS]\n\n" +
                    "Administers a slotmail cluster: its users and mailboxes, its slots' roles,\n"
                    "and its state. Output is plain text,\n"
                    "one record per line, tab-separated fields; errors go to stderr as\n"
                    "'mailctl: <what failed>: <reason>'.\n\nCommands:\n";
  for (const auto& c : Commands()) out += CommandLine(c, true);
  out += "\nRun 'mailctl COMMAND --help' (e.g. 'mailctl user add --help') for details.\n";
  return out + Footer();
}

std::string GroupHelp(const std::string& group) {
  std::string out = std::string("usage: ") + kSlotUsage + " " + group + " COMMAND [ARGS]\n\n" +
                    "Commands:\n";
  for (const auto& c : Commands()) {
    if (c.group == group) out += CommandLine(c, false);
  }
  out += "\nRun 'mailctl " + group + " COMMAND --help' for details.\n";
  return out + Footer();
}

std::string CommandHelp(const CommandSpec& c) {
  std::string out = std::string("usage: ") + kSlotUsage + " " + CommandWords(c) +
                    (c.synopsis.empty() ? "" : " " + c.synopsis) + "\n\n" + c.details;
  if (!c.options.empty()) out += "\nOptions:\n" + OptionLines(false, c.options);
  return out + Footer();
}

}  // namespace

std::string HelpText(const Invocation& inv) {
  if (inv.command) return CommandHelp(*inv.command);
  if (!inv.group.empty()) return GroupHelp(inv.group);
  return ToolHelp();
}

std::string UsageText(const Invocation& inv) {
  std::string help = HelpText(inv);
  std::string words = inv.command ? CommandWords(*inv.command) : inv.group;
  return help.substr(0, help.find('\n') + 1) + "Run 'mailctl " + words +
         (words.empty() ? "" : " ") + "--help' for more.\n";
}

}  // namespace slotmail::admin
