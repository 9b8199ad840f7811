// FETCH and UID FETCH. Work happens off the loop in chunks, so one huge
// FETCH neither blocks other clients nor holds a whole mailbox in memory.
#include <algorithm>
#include <iterator>
#include <span>

#include "common/hash.h"
#include "imap/condstore_args.h"
#include "imap/fetch_items.h"
#include "imapd/args.h"
#include "imapd/commands.h"
#include "imapd/fetch_render.h"
#include "imapd/fetch_structures.h"
#include "imapd/mime_cache.h"
#include "imapd/qresync.h"
#include "imapd/server.h"
#include "imapd/status_map.h"
#include "store/store.h"

namespace slotmail::imapd {
namespace {

// A chunk ends after this many messages or this much output.
constexpr size_t kChunkMessages = 256;
constexpr size_t kChunkBytes = 4u << 20;

struct FetchJob {
  std::string user, mailbox;
  std::vector<imap::FetchItem> items;
  bool uid = false;
  bool set_seen = false;  // fetching sets \Seen where it is missing
  std::vector<store::MessageInfo> messages;  // still to render, ascending UID
  size_t next = 0;
  // Per message of the chunk: sequence number and \Recent, from the view.
  std::vector<std::pair<uint32_t, bool>> positions;
  bool unknown_cte = false;  // a BINARY item was left out (RFC 3516 4.2)
  bool condstore = false;    // RFC 7162 3.1: setting \Seen reports UID and MODSEQ
};

bool InUidSet(const store::UidSet& set, uint32_t uid) {
  return std::any_of(set.begin(), set.end(),
                     [uid](const store::UidRange& r) { return r.lo <= uid && uid <= r.hi; });
}

// What the store said before rendering starts.
struct FetchStart {
  std::vector<store::MessageInfo> messages;
  std::vector<uint32_t> vanished;  // UID FETCH (CHANGEDSINCE n VANISHED)
};

struct Chunk {
  std::string output;
  std::vector<store::MessageInfo> seen_set;  // messages whose \Seen we set
  bool unknown_cte = false;
};

// A message whose file is missing: fine if it was expunged (and collected)
// since the client saw it, there is nothing to show; a file lost under a
// live row is an error the client hears as NO (and no crash).
Status CheckGone(store::Store& st, const FetchJob& job, uint32_t uid) {
  ASSIGN_OR_RETURN(auto live, st.FetchByUid(job.user, job.mailbox, {{uid, uid}}));
  if (live.empty()) return Status::Ok();
  return Status::Corruption("message file of a live message is missing");
}

Result<Chunk> RenderChunk(store::Store& st, MimeCache& cache, FetchJob& job, size_t begin,
                          size_t end) {
  Chunk chunk;
  std::vector<store::MessageInfo*> newly_seen;
  if (job.set_seen) {
    store::UidSet unseen;
    for (size_t i = begin; i < end; ++i) {
      if (!(job.messages[i].flags.system & store::kFlagSeen)) {
        unseen.push_back({job.messages[i].uid, job.messages[i].uid});
      }
    }
    if (!unseen.empty()) {
      ASSIGN_OR_RETURN(auto r, st.StoreFlags(job.user, job.mailbox, unseen, store::FlagOp::kAdd,
                                             store::Flags{store::kFlagSeen, {}}));
      for (auto& changed : r.changed) {
        for (size_t i = begin; i < end; ++i) {
          if (job.messages[i].uid == changed.uid) job.messages[i] = changed;
        }
        chunk.seen_set.push_back(changed);
      }
    }
  }
  const bool need_bytes = NeedsBytes(job.items);
  const bool need_structure = NeedsStructure(job.items);
  const bool header_only = need_bytes && NeedsOnlyHeader(job.items);
  // Structures come without the files (cache, then index) unless every
  // file is read whole anyway.
  std::vector<std::shared_ptr<const mime::Message>> structures;
  if (need_structure && (!need_bytes || header_only)) {
    ASSIGN_OR_RETURN(structures,
                     LoadStructures(st, cache, job.user,
                                    std::span(job.messages).subspan(begin, end - begin)));
  }
  for (size_t i = begin; i < end; ++i) {
    const store::MessageInfo& m = job.messages[i];
    std::string bytes;
    std::shared_ptr<const mime::Message> parsed;
    if (!structures.empty()) {
      parsed = structures[i - begin];
      if (parsed == nullptr) {
        RETURN_IF_ERROR(CheckGone(st, job, m.uid));
        continue;
      }
    }
    if (need_bytes) {
      auto b = header_only ? st.ReadMessageHead(job.user, m.guid, parsed->root.header.end)
                           : st.ReadMessage(job.user, m.guid);
      if (!b.ok()) {
        if (b.status().code() != Code::kNotFound) return b.status();
        RETURN_IF_ERROR(CheckGone(st, job, m.uid));
        continue;
      }
      bytes = std::move(b).value();
      if (need_structure && parsed == nullptr) parsed = cache.Get(m.guid, bytes);
    }
    FetchInput in;
    in.msg = &m;
    in.seq = job.positions[i - begin].first;
    in.recent = job.positions[i - begin].second;
    in.bytes = &bytes;
    in.parsed = parsed.get();
    in.add_flags = std::any_of(chunk.seen_set.begin(), chunk.seen_set.end(),
                               [&](const store::MessageInfo& s) { return s.uid == m.uid; });
    in.add_modseq = job.condstore && in.add_flags;
    in.add_uid = job.uid || in.add_modseq;
    chunk.output += RenderFetch(job.items, in, &chunk.unknown_cte);
  }
  return chunk;
}

void NextChunk(Session& s, std::shared_ptr<FetchJob> job) {
  MailboxView* view = s.selected();
  // Render only messages still in the view, with their current numbers.
  size_t begin = job->next, end = begin, bytes = 0;
  job->positions.clear();
  while (end < job->messages.size() && end - begin < kChunkMessages && bytes < kChunkBytes) {
    const auto& m = job->messages[end];
    job->positions.emplace_back(view->SeqOf(m.uid), view->IsRecent(m.uid));
    bytes += m.size;
    ++end;
  }
  if (begin == end) {
    if (job->unknown_cte) {
      return s.Finish("NO [UNKNOWN-CTE] A part's content transfer encoding cannot be decoded");
    }
    return s.Finish("OK FETCH completed");
  }
  job->next = end;
  Server* server = &s.server();
  s.Async<Result<Chunk>>(
      [job, server, begin, end](store::Store& st) {
        return RenderChunk(st, server->mime_cache(), *job, begin, end);
      },
      [&s, job](Result<Chunk> r) {
        if (!r.ok()) return s.FinishError(r.status());
        for (const auto& m : r->seen_set) {
          for (const auto& line : s.selected()->NoteFlags(m)) s.Untagged(line);
        }
        job->unknown_cte |= r->unknown_cte;
        s.WriteRaw(r->output);
        s.WhenDrained([&s, job] { NextChunk(s, job); });
      });
}

}  // namespace

void CmdFetch(Session& s, imap::Command& cmd) {
  const bool uid = cmd.name == "UID FETCH";
  if (cmd.args.size() != 2 && cmd.args.size() != 3) {
    return s.FinishBad("FETCH takes a sequence set, items and optional modifiers");
  }
  auto set = UidSetArg(cmd, 0, uid, *s.selected());
  if (!set.ok()) return s.FinishBad(set.status().message());
  auto items = imap::ParseFetchItems(cmd.args[1]);
  if (!items.ok()) return s.FinishBad(items.status().message());
  imap::FetchModifiers mods;
  if (cmd.args.size() == 3) {
    auto m = imap::ParseFetchModifiers(cmd.args[2]);
    if (!m.ok()) return s.FinishBad(m.status().message());
    // RFC 7162 3.2.6: VANISHED is for UID FETCH once QRESYNC is enabled.
    if (m->vanished && (!uid || !s.qresync())) {
      return s.FinishBad("VANISHED needs UID FETCH and ENABLE QRESYNC");
    }
    mods = *m;
  }
  // RFC 7162 3.1.4: CHANGEDSINCE implies MODSEQ; either enables CONDSTORE.
  const auto has_modseq = [&] {
    return std::any_of(items->begin(), items->end(), [](const imap::FetchItem& i) {
      return i.kind == imap::FetchItem::Kind::kModSeq;
    });
  };
  if (mods.changed_since && !has_modseq()) {
    imap::FetchItem modseq;
    modseq.kind = imap::FetchItem::Kind::kModSeq;
    items->push_back(modseq);
  }
  if (has_modseq()) s.Enable(Session::kCondStore);
  auto job = std::make_shared<FetchJob>();
  job->user = s.user();
  job->mailbox = s.selected()->name();
  job->items = std::move(items).value();
  job->uid = uid;
  job->set_seen = SetsSeen(job->items) && !s.selected()->read_only();
  job->condstore = s.condstore();
  store::UidSet uids = *set;
  s.Async<Result<FetchStart>>(
      [job, uids, mods](store::Store& st) -> Result<FetchStart> {
        FetchStart start;
        ASSIGN_OR_RETURN(start.messages, st.FetchByUid(job->user, job->mailbox, uids));
        if (mods.vanished) {
          ASSIGN_OR_RETURN(auto gone,
                           st.VanishedSince(job->user, job->mailbox, *mods.changed_since));
          std::copy_if(gone.begin(), gone.end(), std::back_inserter(start.vanished),
                       [&](uint32_t u) { return InUidSet(uids, u); });
        }
        return start;
      },
      [&s, job, mods](Result<FetchStart> r) {
        if (!r.ok()) return s.FinishError(r.status());
        // RFC 7162 3.2.6: expunged UIDs of the set first, as EARLIER.
        if (!r->vanished.empty()) {
          for (const auto& line : VanishedResponses(true, r->vanished)) s.Untagged(line);
        }
        // Messages the client has not been told about yet are not fetched.
        MailboxView* view = s.selected();
        // Flags read now may hold a keyword set since the view's last
        // update (RFC 3501 7.2.6: FLAGS before the FETCH shows it).
        store::Flags read;
        for (auto& m : r->messages) {
          if (view->SeqOf(m.uid) == 0) continue;
          if (mods.changed_since && m.modseq <= *mods.changed_since) continue;
          read.keywords.insert(read.keywords.end(), m.flags.keywords.begin(),
                               m.flags.keywords.end());
          job->messages.push_back(std::move(m));
        }
        for (const auto& line : view->AnnounceKeywords(read)) s.Untagged(line);
        NextChunk(s, job);
      });
}

}  // namespace slotmail::imapd
