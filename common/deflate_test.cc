#include "common/deflate.h"

#include <doctest/doctest.h>

#include <random>

using slotmail::Deflater;
using slotmail::Inflater;

namespace {

std::string Sample(size_t n) {
  std::mt19937 rng(42);
  std::string s;
  const char* words[] = {"From: a@b\r\n", "Subject: x\r\n", "hello ", "world ", "\r\n"};
  while (s.size() < n) {
    s += words[rng() % 5];
    if (rng() % 7 == 0) s += static_cast<char>(rng() % 256);  // binary too
  }
  s.resize(n);
  return s;
}

// Inflates all of `in`, fed `step` bytes at a time, output capped per call.
std::string InflateAll(Inflater* inf, const std::string& in, size_t step, size_t max_out) {
  std::string out, pending;
  for (size_t i = 0; i < in.size(); i += step) {
    pending += in.substr(i, step);
    while (!pending.empty()) {
      size_t used = 0;
      const size_t before = out.size();
      REQUIRE(inf->Inflate(pending, max_out, &out, &used).ok());
      pending.erase(0, used);
      if (used == 0 && out.size() == before) break;  // needs more input
    }
  }
  return out;
}

}  // namespace

TEST_CASE("deflate: bursts round-trip and each burst decodes without the next") {
  auto d = Deflater::Create();
  auto i = Inflater::Create();
  REQUIRE(d.ok());
  REQUIRE(i.ok());
  for (size_t n : {1u, 100u, 70000u, 3u}) {
    std::string plain = Sample(n), wire;
    REQUIRE((*d)->Compress(plain, &wire).ok());
    // A sync flush ends with an empty stored block: 00 00 ff ff.
    REQUIRE(wire.size() >= 4);
    CHECK(wire.substr(wire.size() - 4) == std::string("\0\0\xff\xff", 4));
    CHECK(InflateAll(i->get(), wire, wire.size(), SIZE_MAX) == plain);
  }
}

TEST_CASE("deflate: input split anywhere and capped output still decode exactly") {
  auto d = Deflater::Create();
  REQUIRE(d.ok());
  std::string plain = Sample(50000), wire;
  REQUIRE((*d)->Compress(plain, &wire).ok());
  for (size_t step : {1u, 7u, 4096u}) {
    auto i = Inflater::Create();
    REQUIRE(i.ok());
    CHECK(InflateAll(i->get(), wire, step, 100) == plain);
  }
}

TEST_CASE("deflate: an empty burst writes nothing") {
  auto d = Deflater::Create();
  REQUIRE(d.ok());
  std::string wire;
  REQUIRE((*d)->Compress("", &wire).ok());
  CHECK(wire.empty());
}

TEST_CASE("deflate: corrupt input is an error, not a crash") {
  auto i = Inflater::Create();
  REQUIRE(i.ok());
  std::string out;
  size_t used = 0;
  // 0xff: a block of reserved type 3.
  std::string bad("\xff\xff\xff\xff", 4);
  slotmail::Status st = (*i)->Inflate(bad, 1000, &out, &used);
  CHECK(st.code() == slotmail::Code::kCorruption);
}

TEST_CASE("deflate: data after the end of the stream is an error") {
  auto i = Inflater::Create();
  REQUIRE(i.ok());
  // A final empty stored block (BFINAL=1), then a stray byte.
  std::string wire("\x01\x00\x00\xff\xff" "x", 6);
  std::string out;
  size_t used = 0;
  CHECK((*i)->Inflate(wire, 1000, &out, &used).code() == slotmail::Code::kCorruption);
}
