// mailctl user add|del|passwd|list|show|quota.
#include <ostream>

#include "admin/format.h"
#include "admin/handlers.h"
#include "admin/password_input.h"
#include "store/provision.h"
#include "store/store.h"

namespace slotmail::admin {
namespace {

const std::string& User(const CommandContext& ctx) { return ctx.inv.args[0]; }

}  // namespace

Status UserAdd(const CommandContext& ctx) {
  ASSIGN_OR_RETURN(std::string password, ReadPassword(ctx.inv.Option("password-file"), ctx.in));
  RETURN_IF_ERROR(ctx.store->CreateUser(User(ctx), password));
  return store::ProvisionDefaultMailboxes(*ctx.store, User(ctx));
}

Status UserDel(const CommandContext& ctx) { return ctx.store->DeleteUser(User(ctx)); }

Status UserPasswd(const CommandContext& ctx) {
  // A cheap read first, so a bad or unknown name fails before a password is read.
  RETURN_IF_ERROR(ctx.store->GetQuota(User(ctx)).status());
  ASSIGN_OR_RETURN(std::string password, ReadPassword(ctx.inv.Option("password-file"), ctx.in));
  return ctx.store->SetPassword(User(ctx), password);
}

Status UserList(const CommandContext& ctx) {
  ASSIGN_OR_RETURN(auto users, ctx.store->ListUsers());
  for (const auto& u : users) ctx.out << u << '\n';
  return Status::Ok();
}

Status UserShow(const CommandContext& ctx) {
  ASSIGN_OR_RETURN(store::QuotaInfo quota, ctx.store->GetQuota(User(ctx)));
  ASSIGN_OR_RETURN(auto boxes, ctx.store->ListMailboxes(User(ctx)));
  ctx.out << UserRecord(User(ctx), boxes, quota);
  return Status::Ok();
}

Status UserQuota(const CommandContext& ctx) {
  ASSIGN_OR_RETURN(store::QuotaInfo quota, ctx.store->GetQuota(User(ctx)));
  return ctx.store->SetQuota(User(ctx), ctx.inv.Number("bytes", quota.limit_bytes),
                             ctx.inv.Number("messages", quota.limit_messages));
}

}  // namespace slotmail::admin
