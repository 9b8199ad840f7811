// UserImage <-> JSON, the body of the replication protocol's summary and
// apply messages (doc/replication.md "Images"). Decoding is strict: every
// field is checked for presence and type, and a malformed image is
// InvalidArgument naming the field, never a partly filled value.
#pragma once

#include "common/json.h"
#include "common/status.h"
#include "store/replica.h"

namespace slotmail::replication {

json::Value EncodeImage(const store::UserImage& image);
Result<store::UserImage> DecodeImage(const json::Value& v);

// One message record, as inside an image.
json::Value EncodeRecord(const store::MessageInfo& m);
Result<store::MessageInfo> DecodeRecord(const json::Value& v);

// A split point (store/split_point.h), for a rejoin.
json::Value EncodeSplitPoint(const store::SplitPoint& p);
Result<store::SplitPoint> DecodeSplitPoint(const json::Value& v);

// The image without records and tombstones: what two sides compare.
store::UserImage SummaryOf(store::UserImage image);
// True when the two summaries agree on everything a client could observe
// of the user besides the records themselves (which the checksums and
// counts stand for).
bool SameSummary(const store::UserImage& a, const store::UserImage& b);

}  // namespace slotmail::replication
