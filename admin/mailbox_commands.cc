// mailctl mailbox list|create|delete.
#include <ostream>

#include "admin/format.h"
#include "admin/handlers.h"
#include "store/names.h"
#include "store/store.h"

namespace slotmail::admin {
namespace {

// The store says TooBig for an over-long or too deep name; to the operator
// that is an invalid name like any other (exit 5), not a quota matter.
Status CheckMailboxName(const std::string& name) {
  auto canonical = store::CanonicalMailboxName(name);
  if (canonical.ok()) return Status::Ok();
  return Status::InvalidArgument("invalid mailbox name: " + canonical.status().message());
}

}  // namespace

Status MailboxList(const CommandContext& ctx) {
  const auto& args = ctx.inv.args;
  ASSIGN_OR_RETURN(auto boxes, ctx.store->ListMailboxes(args[0], args.size() > 1 ? args[1] : "*"));
  for (const auto& b : boxes) ctx.out << MailboxRecord(b);
  return Status::Ok();
}

Status MailboxCreate(const CommandContext& ctx) {
  RETURN_IF_ERROR(CheckMailboxName(ctx.inv.args[1]));
  return ctx.store->CreateMailbox(ctx.inv.args[0], ctx.inv.args[1], ctx.inv.Option("special-use"));
}

Status MailboxDelete(const CommandContext& ctx) {
  RETURN_IF_ERROR(CheckMailboxName(ctx.inv.args[1]));
  return ctx.store->DeleteMailbox(ctx.inv.args[0], ctx.inv.args[1]);
}

}  // namespace slotmail::admin
