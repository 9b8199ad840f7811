#include "store/sort_key_rows.h"

namespace slotmail::store {
namespace {

// References are kept as one string, msg-ids separated by single spaces
// (a msg-id as mime::MessageIds returns it holds no whitespace).
std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out += ' ';
    out += id;
  }
  return out;
}

std::vector<std::string> SplitIds(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const size_t sp = s.find(' ');
    if (sp != 0) out.emplace_back(s.substr(0, sp));
    if (sp == std::string_view::npos) break;
    s.remove_prefix(sp + 1);
  }
  return out;
}

}  // namespace

Status PutSortKeys(UserIndex* ix, std::string_view guid, const mime::SortKeys& k) {
  ASSIGN_OR_RETURN(Stmt s, ix->db()->Prepare(
      "INSERT OR REPLACE INTO sort_keys(guid, version, has_sent_date, sent_date, subject, "
      "subject_reply, from_key, to_key, cc_key, display_from, display_to, message_id, "
      "in_reply_to, refs) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, guid).Bind(2, kSortKeysVersion).Bind(3, int64_t{k.sent_date.has_value()});
  s.Bind(4, k.sent_date.value_or(0)).Bind(5, k.subject).Bind(6, int64_t{k.subject_is_reply});
  s.Bind(7, k.from).Bind(8, k.to).Bind(9, k.cc).Bind(10, k.display_from);
  s.Bind(11, k.display_to).Bind(12, k.message_id).Bind(13, k.in_reply_to);
  s.Bind(14, JoinIds(k.references));
  return s.Run();
}

Result<bool> HasSortKeys(UserIndex* ix, std::string_view guid) {
  ASSIGN_OR_RETURN(Stmt s, ix->db()->Prepare(
      "SELECT 1 FROM sort_keys WHERE guid = ? AND version = ?"));
  s.Bind(1, guid).Bind(2, kSortKeysVersion);
  return s.Step();
}

Result<std::vector<SortRecord>> SortRecordsInRange(UserIndex* ix, int64_t box, uint32_t lo,
                                                   uint32_t hi, std::vector<size_t>* missing) {
  ASSIGN_OR_RETURN(Stmt s, ix->db()->Prepare(
      "SELECT m.uid, m.guid, m.size, m.internal_date, m.flags, m.keywords, m.modseq, "
      "COALESCE(k.version, 0), k.has_sent_date, k.sent_date, k.subject, k.subject_reply, "
      "k.from_key, k.to_key, k.cc_key, k.display_from, k.display_to, k.message_id, "
      "k.in_reply_to, k.refs "
      "FROM messages m LEFT JOIN sort_keys k ON k.guid = m.guid "
      "WHERE m.mailbox = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid"));
  s.Bind(1, box).Bind(2, int64_t{lo}).Bind(3, int64_t{hi});
  std::vector<SortRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    SortRecord r;
    r.info = MessageFromColumns(s);
    if (s.Int(7) != kSortKeysVersion) {
      missing->push_back(out.size());
    } else {
      mime::SortKeys& k = r.keys;
      if (s.Int(8) != 0) k.sent_date = s.Int(9);
      k.subject = s.Text(10);
      k.subject_is_reply = s.Int(11) != 0;
      k.from = s.Text(12);
      k.to = s.Text(13);
      k.cc = s.Text(14);
      k.display_from = s.Text(15);
      k.display_to = s.Text(16);
      k.message_id = s.Text(17);
      k.in_reply_to = s.Text(18);
      k.references = SplitIds(s.Text(19));
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace slotmail::store
