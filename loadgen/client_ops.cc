// The operations of a load client and the checks on their answers.
#include <cstdio>

#include "loadgen/client.h"

namespace slotmail::loadgen {
namespace {

// Whether the FLAGS list in a FETCH response contains `flag`.
bool HasFlag(const std::string& fetch, std::string_view flag) {
  size_t at = fetch.find("FLAGS (");
  if (at == std::string::npos) return false;
  size_t end = fetch.find(')', at);
  std::string_view list(fetch.data() + at + 7, end - at - 7);
  for (size_t i = 0; i + flag.size() <= list.size(); ++i) {
    if (StartsWithNoCase(list.substr(i), flag) &&
        (i + flag.size() == list.size() || list[i + flag.size()] == ' '))
      return true;
  }
  return false;
}

// The untagged FETCH response for sequence number `seq`, or null.
const std::string* FetchFor(const Reply& r, uint64_t seq) {
  for (const std::string& u : r.untagged) {
    if (UntaggedNumber(u, "FETCH") == seq) return &u;
  }
  return nullptr;
}

}  // namespace

void Client::DoSelect() {
  Begin(Op::kSelect);
  conn_->Send("SELECT INBOX", [this](Reply* r) {
    if (!Check(r)) return;
    bool saw_exists = false;
    for (const std::string& u : r->untagged) saw_exists |= UntaggedNumber(u, "EXISTS").has_value();
    exists_ = 0;
    Apply(*r);
    if (!saw_exists) return Fail("SELECT without EXISTS", r);
    if (exact() && user_->messages >= 0 && user_->messages != exists_) {
      return Fail("EXISTS " + std::to_string(exists_) + ", expected " +
                      std::to_string(user_->messages), r);
    }
    user_->messages = exists_;
    End();
    Next();
  });
}

void Client::DoList() {
  Begin(Op::kList);
  conn_->Send("LIST \"\" \"*\"", [this](Reply* r) {
    if (!Check(r)) return;
    Apply(*r);
    bool inbox = false;
    for (const std::string& u : r->untagged) {
      std::string_view s(u);
      if (!s.empty() && s.back() == '"') s.remove_suffix(1);  // "INBOX" or INBOX
      inbox |= StartsWithNoCase(s, "* LIST") && s.size() >= 5 &&
               StartsWithNoCase(s.substr(s.size() - 5), "INBOX");
    }
    if (!inbox) return Fail("LIST without INBOX", r);
    End();
    Next();
  });
}

void Client::DoStatus() {
  Begin(Op::kStatus);
  conn_->Send("STATUS INBOX (MESSAGES UIDNEXT UNSEEN)", [this](Reply* r) {
    if (!Check(r)) return;
    Apply(*r);
    std::optional<uint64_t> messages;
    for (const std::string& u : r->untagged) {
      if (StartsWithNoCase(u, "* STATUS")) messages = NumberAfter(u, "MESSAGES");
    }
    if (!messages) return Fail("STATUS without MESSAGES", r);
    if (exact() && user_->messages >= 0 && long(*messages) != user_->messages) {
      return Fail("MESSAGES " + std::to_string(*messages) + ", expected " +
                      std::to_string(user_->messages), r);
    }
    End();
    Next();
  });
}

void Client::DoFetch() {
  Begin(Op::kFetch);
  uint64_t last = uint64_t(exists_), first = last > 100 ? last - 99 : 1;
  std::string cmd = "FETCH " + std::to_string(first) + ":" + std::to_string(last) +
                    " (UID FLAGS ENVELOPE)";
  conn_->Send(cmd, [this, first, last](Reply* r) {
    if (!Check(r)) return;
    uint64_t good = 0;
    for (const std::string& u : r->untagged) {
      std::optional<uint64_t> n = UntaggedNumber(u, "FETCH");
      if (!n || *n < first || *n > last) continue;
      if (u.find("FLAGS (") == std::string::npos || u.find("ENVELOPE (") == std::string::npos ||
          !NumberAfter(u, "UID") || u.find("<bench.") == std::string::npos) {
        return Fail("implausible FETCH response: " + u.substr(0, 200), r);
      }
      ++good;
    }
    Apply(*r);
    if (good != last - first + 1 && (exact() || good == 0)) {
      return Fail("FETCH returned " + std::to_string(good) + " of " +
                      std::to_string(last - first + 1) + " messages", r);
    }
    End();
    Next();
  });
}

void Client::DoBody() {
  Begin(Op::kBody);
  bool own = own_uid_ != 0 && rng_.Percent(30);
  uint64_t seq = own ? own_uid_ : RandomSeq();
  std::string cmd = std::string(own ? "UID FETCH " : "FETCH ") + std::to_string(seq) +
                    " (UID RFC822.SIZE BODY.PEEK[])";
  conn_->Send(cmd, [this, seq, own](Reply* r) {
    if (!Check(r)) return;
    CheckBody(r, seq, own);
  });
}

void Client::CheckBody(const Reply* r, uint64_t seq, bool own) {
  const std::string* fetch = nullptr;
  for (const std::string& u : r->untagged) {
    if (!UntaggedNumber(u, "FETCH")) continue;
    if (own ? NumberAfter(u, "UID") == seq : UntaggedNumber(u, "FETCH") == seq) fetch = &u;
  }
  Apply(*r);
  if (fetch == nullptr) {
    if (!exact()) return End(), Next();  // another client may have expunged it
    return Fail("no FETCH response for " + std::string(own ? "UID " : "") + std::to_string(seq), r);
  }
  std::optional<std::string_view> body = LiteralAfter(*fetch, "BODY[]");
  std::optional<uint64_t> size = NumberAfter(*fetch, "RFC822.SIZE");
  if (!body || !size) return Fail("FETCH without BODY[] literal or RFC822.SIZE", r);
  if (*size != body->size()) {
    return Fail("RFC822.SIZE " + std::to_string(*size) + " but BODY[] has " +
                    std::to_string(body->size()) + " bytes", r);
  }
  long index = run_->corpus->IndexOf(*body);
  if (index < 0) return Fail("BODY[] is not a corpus message (another --seed?)", r);
  if (*body != run_->corpus->Message(size_t(index))) {
    return Fail("BODY[] differs from corpus message " + std::to_string(index), r);
  }
  if (own && index != own_index_) {
    return Fail("appended corpus message " + std::to_string(own_index_) + ", fetched back " +
                    std::to_string(index), r);
  }
  End();
  Next();
}

void Client::DoStore() {
  Begin(Op::kStore);
  uint64_t seq = RandomSeq();
  bool add = rng_.Percent(50);
  const char* flag = rng_.Percent(50) ? "\\Seen" : "\\Flagged";
  std::string cmd = "STORE " + std::to_string(seq) + (add ? " +FLAGS (" : " -FLAGS (") + flag + ")";
  conn_->Send(cmd, [this, seq, add, flag](Reply* r) {
    if (!Check(r)) return;
    const std::string* fetch = FetchFor(*r, seq);
    if (fetch != nullptr && HasFlag(*fetch, flag) != add) {
      return Fail(std::string("flags after STORE ") + (add ? "+" : "-") + flag + ": " + *fetch, r);
    }
    Apply(*r);
    End();
    Next();
  });
}

void Client::DoExpunge() {
  Begin(Op::kExpunge);
  uint64_t seq = RandomSeq();
  own_uid_ = 0;  // it may be the one expunged
  conn_->Send("STORE " + std::to_string(seq) + " +FLAGS.SILENT (\\Deleted)", [this, seq](Reply* r) {
    if (!Check(r)) return;
    Apply(*r);
    conn_->Send("EXPUNGE", [this, seq](Reply* r) {
      if (!Check(r)) return;
      long gone = 0;
      bool ours = false;
      for (const std::string& u : r->untagged) {
        std::optional<uint64_t> n = UntaggedNumber(u, "EXPUNGE");
        gone += n ? 1 : 0;
        ours |= n == seq;
      }
      Apply(*r);
      if (gone == 0 || (exact() && gone == 1 && !ours)) {
        return Fail("EXPUNGE did not report message " + std::to_string(seq), r);
      }
      if (exact()) user_->messages -= gone;
      End();
      Next();
    });
  });
}

void Client::DoAppend() {
  Begin(Op::kAppend);
  size_t index = size_t(rng_.Next() % run_->corpus->size());
  const char* prefix = rng_.Percent(50) ? "APPEND INBOX (\\Seen)" : "APPEND INBOX ()";
  conn_->SendLiteral(prefix, &run_->corpus->Message(index), [this, index](Reply* r) {
    if (!Check(r)) return;
    Apply(*r);
    unsigned long long validity = 0, uid = 0;
    size_t at = r->status.find("[APPENDUID ");
    if (at != std::string::npos &&
        sscanf(r->status.c_str() + at, "[APPENDUID %llu %llu]", &validity, &uid) == 2) {
      own_uid_ = uid;
      own_index_ = long(index);
    }
    if (exact() && user_->messages >= 0) ++user_->messages;
    End();
    Next();
  });
}

}  // namespace slotmail::loadgen
