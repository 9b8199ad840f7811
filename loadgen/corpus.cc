#include "loadgen/corpus.h"

#include <cstdio>
#include <cstdlib>

#include "common/base64.h"
#include "loadgen/rng.h"

namespace slotmail::loadgen {
namespace {

constexpr const char* kWords[] = {
    "the",     "meeting", "report",  "budget",   "please", "review",  "attached", "quarter",
    "project", "update",  "team",    "customer", "next",   "week",    "thanks",   "regards",
    "server",  "release", "schedule", "invoice", "draft",  "final",   "numbers",  "agenda",
    "and",     "for",     "with",    "about",    "we",     "should",  "discuss",  "today",
    "monday",  "friday",  "office",  "travel",   "plan",   "notes",   "minutes",  "follow",
    "up",      "on",      "our",     "new",      "design", "question", "answer",  "soon"};
constexpr size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);
constexpr const char* kNames[] = {"Alice Martin", "Bob Chen", "Carol Diaz", "Dan Okafor",
                                  "Eve Novak", "Frank Muller", "Grace Kim", "Heidi Rossi"};
constexpr size_t kNameCount = sizeof(kNames) / sizeof(kNames[0]);

// Appends wrapped prose (CRLF lines of at most 72 characters, no line
// starting with '.') until `out` has grown by about `bytes`.
void AppendProse(Rng* rng, size_t bytes, std::string* out) {
  size_t start = out->size();
  size_t line = 0;
  while (out->size() - start < bytes) {
    const char* w = kWords[rng->Next() % kWordCount];
    size_t n = std::char_traits<char>::length(w);
    if (line > 0 && line + 1 + n > 72) {
      out->append("\r\n");
      line = 0;
      if (rng->Percent(15)) out->append("\r\n");  // paragraph break
    }
    if (line > 0) {
      out->push_back(' ');
      ++line;
    }
    out->append(w);
    line += n;
  }
  out->append("\r\n");
}

void AppendBase64Blob(Rng* rng, size_t raw_bytes, std::string* out) {
  std::string raw(raw_bytes, '\0');
  for (size_t i = 0; i < raw_bytes; i += 8) {
    uint64_t v = rng->Next();
    for (size_t k = 0; k < 8 && i + k < raw_bytes; ++k) raw[i + k] = char(v >> (8 * k));
  }
  std::string b64 = Base64Encode(raw);
  for (size_t i = 0; i < b64.size(); i += 76) {
    out->append(b64, i, 76);
    out->append("\r\n");
  }
}

std::string Header(uint64_t seed, uint64_t index, Rng* rng, const std::string& type) {
  char buf[1024];
  unsigned day = 1 + index % 28, hour = index % 24, minute = (index * 7) % 60;
  const char* from = kNames[rng->Next() % kNameCount];
  const char* to = kNames[rng->Next() % kNameCount];
  std::string subject;
  for (int i = 0, n = int(rng->Range(2, 7)); i < n; ++i) {
    subject += (i ? " " : "");
    subject += kWords[rng->Next() % kWordCount];
  }
  snprintf(buf, sizeof buf,
           "Date: Mon, %02u Nov 2026 %02u:%02u:00 +0000\r\n"
           "From: \"%s\" <from%u@example.com>\r\n"
           "To: \"%s\" <to%u@example.org>\r\n"
           "Subject: %s\r\n"
           "Message-ID: <bench.%llu.%llu@example.com>\r\n"
           "X-Bench-Id: %llu-%llu\r\n"
           "MIME-Version: 1.0\r\n",
           day, hour, minute, from, unsigned(rng->Next() % 1000), to,
           unsigned(rng->Next() % 1000), subject.c_str(), (unsigned long long)seed,
           (unsigned long long)index, (unsigned long long)seed, (unsigned long long)index);
  return std::string(buf) + "Content-Type: " + type + "\r\n\r\n";
}

std::string Plain(uint64_t seed, uint64_t index, Rng* rng) {
  std::string m = Header(seed, index, rng, "text/plain; charset=us-ascii");
  AppendProse(rng, rng->Range(700, 7500), &m);
  return m;
}

std::string Alternative(uint64_t seed, uint64_t index, Rng* rng) {
  std::string m = Header(seed, index, rng, "multipart/alternative; boundary=\"alt-b\"");
  size_t text = rng->Range(3000, 18000);
  m += "--alt-b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
  AppendProse(rng, text, &m);
  m += "--alt-b\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<html><body><p>\r\n";
  AppendProse(rng, text + text / 5, &m);
  m += "</p></body></html>\r\n--alt-b--\r\n";
  return m;
}

std::string Mixed(uint64_t seed, uint64_t index, Rng* rng, size_t lo, size_t hi) {
  std::string m = Header(seed, index, rng, "multipart/mixed; boundary=\"mix-b\"");
  m += "--mix-b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
  AppendProse(rng, rng->Range(300, 3000), &m);
  m += "--mix-b\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
       "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
       "Content-Transfer-Encoding: base64\r\n\r\n";
  AppendBase64Blob(rng, rng->Range(lo, hi) * 3 / 4, &m);
  m += "--mix-b--\r\n";
  return m;
}

}  // namespace

std::string GenerateMessage(uint64_t seed, uint64_t index) {
  Rng rng(seed * 0x100000001b3ULL ^ (index + 1) * 0x9e3779b97f4a7c15ULL);
  unsigned kind = rng.Next() % 100;
  if (kind < 60) return Plain(seed, index, &rng);
  if (kind < 80) return Alternative(seed, index, &rng);
  if (kind < 95) return Mixed(seed, index, &rng, 40 << 10, 300 << 10);
  return Mixed(seed, index, &rng, 300 << 10, 1000 << 10);
}

std::string GenerateSized(uint64_t seed, size_t bytes) {
  Rng rng(seed);
  std::string m = Header(seed, 0, &rng, "text/plain; charset=us-ascii");
  AppendProse(&rng, bytes > m.size() ? bytes - m.size() : 0, &m);
  // Trim to the exact size, keeping the message ending in CRLF.
  if (m.size() > bytes) m.resize(bytes);
  while (m.size() < bytes) m.push_back('x');
  m[bytes - 2] = '\r';
  m[bytes - 1] = '\n';
  if (m[bytes - 3] == '\r') m[bytes - 3] = 'x';
  return m;
}

Corpus::Corpus(uint64_t seed, size_t count) : seed_(seed) {
  messages_.reserve(count);
  for (size_t i = 0; i < count; ++i) messages_.push_back(GenerateMessage(seed, i));
}

long Corpus::IndexOf(std::string_view message) const {
  static constexpr std::string_view kField = "\r\nX-Bench-Id: ";
  size_t at = message.find(kField);
  size_t end = message.find("\r\n\r\n");
  if (at == std::string_view::npos || at > end) return -1;
  unsigned long long seed = 0, index = 0;
  std::string field(message.substr(at + kField.size(), 48));
  if (sscanf(field.c_str(), "%llu-%llu", &seed, &index) != 2) return -1;
  if (seed != seed_ || index >= messages_.size()) return -1;
  return long(index);
}

}  // namespace slotmail::loadgen
