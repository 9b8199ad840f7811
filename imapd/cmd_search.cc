// SEARCH and UID SEARCH (RFC 3501 6.4.4), with RETURN options (RFC 4731
// ESEARCH), SAVE and "$" (RFC 5182 SEARCHRES). The program is parsed on the
// loop; the view's metadata is read and the program evaluated on the worker,
// in chunks, so a BODY search of a big mailbox neither holds the loop nor
// keeps more than one message's bytes in memory (see search_eval.h).
#include <algorithm>
#include <ctime>

#include "imap/search_parse.h"
#include "imap/search_result.h"
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
  std::string user, mailbox, tag;
  bool uid = false;
  imap::SearchReturn ret;  // ret.esearch: answer with ESEARCH
  std::unique_ptr<SearchEvaluator> eval;
  // Messages of the view still present in the store, ascending UID, with
  // their sequence numbers and \Recent as the view had them at the start.
  std::vector<SearchMessage> messages;
  size_t next = 0;
  std::vector<uint32_t> found;  // indexes into `messages`, ascending
  bool report_modseq = false;   // the program has MODSEQ (RFC 7162 3.1.5)
};

bool UsesModSeq(const imap::SearchKey& key) {
  if (key.kind == imap::SearchKey::Kind::kModSeq) return true;
  return std::any_of(key.children.begin(), key.children.end(), UsesModSeq);
}

// True if the arguments start with RETURN (... SAVE ...): even a SEARCH that
// fails must then empty the saved result (RFC 5182 2.1), lest a pipelined
// command act on an older one.
bool AsksToSave(const std::vector<imap::Arg>& args) {
  if (args.size() < 2 || args[0].kind != imap::Arg::kAtom ||
      !imap::EqualsIgnoreCase(args[0].value, "RETURN") || args[1].kind != imap::Arg::kList) {
    return false;
  }
  return std::any_of(args[1].list.begin(), args[1].list.end(), [](const imap::Arg& a) {
    return a.kind == imap::Arg::kAtom && imap::EqualsIgnoreCase(a.value, "SAVE");
  });
}

// Runs on the worker. Reads messages[begin, end) one at a time; returns
// the indexes of those that match.
Result<std::vector<uint32_t>> EvaluateChunk(store::Store& st, const SearchJob& job,
                                            size_t begin, size_t end) {
  const SearchLoader load = [&](const store::MessageInfo& m) {
    return st.ReadMessage(job.user, m.guid);
  };
  std::vector<uint32_t> found;
  for (size_t i = begin; i < end; ++i) {
    ASSIGN_OR_RETURN(bool match, job.eval->Matches(job.messages[i], load));
    if (match) found.push_back(static_cast<uint32_t>(i));
  }
  return found;
}

void Fail(Session& s, const SearchJob& job, const Status& st) {
  if (job.ret.save) s.selected()->SaveResult({});
  s.FinishError(st);
}

// What SAVE keeps of `job.found`, as UID ranges. Messages next to each other
// in job.messages make one range: no message can ever have a UID between
// theirs (UIDs grow, and those between were expunged), so the ranges stay
// few however many messages were found.
store::UidSet SavedRanges(const SearchJob& job) {
  store::UidSet saved;
  uint32_t last = 0;
  for (uint32_t i : imap::ReturnedPart(job.ret, job.found)) {
    const uint32_t uid = job.messages[i].info.uid;
    if (!saved.empty() && i == last + 1) {
      saved.back().hi = uid;
    } else {
      saved.push_back({uid, uid});
    }
    last = i;
  }
  return saved;
}

void Answer(Session& s, const SearchJob& job) {
  std::vector<uint32_t> numbers;
  for (uint32_t i : job.found) {
    const SearchMessage& m = job.messages[i];
    numbers.push_back(job.uid ? m.info.uid : m.seq);
  }
  // RFC 7162 3.1.5: the highest modseq of what MIN/MAX/ALL/COUNT return.
  uint64_t modseq = 0;
  if (job.report_modseq) {
    for (uint32_t i : imap::ReturnedPart(job.ret, job.found)) {
      modseq = std::max(modseq, job.messages[i].info.modseq);
    }
  }
  if (job.ret.save) s.selected()->SaveResult(SavedRanges(job));
  if (!job.ret.esearch) {
    s.Untagged(imap::SearchResponse(numbers, modseq));
  } else if (imap::SendsEsearch(job.ret)) {
    s.Untagged(imap::EsearchResponse(job.tag, job.uid, job.ret, numbers, modseq));
  }
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
  s.Async<Result<std::vector<uint32_t>>>(
      [job, begin, end](store::Store& st) { return EvaluateChunk(st, *job, begin, end); },
      [&s, job](Result<std::vector<uint32_t>> r) {
        if (!r.ok()) return Fail(s, *job, r.status());
        job->found.insert(job->found.end(), r->begin(), r->end());
        NextChunk(s, job);
      });
}

}  // namespace

void CmdSearch(Session& s, imap::Command& cmd) {
  MailboxView* view = s.selected();
  auto program = imap::ParseSearch(cmd.args);
  if (!program.ok()) {
    if (AsksToSave(cmd.args)) view->SaveResult({});
    if (imap::IsBadCharset(program.status())) return s.Finish("NO " + program.status().message());
    return s.FinishBad(program.status().message());
  }
  // RFC 9051 6.4.4: under IMAP4rev2 a plain SEARCH is answered with ESEARCH,
  // as if RETURN (ALL) had been given.
  if (s.rev2() && !program->ret.esearch) {
    program->ret.esearch = true;
    program->ret.all = true;
  }
  if (UsesSavedResult(program->key)) {
    program->key = WithSavedResult(program->key, view->saved_result());
  }

  const std::vector<uint32_t>& uids = view->uids();
  SearchContext ctx;
  ctx.exists = view->exists();
  ctx.max_uid = uids.empty() ? 0 : uids.back();
  ctx.now = static_cast<int64_t>(std::time(nullptr));
  auto job = std::make_shared<SearchJob>();
  job->user = s.user();
  job->mailbox = view->name();
  job->tag = cmd.tag;
  job->uid = cmd.name == "UID SEARCH";
  job->ret = program->ret;
  job->report_modseq = UsesModSeq(program->key);
  if (job->report_modseq) s.Enable(Session::kCondStore);  // RFC 7162 3.1
  job->eval = std::make_unique<SearchEvaluator>(program->key, ctx, &s.server().mime_cache());
  if (uids.empty()) return Answer(s, *job);

  // One range: new messages get UIDs above the view's last, and whatever
  // else the store returns that the view lacks is dropped below.
  const store::UidSet range = {{uids.front(), uids.back()}};
  s.Async<Result<std::vector<store::MessageInfo>>>(
      [job, range](store::Store& st) { return st.FetchByUid(job->user, job->mailbox, range); },
      [&s, job](Result<std::vector<store::MessageInfo>> r) {
        if (!r.ok()) return Fail(s, *job, r.status());
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
