// mailctl: the operator's tool for one slot's users and mailboxes.
// Everything but the standard streams lives in admin/ (see doc/mailctl.md).
#include <iostream>
#include <string>
#include <vector>

#include "admin/mailctl.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return slotmail::admin::RunMailctl(args, {std::cin, std::cout, std::cerr});
}
