#include "common/status.h"

namespace slotmail {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kNotFound: return "NotFound";
    case Code::kExists: return "Exists";
    case Code::kInvalidArgument: return "InvalidArgument";
    case Code::kInUse: return "InUse";
    case Code::kOverQuota: return "OverQuota";
    case Code::kNoSpace: return "NoSpace";
    case Code::kIOError: return "IOError";
    case Code::kCorruption: return "Corruption";
    case Code::kProtocol: return "Protocol";
    case Code::kNotMaster: return "NotMaster";
    case Code::kPermission: return "Permission";
    case Code::kTooBig: return "TooBig";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace slotmail
