#include "replication/user_sync.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "common/limits.h"
#include "replication/image_codec.h"
#include "replication/rejoin_side.h"
#include "replication/replica_side.h"
#include "store/store.h"

namespace slotmail::replication {
namespace {

json::Value Request(const char* op, const std::string& user) {
  return json::Value::Object().Set("op", op).Set("user", user);
}

// The replica's summary of `user`, or nullopt when it has no such user.
Result<std::optional<store::UserImage>> ReplicaSummary(ReplicaChannel* r, const std::string& user) {
  ASSIGN_OR_RETURN(json::Value answer, r->Call(Request("summary", user)));
  ASSIGN_OR_RETURN(bool exists, answer.GetBool("exists"));
  if (!exists) return std::optional<store::UserImage>();
  const json::Value* image = answer.Find("image");
  if (image == nullptr) return Status::Protocol("summary without image");
  ASSIGN_OR_RETURN(store::UserImage decoded, DecodeImage(*image));
  return std::optional<store::UserImage>(std::move(decoded));
}

// Where the replica can take a delta: same mailbox (by id), same
// UIDVALIDITY, and not ahead of the master. Anything else gets a complete
// mailbox (Cyrus: a replica ahead is never patched incrementally).
store::SinceMap DeltaBase(const store::UserImage& master, const store::UserImage& replica) {
  store::SinceMap since;
  for (const auto& rb : replica.mailboxes) {
    for (const auto& mb : master.mailboxes) {
      if (mb.id == rb.id && mb.uidvalidity == rb.uidvalidity &&
          rb.highestmodseq <= mb.highestmodseq && rb.uidnext <= mb.uidnext) {
        since[rb.id] = rb.highestmodseq;
      }
    }
  }
  return since;
}

// Message files going in one request: the list names them (GUID and
// size) and their bytes follow the request's line, one after another.
struct BlobBatch {
  json::Value list = json::Value::Array();
  std::string data;

  void Add(const std::string& guid, std::string_view bytes, SyncStats* stats) {
    list.Push(json::Value::Object().Set("guid", guid).Set("size", static_cast<int64_t>(bytes.size())));
    data.append(bytes);
    ++stats->blobs;
    stats->blob_bytes += bytes.size();
  }
  bool empty() const { return list.Items().empty(); }
};

}  // namespace

Status SendBlobs(store::Store* master, ReplicaChannel* r, const std::string& user,
                 const store::UserImage& image, SyncStats* stats, const std::string& op_prefix) {
  std::map<std::string, uint64_t> sizes;  // guid -> bytes
  for (const auto& b : image.mailboxes) {
    for (const auto& m : b.records) sizes[m.guid] = m.size;
  }
  if (sizes.empty()) return Status::Ok();
  json::Value list = json::Value::Array();
  for (const auto& [g, size] : sizes) list.Push(g);
  json::Value req = Request((op_prefix + "missing").c_str(), user);
  req.Set("guids", list);
  ASSIGN_OR_RETURN(json::Value answer, r->Call(req));
  const json::Value* missing = answer.Find("missing");
  if (missing == nullptr || !missing->is_array()) return Status::Protocol("missing: no list");
  uint64_t missing_bytes = 0;
  for (const json::Value& g : missing->Items()) {
    if (!g.is_string() || !sizes.count(g.AsString())) return Status::Protocol("missing: unknown GUID");
    missing_bytes += sizes[g.AsString()];
  }
  // In batches of up to kReplicationInlineBytes: the replica makes each
  // batch durable with two syncs, not two per file. One buffer for all of
  // them, allocated once (growing it was most of the master's CPU time).
  BlobBatch batch;
  batch.data.reserve(std::min(missing_bytes, limits::kReplicationInlineBytes));
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    json::Value req = Request((op_prefix + "blobs").c_str(), user);
    req.Set("blobs", std::move(batch.list));
    Status st = r->Call(req, batch.data).status();
    batch.list = json::Value::Array();
    batch.data.clear();  // keeps the buffer
    return st;
  };
  for (const json::Value& g : missing->Items()) {
    ASSIGN_OR_RETURN(std::string bytes, master->ReadMessage(user, g.AsString()));
    if (!batch.empty() && batch.data.size() + bytes.size() > limits::kReplicationInlineBytes) {
      RETURN_IF_ERROR(flush());
    }
    batch.Add(g.AsString(), bytes, stats);
  }
  return flush();
}

