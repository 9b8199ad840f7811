// The compression wrapper: raw deflate streams (RFC 1951) as used by IMAP
// COMPRESS=DEFLATE (RFC 4978). The only zlib user in slotmail; no zlib type
// appears in this header.
//
// A Deflater turns a stream of bursts into one deflate stream; after each
// burst it emits a sync flush (Z_SYNC_FLUSH), so the peer can decode every
// byte written so far without waiting for more. An Inflater undoes any raw
// deflate stream (any window size up to 32 KiB). Errors are Status values.
// Neither is thread-safe; each belongs to one connection.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace slotmail {

class Deflater {
 public:
  // Memory: see limits::kDeflateWindowBits / kDeflateMemLevel.
  static Result<std::unique_ptr<Deflater>> Create();
  ~Deflater();
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  // Compresses `in` and appends to *out everything needed to decode it
  // (the burst ends with a sync flush). An empty `in` appends nothing.
  Status Compress(std::string_view in, std::string* out);

 private:
  explicit Deflater(void* z) : z_(z) {}
  void* z_;  // z_stream*
};

class Inflater {
 public:
  static Result<std::unique_ptr<Inflater>> Create();
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  // Decompresses from the front of `in`, appending at most `max_out` bytes
  // to *out; *consumed says how many input bytes were used (the rest must
  // be offered again). Corruption for invalid data or data after the end
  // of the stream.
  Status Inflate(std::string_view in, size_t max_out, std::string* out, size_t* consumed);

 private:
  explicit Inflater(void* z) : z_(z) {}
  void* z_;  // z_stream*
  bool ended_ = false;
};

}  // namespace slotmail
