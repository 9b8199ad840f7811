// SORT and UID SORT (RFC 5256, RFC 5957 DISPLAY keys, RFC 5267 ESORT
// RETURN options), THREAD and UID THREAD (RFC 5256 ORDEREDSUBJECT and
// REFERENCES). The messages and their sort keys come from one index query
// (Store::FetchSortKeys): sorting never opens message files, only search
// keys that need the bytes (BODY, TEXT, HEADER...) do, as in SEARCH.
// Matching, sorting and threading run on the worker; answers on the loop.
#include <ctime>

#include "imap/search_result.h"
#include "imap/sort.h"
#include "imap/thread.h"
#include "imapd/commands.h"
#include "imapd/search_eval.h"
#include "imapd/server.h"
#include "imapd/status_map.h"
#include "store/store.h"

namespace slotmail::imapd {
namespace {

struct SortJob {
  std::string user, mailbox, tag;
  bool uid = false;
  bool thread = false;
  std::vector<imap::SortCriterion> criteria;  // SORT
  imap::SearchReturn ret;                     // SORT: ret.esearch for ESORT
  imap::ThreadAlgorithm algorithm = imap::ThreadAlgorithm::kReferences;  // THREAD
  std::unique_ptr<SearchEvaluator> eval;
  // Messages of the view, ascending, with their keys (same positions).
  std::vector<SearchMessage> messages;
  std::vector<mime::SortKeys> keys;
};

// What the worker hands back to the loop.
struct Outcome {
  std::vector<uint32_t> numbers;  // SORT: the answer's numbers in sort order
  std::vector<uint32_t> uids;     // SORT: their UIDs, for SAVE
  std::string thread;             // THREAD: the response line
};

uint32_t NumberOf(const SortJob& job, size_t i) {
  return job.uid ? job.messages[i].info.uid : job.messages[i].seq;
}

// Runs on the worker.
Result<Outcome> Evaluate(store::Store& st, const SortJob& job) {
  const SearchLoader load = [&](const store::MessageInfo& m) {
    return st.ReadMessage(job.user, m.guid);
  };
  std::vector<imap::SortItem> items;
  std::vector<size_t> where;  // items[k] is job.messages[where[k]]
  for (size_t i = 0; i < job.messages.size(); ++i) {
    const SearchMessage& m = job.messages[i];
    ASSIGN_OR_RETURN(bool match, job.eval->Matches(m, load));
    if (!match) continue;
    items.push_back({m.seq, m.info.internal_date, m.info.size, &job.keys[i]});
    where.push_back(i);
  }
  Outcome out;
  if (job.thread) {
    const auto threads = job.algorithm == imap::ThreadAlgorithm::kOrderedSubject
                             ? imap::ThreadOrderedSubject(items)
                             : imap::ThreadReferences(items);
    out.thread = imap::ThreadResponse(threads, [&](size_t k) { return NumberOf(job, where[k]); });
    return out;
  }
  for (size_t k : imap::SortOrder(job.criteria, items)) {
    out.numbers.push_back(NumberOf(job, where[k]));
    out.uids.push_back(job.messages[where[k]].info.uid);
  }
  return out;
}

// RETURN (SAVE) keeps the found messages as a set (RFC 5182); with MIN or
// MAX alone, the first and/or last in sort order (as ReturnedPart picks them).
store::UidSet Saved(const imap::SearchReturn& ret, const std::vector<uint32_t>& sorted_uids) {
  std::vector<uint32_t> uids = imap::ReturnedPart(ret, sorted_uids);
  std::sort(uids.begin(), uids.end());
  store::UidSet set;
  for (uint32_t u : uids) {
    if (!set.empty() && set.back().hi + 1 == u) {
      set.back().hi = u;
    } else {
      set.push_back({u, u});
    }
  }
  return set;
}

void Answer(Session& s, const SortJob& job, const Outcome& out) {
  if (job.thread) {
    s.Untagged(out.thread);
    return s.Finish("OK THREAD completed");
  }
  if (job.ret.save) s.selected()->SaveResult(Saved(job.ret, out.uids));
  if (!job.ret.esearch) {
    std::string line = "SORT";
    for (uint32_t n : out.numbers) line += " " + std::to_string(n);
    s.Untagged(line);
  } else if (imap::SendsEsearch(job.ret)) {
    // ESORT (RFC 5267 4.2): MIN and MAX are the first and last in sort
    // order, ALL keeps the sort order; the rest is ESEARCH as SEARCH sends it.
    imap::SearchReturn plain = job.ret;
    plain.all = false;
    std::string line = imap::EsearchResponse(job.tag, job.uid, plain, out.numbers, 0);
    if (job.ret.all && !out.numbers.empty()) {
      line += " ALL " + imap::FormatOrderedNumbers(out.numbers);
    }
    s.Untagged(line);
  }
  s.Finish("OK SORT completed");
}

void Fail(Session& s, const SortJob& job, const Status& st) {
  if (job.ret.save) s.selected()->SaveResult({});
  s.FinishError(st);
}

void Start(Session& s, std::shared_ptr<SortJob> job, imap::SearchKey key) {
  MailboxView* view = s.selected();
  if (UsesSavedResult(key)) key = WithSavedResult(key, view->saved_result());
  const std::vector<uint32_t>& uids = view->uids();
  SearchContext ctx;
  ctx.exists = view->exists();
  ctx.max_uid = uids.empty() ? 0 : uids.back();
  ctx.now = static_cast<int64_t>(std::time(nullptr));
  job->user = s.user();
  job->mailbox = view->name();
  job->eval = std::make_unique<SearchEvaluator>(key, ctx, &s.server().mime_cache());
  if (uids.empty()) return Answer(s, *job, job->thread ? Outcome{{}, {}, "THREAD"} : Outcome{});
  const store::UidRange range{uids.front(), uids.back()};
  s.Async<Result<std::vector<store::SortRecord>>>(
      [job, range](store::Store& st) { return st.FetchSortKeys(job->user, job->mailbox, range); },
      [&s, job](Result<std::vector<store::SortRecord>> r) {
        if (!r.ok()) return Fail(s, *job, r.status());
        MailboxView* view = s.selected();
        for (auto& rec : *r) {
          const uint32_t seq = view->SeqOf(rec.info.uid);
          if (seq == 0) continue;  // the client has not been told of it yet
          const bool recent = view->IsRecent(rec.info.uid);
          job->messages.push_back({std::move(rec.info), seq, recent});
          job->keys.push_back(std::move(rec.keys));
        }
        s.Async<Result<Outcome>>(
            [job](store::Store& st) { return Evaluate(st, *job); },
            [&s, job](Result<Outcome> out) {
              if (!out.ok()) return Fail(s, *job, out.status());
              Answer(s, *job, *out);
            });
      });
}

// A parse error: BADCHARSET is NO (RFC 5256 3), the rest BAD. A failed
// SORT RETURN (... SAVE ...) empties the saved result, as a failed SEARCH
// does (RFC 5182 2.1), lest a pipelined command act on an older one.
void Refuse(Session& s, const std::vector<imap::Arg>& args, const Status& st) {
  if (args.size() >= 2) {
    imap::Arg all;
    all.value = "ALL";
    auto ret = imap::ParseSearch({args[0], args[1], all});  // RETURN (...) alone
    if (ret.ok() && ret->ret.save) s.selected()->SaveResult({});
  }
  if (imap::IsBadCharset(st)) return s.Finish("NO " + st.message());
  s.FinishBad(st.message());
}

}  // namespace

void CmdSort(Session& s, imap::Command& cmd) {
  auto req = imap::ParseSort(cmd.args);
  if (!req.ok()) return Refuse(s, cmd.args, req.status());
  auto job = std::make_shared<SortJob>();
  job->tag = cmd.tag;
  job->uid = cmd.name == "UID SORT";
  job->criteria = std::move(req->criteria);
  job->ret = req->program.ret;
  Start(s, job, std::move(req->program.key));
}

void CmdThread(Session& s, imap::Command& cmd) {
  auto req = imap::ParseThread(cmd.args);
  if (!req.ok()) return Refuse(s, {}, req.status());
  auto job = std::make_shared<SortJob>();
  job->tag = cmd.tag;
  job->uid = cmd.name == "UID THREAD";
  job->thread = true;
  job->algorithm = req->algorithm;
  Start(s, job, std::move(req->program.key));
}

}  // namespace slotmail::imapd
