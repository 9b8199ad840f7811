// A session's view of its selected mailbox: the sequence-number map and the
// flags the client was last told, and how to bring it up to date.
//
// RFC 3501 7.4.1: sequence numbers change only when this session reports
// EXPUNGE; a message expunged elsewhere keeps its number (and counts in
// EXISTS) until an expunge may be reported, so the view holds those as
// `pending_expunge`.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "imapd/recent_claims.h"
#include "store/types.h"

namespace slotmail::imapd {

// What changed in the mailbox since the view's modseq (built off the loop).
struct MailboxChanges {
  std::vector<store::MessageInfo> changed;  // new or re-flagged, by UID
  std::vector<uint32_t> vanished;           // expunged UIDs
  store::MailboxInfo info;                  // current state
};

class MailboxView {
 public:
  // `claim` decides which messages are \Recent here, now and as new ones
  // arrive (RecentClaims); nullptr: none ever is (IMAP4rev2).
  MailboxView(const store::MailboxInfo& info, const std::vector<store::MessageInfo>& messages,
              bool read_only, RecentClaim claim = nullptr);

  const std::string& name() const { return name_; }
  bool read_only() const { return read_only_; }
  uint32_t uidvalidity() const { return uidvalidity_; }
  uint64_t modseq() const { return modseq_; }
  uint32_t exists() const { return static_cast<uint32_t>(uids_.size()); }
  const std::vector<uint32_t>& uids() const { return uids_; }
  // 1-based sequence number of `uid`, or 0.
  uint32_t SeqOf(uint32_t uid) const;
  // UID at 1-based `seq`. REQUIRES: 1 <= seq <= exists().
  uint32_t UidAt(uint32_t seq) const { return uids_[seq - 1]; }
  bool IsPendingExpunge(uint32_t uid) const { return pending_expunge_.count(uid) > 0; }
  bool HasPendingExpunge() const { return !pending_expunge_.empty(); }
  // \Recent in this session (RFC 3501 2.3.2): this view claimed it, when it
  // was built or when Apply added it; never after HideRecent.
  bool IsRecent(uint32_t uid) const;
  // IMAP4rev2 has no \Recent (RFC 9051 Appendix E): from now on no message
  // is recent, Apply sends no RECENT response and claims nothing more.
  void HideRecent();
  // Messages in the view that are \Recent (the RECENT response).
  uint32_t recent_count() const;
  // RFC 7162 CONDSTORE enabled: flag FETCHes carry UID and MODSEQ from now on.
  void ReportModSeq() { report_modseq_ = true; }
  bool reports_modseq() const { return report_modseq_; }
  // RFC 7162 3.2.10 QRESYNC enabled: expunges are told as one VANISHED
  // (UIDs) instead of EXPUNGEs.
  void ReportVanished() { report_vanished_ = true; }
  const store::Flags* FlagsOf(uint32_t uid) const;

  // Applies `c` and returns the untagged responses (without "* " and CRLF)
  // that tell the client: EXPUNGE or VANISHED (only if `allow_expunge`),
  // FLAGS and PERMANENTFLAGS if a keyword is new, EXISTS, RECENT (unless
  // HideRecent), and FETCH (FLAGS ...) for flag changes the client did not
  // cause itself.
  std::vector<std::string> Apply(const MailboxChanges& c, bool allow_expunge);
  // Records flags the client set itself (STORE answers with them directly).
  // Returns what AnnounceKeywords returns for them: send it first.
  [[nodiscard]] std::vector<std::string> NoteFlags(const store::MessageInfo& m);

  // RFC 3501 7.2.6: the FLAGS response and the PERMANENTFLAGS response code
  // (in an untagged OK) listing the system flags and every keyword the
  // client has been told of: at SELECT, those of the mailbox's messages.
  std::vector<std::string> FlagsResponses() const;
  // FlagsResponses() if `flags` hold a keyword the client has not been told
  // of (it is told now), else nothing. A FETCH showing `flags` must follow,
  // never precede, what this returns.
  [[nodiscard]] std::vector<std::string> AnnounceKeywords(const store::Flags& flags);
  // "<seq> FETCH (FLAGS (..) UID n MODSEQ (m))" for `m`, whose UID is in the
  // view: FLAGS unless `silent`, UID if `uid` or reports_modseq(), MODSEQ if
  // reports_modseq().
  std::string FlagsFetch(const store::MessageInfo& m, bool uid, bool silent) const;

  // RFC 5182 SEARCHRES: the result the last SEARCH RETURN (SAVE) kept, as
  // UIDs, so expunges need no bookkeeping (an expunged UID names nothing).
  // Empty in a new view: SELECT and EXAMINE start afresh, CLOSE and UNSELECT
  // drop the view.
  const store::UidSet& saved_result() const { return saved_result_; }
  void SaveResult(store::UidSet uids) { saved_result_ = std::move(uids); }

 private:
  std::string name_;
  bool read_only_;
  uint32_t uidvalidity_;
  uint64_t modseq_;
  // Claims the UIDs above `after` up to the view's last as \Recent here,
  // those not claimed by another session before.
  void ClaimNew(uint32_t after);

  RecentClaim claim_;                   // null: no \Recent (HideRecent)
  std::vector<store::UidRange> recent_;  // claimed here; ascending, disjoint
  std::vector<uint32_t> uids_;  // ascending; index + 1 = sequence number
  std::vector<store::Flags> flags_;  // parallel to uids_
  std::set<std::string> keywords_;   // listed in the last FLAGS response
  std::set<uint32_t> pending_expunge_;
  bool report_modseq_ = false;
  bool report_vanished_ = false;
  store::UidSet saved_result_;
};

// "(\Seen \Flagged $Work)" plus "\Recent" when `recent`.
std::string FlagList(const store::Flags& flags, bool recent);

}  // namespace slotmail::imapd
