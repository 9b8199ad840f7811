#include "common/deflate.h"

#include <zlib.h>

#include <cstring>

#include "common/limits.h"

namespace slotmail {
namespace {

z_stream* Z(void* z) { return static_cast<z_stream*>(z); }

// zlib may keep pointers into the caller's buffers only during a call.
void SetInput(z_stream* z, std::string_view in) {
  z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z->avail_in = static_cast<uInt>(in.size());
}

}  // namespace

// ---- Deflater

Result<std::unique_ptr<Deflater>> Deflater::Create() {
  auto* z = new z_stream{};
  // Negative window bits: raw deflate, no zlib header (RFC 4978 3).
  int rc = deflateInit2(z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -limits::kDeflateWindowBits,
                        limits::kDeflateMemLevel, Z_DEFAULT_STRATEGY);
  if (rc != Z_OK) {
    delete z;
    return Status::IOError("deflateInit2 failed: " + std::to_string(rc));
  }
  return std::unique_ptr<Deflater>(new Deflater(z));
}

Deflater::~Deflater() {
  deflateEnd(Z(z_));
  delete Z(z_);
}

Status Deflater::Compress(std::string_view in, std::string* out) {
  if (in.empty()) return Status::Ok();
  z_stream* z = Z(z_);
  char buf[16384];
  // Large bursts go in pieces that fit zlib's uInt counters.
  while (!in.empty()) {
    std::string_view piece = in.substr(0, 1u << 30);
    in.remove_prefix(piece.size());
    SetInput(z, piece);
    const int flush = in.empty() ? Z_SYNC_FLUSH : Z_NO_FLUSH;
    do {
      z->next_out = reinterpret_cast<Bytef*>(buf);
      z->avail_out = sizeof buf;
      int rc = deflate(z, flush);
      if (rc != Z_OK && rc != Z_BUF_ERROR) return Status::IOError("deflate failed");
      out->append(buf, sizeof buf - z->avail_out);
      // With a flush, zlib is done when it leaves output space unused.
    } while (z->avail_in > 0 || z->avail_out == 0);
  }
  return Status::Ok();
}

// ---- Inflater

Result<std::unique_ptr<Inflater>> Inflater::Create() {
  auto* z = new z_stream{};
  // -15: accept any raw deflate stream, whatever window the peer chose.
  int rc = inflateInit2(z, -15);
  if (rc != Z_OK) {
    delete z;
    return Status::IOError("inflateInit2 failed: " + std::to_string(rc));
  }
  return std::unique_ptr<Inflater>(new Inflater(z));
}

Inflater::~Inflater() {
  inflateEnd(Z(z_));
  delete Z(z_);
}

Status Inflater::Inflate(std::string_view in, size_t max_out, std::string* out,
                         size_t* consumed) {
  *consumed = 0;
  if (in.empty()) return Status::Ok();
  if (ended_) return Status::Corruption("data after the end of the deflate stream");
  z_stream* z = Z(z_);
  in = in.substr(0, 1u << 30);
  SetInput(z, in);
  char buf[16384];
  while (max_out > 0 && z->avail_in > 0) {
    const size_t room = std::min(sizeof buf, max_out);
    z->next_out = reinterpret_cast<Bytef*>(buf);
    z->avail_out = static_cast<uInt>(room);
    int rc = inflate(z, Z_SYNC_FLUSH);
    const size_t produced = room - z->avail_out;
    out->append(buf, produced);
    max_out -= produced;
    if (rc == Z_STREAM_END) {
      ended_ = true;
      break;
    }
    if (rc == Z_BUF_ERROR && produced == 0) break;  // needs more input
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Status::Corruption(z->msg != nullptr ? z->msg : "invalid deflate data");
    }
  }
  *consumed = in.size() - z->avail_in;
  if (ended_ && *consumed < in.size()) {
    return Status::Corruption("data after the end of the deflate stream");
  }
  return Status::Ok();
}

}  // namespace slotmail
