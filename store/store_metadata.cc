// Store: METADATA entries (RFC 5464) in the user's index, table `metadata`
// keyed by (mailbox row id, entry); row id 0 holds the server entries.
#include "common/limits.h"
#include "store/mailbox_rows.h"
#include "store/names.h"
#include "store/store_impl.h"

namespace slotmail::store {
namespace {

using limits::kMaxMetadataEntriesPerMailbox;
using limits::kMaxMetadataEntriesPerUser;

bool IsRoot(std::string_view e) { return e == "/private" || e == "/shared"; }

// The row id of `mailbox` ("" for the server). REQUIRES: canonical or "".
Result<int64_t> MailboxId(UserIndex* ix, const std::string& mailbox) {
  if (mailbox.empty()) return kServerMetadataRow;
  ASSIGN_OR_RETURN(MailboxRow row, RequireMailbox(ix, mailbox));
  return row.id;
}

Result<std::string> CanonicalOrServer(std::string_view mailbox) {
  if (mailbox.empty()) return std::string();
  return CanonicalMailboxName(mailbox);
}

Result<int64_t> Count(UserIndex* ix, std::optional<int64_t> mailbox) {
  Database* db = ix->db();
  if (!mailbox) {
    ASSIGN_OR_RETURN(Stmt s, db->Prepare("SELECT count(*) FROM metadata"));
    ASSIGN_OR_RETURN(bool row, s.Step());
    (void)row;
    return s.Int(0);
  }
  ASSIGN_OR_RETURN(Stmt s, db->Prepare("SELECT count(*) FROM metadata WHERE mailbox = ?"));
  s.Bind(1, *mailbox);
  ASSIGN_OR_RETURN(bool row, s.Step());
  (void)row;
  return s.Int(0);
}

}  // namespace

Result<std::string> CanonicalMetadataEntry(std::string_view entry, bool allow_root) {
  if (entry.size() > limits::kMaxMetadataEntryNameBytes) {
    return Status::TooBig("metadata entry name too long");
  }
  std::string out;
  for (char c : entry) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e || c == '*' || c == '%') {
      return Status::InvalidArgument("invalid character in metadata entry name");
    }
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (allow_root && IsRoot(out)) return out;
  const bool prefixed = out.rfind("/private/", 0) == 0 || out.rfind("/shared/", 0) == 0;
  if (!prefixed) {
    return Status::InvalidArgument("metadata entry name must start with /private/ or /shared/");
  }
  if (out.back() == '/' || out.find("//") != std::string::npos) {
    return Status::InvalidArgument("empty component in metadata entry name");
  }
  return out;
}

bool MetadataEntryWithin(std::string_view entry, std::string_view base, size_t depth) {
  if (entry == base) return true;
  if (entry.size() <= base.size() + 1 || entry.compare(0, base.size(), base) != 0 ||
      entry[base.size()] != '/') {
    return false;
  }
  size_t levels = 1;
  for (size_t i = base.size() + 1; i < entry.size(); ++i) levels += entry[i] == '/';
  return levels <= depth;
}

Status Store::SetMetadata(std::string_view user, std::string_view mailbox,
                          const std::vector<MetadataChange>& changes) {
  RETURN_IF_ERROR(ValidateUserName(user));
  ASSIGN_OR_RETURN(std::string box, CanonicalOrServer(mailbox));
  std::vector<MetadataChange> canonical;
  for (const auto& c : changes) {
    ASSIGN_OR_RETURN(std::string e, CanonicalMetadataEntry(c.entry));
    if (c.value && c.value->size() > limits::kMaxMetadataValueBytes) {
      return Status::TooBig("metadata value too large");
    }
    canonical.push_back({std::move(e), c.value});
  }
  return impl_->Write(user, [&](UserIndex* ix) -> Status {
    ASSIGN_OR_RETURN(int64_t id, MailboxId(ix, box));
    Database* db = ix->db();
    for (const auto& c : canonical) {
      if (c.value) {
        ASSIGN_OR_RETURN(Stmt s, db->Prepare(
            "INSERT OR REPLACE INTO metadata(mailbox, entry, value) VALUES(?, ?, ?)"));
        RETURN_IF_ERROR(s.Bind(1, id).Bind(2, c.entry).Bind(3, *c.value).Run());
      } else {
        ASSIGN_OR_RETURN(Stmt s, db->Prepare("DELETE FROM metadata WHERE mailbox = ? AND entry = ?"));
        RETURN_IF_ERROR(s.Bind(1, id).Bind(2, c.entry).Run());
      }
    }
    // Counted after the changes, inside the transaction: removals in the
    // same command make room.
    ASSIGN_OR_RETURN(int64_t here, Count(ix, id));
    ASSIGN_OR_RETURN(int64_t all, Count(ix, std::nullopt));
    if (here > static_cast<int64_t>(kMaxMetadataEntriesPerMailbox) ||
        all > static_cast<int64_t>(kMaxMetadataEntriesPerUser)) {
      return Status::TooBig("too many metadata entries");
    }
    return Status::Ok();
  });
}

Result<std::vector<MetadataEntry>> Store::GetMetadata(std::string_view user,
                                                      std::string_view mailbox,
                                                      std::string_view entry, size_t depth) {
  RETURN_IF_ERROR(ValidateUserName(user));
  ASSIGN_OR_RETURN(std::string box, CanonicalOrServer(mailbox));
  ASSIGN_OR_RETURN(std::string base, CanonicalMetadataEntry(entry, /*allow_root=*/true));
  return impl_->Read(user, [&](UserIndex* ix) -> Result<std::vector<MetadataEntry>> {
    ASSIGN_OR_RETURN(int64_t id, MailboxId(ix, box));
    // The entry and everything below it: names in [base + "/", base + "0").
    ASSIGN_OR_RETURN(Stmt s, ix->db()->Prepare(
        "SELECT entry, value FROM metadata WHERE mailbox = ? AND "
        "(entry = ? OR (entry >= ? AND entry < ?)) ORDER BY entry"));
    const std::string lo = base + "/", hi = base + "0";
    s.Bind(1, id).Bind(2, base).Bind(3, lo).Bind(4, hi);
    std::vector<MetadataEntry> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      std::string name = s.Text(0);
      if (MetadataEntryWithin(name, base, depth)) out.push_back({std::move(name), s.Text(1)});
    }
    return out;
  });
}

}  // namespace slotmail::store
