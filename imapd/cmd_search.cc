// SEARCH and UID SEARCH (RFC 3501 6.4.4). The program is parsed on the loop;
// the view's metadata is read and the program evaluated on the worker, in
// chunks, so a BODY search of a big mailbox neither holds the loop nor keeps
// more than one message's bytes in memory (see search_eval.h).
#include <algorithm>
#include <ctime>

#include "imap/search_parse.h"
#include "imapd/commands.h"
#include "imapd/search_eval.h"
#include "imapd/server.h"
#include "imapd/status_map.h"
#include "store/store.h"

namespace slotmail::imapd {
namespace {

// A chunk of evaluation ends after this many messages, or once the messages
// it may have to read add up to this many bytes; metadata-only programs are
// cheap per message and take bigger chunks.
constexpr size_t kChunkMessages = 512;
constexpr uint64_t kChunkBytes = 16u << 20;
constexpr size_t kChunkMetadataMessages = 65536;

struct SearchJob {
  std::string user, mailbox;
  bool uid = false;
  std::unique_ptr<SearchEvaluator> eval;
  // Messages of the view still present in the store, ascending UID, with
  // their sequence numbers and \Recent as the view had them at the start.
  std::vector<SearchMessage> messages;
  size_t next = 0;
  std::vector<uint32_t> found;  // sequence numbers (or UIDs), ascending
  bool report_modseq = false;   // the program has MODSEQ (RFC 7162 3.1.5)
  uint64_t max_modseq = 0;      // highest modseq among `found`
};

struct ChunkResult {
  std::vector<uint32_t> found;
  uint64_t max_modseq = 0;
};

bool UsesModSeq(const imap::SearchKey& key) {
  if (key.kind == imap::SearchKey::Kind::kModSeq) return true;
  return std::any_of(key.children.begin(), key.children.end(), UsesModSeq);
}

// Runs on the worker. Reads messages[begin, end) one at a time.
Result<ChunkResult> EvaluateChunk(store::Store& st, const SearchJob& job, size_t begin,
                                  size_t end) {
  const SearchLoader load = [&](const store::MessageInfo& m) {
    return st.ReadMessage(job.user, m.guid);
  };
  ChunkResult r;
  for (size_t i = begin; i < end; ++i) {
    const SearchMessage& m = job.messages[i];
    ASSIGN_OR_RETURN(bool match, job.eval->Matches(m, load));
    if (!match) continue;
    r.found.push_back(job.uid ? m.info.uid : m.seq);
    r.max_modseq = std::max(r.max_modseq, m.info.modseq);
  }
  return r;
}

void Answer(Session& s, const SearchJob& job) {
  std::string line = "SEARCH";
  for (uint32_t n : job.found) line += " " + std::to_string(n);
  // RFC 7162 3.1.5: with MODSEQ in the criteria, the highest mod-sequence
  // of the messages found (nothing if none are).
  if (job.report_modseq && !job.found.empty()) {
    line += " (MODSEQ " + std::to_string(job.max_modseq) + ")";
  }
  s.Untagged(line);
  s.Finish("OK SEARCH completed");
}

void NextChunk(Session& s, std::shared_ptr<SearchJob> job) {
  const size_t begin = job->next;
  if (begin == job->messages.size()) return Answer(s, *job);
  size_t end = begin;
  if (job->eval->needs_bytes()) {
    uint64_t bytes = 0;
    while (end < job->messages.size() && end - begin < kChunkMessages && bytes < kChunkBytes) {
      bytes += job->messages[end++].info.size;
    }
  } else {
    end = std::min(job->messages.size(), begin + kChunkMetadataMessages);
  }
  job->next = end;
  s.Async<Result<ChunkResult>>(
      [job, begin, end](store::Store& st) { return EvaluateChunk(st, *job, begin, end); },
      [&s, job](Result<ChunkResult> r) {
        if (!r.ok()) return s.Finish(ResponseFor(r.status()));
        job->found.insert(job->found.end(), r->found.begin(), r->found.end());
        job->max_modseq = std::max(job->max_modseq, r->max_modseq);
        NextChunk(s, job);
      });
}

}  // namespace

void CmdSearch(Session& s, imap::Command& cmd) {
  auto program = imap::ParseSearch(cmd.args);
  if (!program.ok()) {
    if (imap::IsBadCharset(program.status())) return s.Finish("NO " + program.status().message());
    return s.FinishBad(program.status().message());
  }
  if (program->ret.esearch) return s.FinishBad("SEARCH RETURN is not supported");
  if (UsesSavedResult(program->key)) return s.FinishBad("SEARCH with $ is not supported");

  MailboxView* view = s.selected();
  const std::vector<uint32_t>& uids = view->uids();
  SearchContext ctx;
  ctx.exists = view->exists();
  ctx.max_uid = uids.empty() ? 0 : uids.back();
  ctx.now = static_cast<int64_t>(std::time(nullptr));
  auto job = std::make_shared<SearchJob>();
  job->user = s.user();
  job->mailbox = view->name();
  job->uid = cmd.name == "UID SEARCH";
  job->report_modseq = UsesModSeq(program->key);
  job->eval = std::make_unique<SearchEvaluator>(program->key, ctx, &s.server().mime_cache());
  if (uids.empty()) return Answer(s, *job);

  // One range: new messages get UIDs above the view's last, and whatever
  // else the store returns that the view lacks is dropped below.
  const store::UidSet range = {{uids.front(), uids.back()}};
  s.Async<Result<std::vector<store::MessageInfo>>>(
      [job, range](store::Store& st) { return st.FetchByUid(job->user, job->mailbox, range); },
      [&s, job](Result<std::vector<store::MessageInfo>> r) {
        if (!r.ok()) return s.Finish(ResponseFor(r.status()));
        MailboxView* view = s.selected();
        job->messages.reserve(r->size());
        for (auto& m : *r) {
          const uint32_t seq = view->SeqOf(m.uid);
          if (seq == 0) continue;  // the client has not been told of it yet
          const bool recent = view->IsRecent(m.uid);
          job->messages.push_back({std::move(m), seq, recent});
        }
        NextChunk(s, job);
      });
}

}  // namespace slotmail::imapd
