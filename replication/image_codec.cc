#include "replication/image_codec.h"

#include <limits>

#include "common/base64.h"

namespace slotmail::replication {
namespace {

using json::Value;

// Unsigned 64-bit values (modseqs, checksums, byte counts) travel as
// decimal strings: JSON numbers are only safe up to 2^53.
Value U64(uint64_t v) { return Value(std::to_string(v)); }

Result<uint64_t> GetU64(const Value& v, const char* key) {
  ASSIGN_OR_RETURN(std::string s, v.GetString(key));
  if (s.empty() || s.size() > 20) return Status::InvalidArgument(std::string(key) + ": not a number");
  uint64_t out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return Status::InvalidArgument(std::string(key) + ": not a number");
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (out > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      return Status::InvalidArgument(std::string(key) + ": out of range");
    }
    out = out * 10 + d;
  }
  return out;
}

Result<uint32_t> GetU32(const Value& v, const char* key) {
  ASSIGN_OR_RETURN(int64_t i, v.GetInt(key));
  if (i < 0 || i > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument(std::string(key) + ": out of range");
  }
  return static_cast<uint32_t>(i);
}

Result<const std::vector<Value>*> GetArray(const Value& v, const char* key) {
  const Value* a = v.Find(key);
  if (a == nullptr || !a->is_array()) return Status::InvalidArgument(std::string(key) + ": not an array");
  return &a->Items();
}

Value EncodeMetadata(const std::vector<store::MetadataEntry>& entries) {
  Value out = Value::Array();
  for (const auto& e : entries) {
    out.Push(Value::Object().Set("entry", e.entry).Set("value", Base64Encode(e.value)));
  }
  return out;
}

Result<std::vector<store::MetadataEntry>> DecodeMetadata(const Value& v, const char* key) {
  ASSIGN_OR_RETURN(const std::vector<Value>* items, GetArray(v, key));
  std::vector<store::MetadataEntry> out;
  for (const Value& item : *items) {
    store::MetadataEntry e;
    ASSIGN_OR_RETURN(e.entry, item.GetString("entry"));
    ASSIGN_OR_RETURN(std::string b64, item.GetString("value"));
    ASSIGN_OR_RETURN(e.value, Base64Decode(b64));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Value EncodeRecord(const store::MessageInfo& m) {
  Value keywords = Value::Array();
  for (const auto& k : m.flags.keywords) keywords.Push(k);
  return Value::Object()
      .Set("uid", static_cast<int64_t>(m.uid))
      .Set("guid", m.guid)
      .Set("size", U64(m.size))
      .Set("date", m.internal_date)
      .Set("flags", static_cast<int64_t>(m.flags.system))
      .Set("keywords", keywords)
      .Set("modseq", U64(m.modseq));
}

Result<store::MessageInfo> DecodeRecord(const Value& v) {
  store::MessageInfo m;
  ASSIGN_OR_RETURN(m.uid, GetU32(v, "uid"));
  ASSIGN_OR_RETURN(m.guid, v.GetString("guid"));
  ASSIGN_OR_RETURN(m.size, GetU64(v, "size"));
  ASSIGN_OR_RETURN(m.internal_date, v.GetInt("date"));
  ASSIGN_OR_RETURN(m.flags.system, GetU32(v, "flags"));
  ASSIGN_OR_RETURN(const std::vector<Value>* keywords, GetArray(v, "keywords"));
  for (const Value& k : *keywords) {
    if (!k.is_string()) return Status::InvalidArgument("keywords: not strings");
    m.flags.keywords.push_back(k.AsString());
  }
  ASSIGN_OR_RETURN(m.modseq, GetU64(v, "modseq"));
  return m;
}

namespace {

Value EncodeMailbox(const store::MailboxImage& b) {
  Value records = Value::Array(), tombstones = Value::Array();
  for (const auto& r : b.records) records.Push(EncodeRecord(r));
  for (const auto& t : b.tombstones) {
    tombstones.Push(Value::Object().Set("uid", static_cast<int64_t>(t.uid)).Set("modseq", U64(t.modseq)));
  }
  return Value::Object()
      .Set("id", b.id)
      .Set("name", b.name)
      .Set("uidvalidity", static_cast<int64_t>(b.uidvalidity))
      .Set("uidnext", static_cast<int64_t>(b.uidnext))
      .Set("highestmodseq", U64(b.highestmodseq))
      .Set("crc", U64(b.crc))
      .Set("messages", static_cast<int64_t>(b.messages))
      .Set("special_use", b.special_use)
      .Set("complete", b.complete)
      .Set("since_modseq", U64(b.since_modseq))
      .Set("records", records)
      .Set("tombstones", tombstones)
      .Set("metadata", EncodeMetadata(b.metadata));
}

Result<store::MailboxImage> DecodeMailbox(const Value& v) {
  store::MailboxImage b;
  ASSIGN_OR_RETURN(b.id, v.GetString("id"));
  ASSIGN_OR_RETURN(b.name, v.GetString("name"));
  ASSIGN_OR_RETURN(b.uidvalidity, GetU32(v, "uidvalidity"));
  ASSIGN_OR_RETURN(b.uidnext, GetU32(v, "uidnext"));
  ASSIGN_OR_RETURN(b.highestmodseq, GetU64(v, "highestmodseq"));
  ASSIGN_OR_RETURN(b.crc, GetU64(v, "crc"));
  ASSIGN_OR_RETURN(b.messages, GetU32(v, "messages"));
  ASSIGN_OR_RETURN(b.special_use, v.GetString("special_use"));
  ASSIGN_OR_RETURN(b.complete, v.GetBool("complete"));
  ASSIGN_OR_RETURN(b.since_modseq, GetU64(v, "since_modseq"));
  ASSIGN_OR_RETURN(const std::vector<Value>* records, GetArray(v, "records"));
  for (const Value& r : *records) {
    ASSIGN_OR_RETURN(store::MessageInfo m, DecodeRecord(r));
    b.records.push_back(std::move(m));
  }
  ASSIGN_OR_RETURN(const std::vector<Value>* tombstones, GetArray(v, "tombstones"));
  for (const Value& t : *tombstones) {
    store::Tombstone ts;
    ASSIGN_OR_RETURN(ts.uid, GetU32(t, "uid"));
    ASSIGN_OR_RETURN(ts.modseq, GetU64(t, "modseq"));
    b.tombstones.push_back(ts);
  }
  ASSIGN_OR_RETURN(b.metadata, DecodeMetadata(v, "metadata"));
  return b;
}

}  // namespace

json::Value EncodeImage(const store::UserImage& image) {
  Value subs = Value::Array(), boxes = Value::Array();
  for (const auto& s : image.subscriptions) subs.Push(s);
  for (const auto& b : image.mailboxes) boxes.Push(EncodeMailbox(b));
  return Value::Object()
      .Set("password_hash", image.password_hash)
      .Set("quota_bytes", U64(image.quota_bytes))
      .Set("quota_messages", U64(image.quota_messages))
      .Set("subscriptions", subs)
      .Set("server_metadata", EncodeMetadata(image.server_metadata))
      .Set("mailboxes", boxes);
}

Result<store::UserImage> DecodeImage(const json::Value& v) {
  if (!v.is_object()) return Status::InvalidArgument("image: not an object");
  store::UserImage image;
  ASSIGN_OR_RETURN(image.password_hash, v.GetString("password_hash"));
  ASSIGN_OR_RETURN(image.quota_bytes, GetU64(v, "quota_bytes"));
  ASSIGN_OR_RETURN(image.quota_messages, GetU64(v, "quota_messages"));
  ASSIGN_OR_RETURN(const std::vector<Value>* subs, GetArray(v, "subscriptions"));
  for (const Value& s : *subs) {
    if (!s.is_string()) return Status::InvalidArgument("subscriptions: not strings");
    image.subscriptions.push_back(s.AsString());
  }
  ASSIGN_OR_RETURN(image.server_metadata, DecodeMetadata(v, "server_metadata"));
  ASSIGN_OR_RETURN(const std::vector<Value>* boxes, GetArray(v, "mailboxes"));
  for (const Value& b : *boxes) {
    ASSIGN_OR_RETURN(store::MailboxImage box, DecodeMailbox(b));
    image.mailboxes.push_back(std::move(box));
  }
  return image;
}

store::UserImage SummaryOf(store::UserImage image) {
  for (auto& b : image.mailboxes) {
    b.records.clear();
    b.tombstones.clear();
    b.complete = false;
    b.since_modseq = b.highestmodseq;
  }
  return image;
}

json::Value EncodeSplitPoint(const store::SplitPoint& p) {
  Value boxes = Value::Object();
  for (const auto& [id, m] : p.mailboxes) {
    boxes.Set(id, Value::Object()
                      .Set("uidnext", static_cast<int64_t>(m.uidnext))
                      .Set("highestmodseq", U64(m.highestmodseq)));
  }
  return Value::Object().Set("epoch", U64(p.epoch)).Set("mailboxes", boxes);
}

Result<store::SplitPoint> DecodeSplitPoint(const json::Value& v) {
  store::SplitPoint p;
  ASSIGN_OR_RETURN(p.epoch, GetU64(v, "epoch"));
  const Value* boxes = v.Find("mailboxes");
  if (boxes == nullptr || !boxes->is_object()) {
    return Status::InvalidArgument("mailboxes: not an object");
  }
  for (const auto& [id, m] : boxes->Members()) {
    store::SplitMailbox b;
    ASSIGN_OR_RETURN(b.uidnext, GetU32(m, "uidnext"));
    ASSIGN_OR_RETURN(b.highestmodseq, GetU64(m, "highestmodseq"));
    p.mailboxes[id] = b;
  }
  return p;
}

bool SameSummary(const store::UserImage& a, const store::UserImage& b) {
  return SummaryOf(a) == SummaryOf(b);
}

}  // namespace slotmail::replication
