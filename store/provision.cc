#include "store/provision.h"

namespace slotmail::store {

Status ProvisionDefaultMailboxes(Store& store, std::string_view user) {
  for (const DefaultMailbox& box : kDefaultMailboxes) {
    Status st = store.CreateMailbox(user, box.name, box.special_use);
    if (!st.ok() && st.code() != Code::kExists) return st;
    RETURN_IF_ERROR(store.Subscribe(user, box.name));
  }
  return Status::Ok();
}

}  // namespace slotmail::store
