// slotdir: the directory service for nginx (auth_http) and Postfix
// (socketmap). Everything lives in dirsvc/ (see doc/directory.md).
#include <string>
#include <vector>

#include "dirsvc/slotdir.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return slotmail::dirsvc::RunSlotdir(args);
}
