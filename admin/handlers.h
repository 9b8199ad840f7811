// The handlers of mailctl's commands (see commands.cc for what each does).
#pragma once

#include "admin/commands.h"

namespace slotmail::admin {

Status UserAdd(const CommandContext& ctx);
Status UserDel(const CommandContext& ctx);
Status UserPasswd(const CommandContext& ctx);
Status UserList(const CommandContext& ctx);
Status UserShow(const CommandContext& ctx);
Status UserQuota(const CommandContext& ctx);

Status MailboxList(const CommandContext& ctx);
Status MailboxCreate(const CommandContext& ctx);
Status MailboxDelete(const CommandContext& ctx);

}  // namespace slotmail::admin
