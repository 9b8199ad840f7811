#include "mime/message.h"

#include "mime/ascii.h"

namespace slotmail::mime {

bool Part::IsType(std::string_view t, std::string_view sub) const {
  return EqualsIgnoreCase(type, t) && EqualsIgnoreCase(subtype, sub);
}

const Param* Part::FindParam(std::string_view name) const {
  return mime::FindParam(params, name);
}

const Param* FindParam(const std::vector<Param>& params, std::string_view name) {
  for (const Param& p : params) {
    if (EqualsIgnoreCase(p.name, name)) return &p;
  }
  return nullptr;
}

}  // namespace slotmail::mime