namespace {

// Applies `image` (with `blobs`, message files the replica keeps first)
// and checks the replica's new summary against it; the summary is kept in
// `cache` when there is one.
Status ApplyAndCheck(ReplicaChannel* r, const std::string& user, const store::UserImage& image,
                     BlobBatch blobs = {}, SummaryCache* cache = nullptr) {
  json::Value req = Request("apply", user);
  req.Set("image", EncodeImage(image));
  if (!blobs.empty()) req.Set("blobs", std::move(blobs.list));
  ASSIGN_OR_RETURN(json::Value answer, r->Call(req, blobs.data));
  const json::Value* got = answer.Find("image");
  if (got == nullptr) return Status::Protocol("apply: no summary in the answer");
  ASSIGN_OR_RETURN(store::UserImage summary, DecodeImage(*got));
  if (!SameSummary(summary, image)) {
    return Status::Corruption("user " + user + ": the replica's checksums differ after apply");
  }
  if (cache != nullptr) cache->Put(user, SummaryOf(std::move(summary)));
  return Status::Ok();
}

// The files of the records the replica cannot have yet: new in a mailbox
// it knows (uid at or above its UIDNEXT) or in one it does not know, and
// not also the file of an older record (a copy it has). Nullopt when they
// are too many bytes to go inside one apply.
std::optional<BlobBatch> NewBlobs(store::Store* master, const std::string& user,
                                    const store::UserImage& image, const store::UserImage& theirs,
                                    SyncStats* stats) {
  std::map<std::string, uint32_t> their_uidnext;
  for (const auto& b : theirs.mailboxes) their_uidnext[b.id] = b.uidnext;
  std::set<std::string> fresh, old;
  for (const auto& b : image.mailboxes) {
    auto it = their_uidnext.find(b.id);
    for (const auto& m : b.records) {
      (it == their_uidnext.end() || m.uid >= it->second ? fresh : old).insert(m.guid);
    }
  }
  BlobBatch out;
  for (const auto& g : fresh) {
    if (old.count(g)) continue;
    auto data = master->ReadMessage(user, g);
    if (!data.ok()) return std::nullopt;  // the slow path says why
    if (out.data.size() + data->size() > limits::kReplicationInlineBytes) return std::nullopt;
    out.Add(g, *data, stats);
  }
  return out;
}

}  // namespace

std::optional<store::UserImage> SummaryCache::Get(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(user);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void SummaryCache::Put(const std::string& user, store::UserImage summary) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_[user] = std::move(summary);
}

void SummaryCache::Drop(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(user);
}

void SummaryCache::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
}

Result<SyncStats> SyncUser(store::Store* master, ReplicaChannel* r, const std::string& user,
                           SummaryCache* cache) {
  SyncStats stats;
  if (cache != nullptr) {
    // The fast path, from the replica's last known state: one round trip.
    auto theirs = cache->Get(user);
    if (theirs) {
      auto mine = master->SummarizeUser(user);
      if (mine.ok() && SameSummary(*mine, *theirs)) return stats;
      if (mine.ok()) {
        auto image = master->ReadUserImage(user, DeltaBase(*mine, *theirs));
        if (image.ok()) {
          SyncStats fast;
          fast.changed = true;
          auto blobs = NewBlobs(master, user, *image, *theirs, &fast);
          if (blobs) {
            Status st = ApplyAndCheck(r, user, *image, std::move(*blobs), cache);
            if (st.ok()) return fast;
            if (st.code() == Code::kIOError || st.code() == Code::kProtocol) return st;
          }
        }
      }
      cache->Drop(user);  // whatever went wrong: ask the replica
    }
  }
  auto mine = master->SummarizeUser(user);
  if (!mine.ok() && mine.status().code() == Code::kNotFound) {
    ASSIGN_OR_RETURN(auto theirs, ReplicaSummary(r, user));
    if (!theirs) return stats;
    RETURN_IF_ERROR(r->Call(Request("delete_user", user)).status());
    stats.changed = true;
    return stats;
  }
  if (!mine.ok()) return mine.status();
  ASSIGN_OR_RETURN(auto theirs, ReplicaSummary(r, user));
  if (theirs && SameSummary(*mine, *theirs)) {
    if (cache != nullptr) cache->Put(user, *theirs);
    return stats;
  }
  stats.changed = true;
  const store::SinceMap since = theirs ? DeltaBase(*mine, *theirs) : store::SinceMap();
  ASSIGN_OR_RETURN(store::UserImage image, master->ReadUserImage(user, since));
  Status st = SendBlobs(master, r, user, image, &stats);
  if (st.ok()) st = ApplyAndCheck(r, user, image, {}, cache);
  if (st.ok() || since.empty() || st.code() == Code::kIOError) return st.ok() ? Result<SyncStats>(stats) : st;
  // The delta did not take (a checksum differs, a record is missing on the
  // replica): compare the whole user instead.
  stats.full = true;
  ASSIGN_OR_RETURN(image, master->ReadUserImage(user, {}));
  RETURN_IF_ERROR(SendBlobs(master, r, user, image, &stats));
  RETURN_IF_ERROR(ApplyAndCheck(r, user, image, {}, cache));
  return stats;
}

Result<json::Value> DirectChannel::Call(const json::Value& request, std::string_view attachment) {
  ASSIGN_OR_RETURN(json::Value parsed, json::Parse(json::Serialize(request), {SIZE_MAX, 64}));
  ASSIGN_OR_RETURN(json::Value answer, IsRejoinRequest(parsed)
                                           ? HandleRejoinRequest(replica_, parsed, attachment)
                                           : HandleReplicaRequest(replica_, parsed, attachment));
  return json::Parse(json::Serialize(answer), {SIZE_MAX, 64});
}

}  // namespace slotmail::replication
