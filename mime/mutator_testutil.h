// Test support (included only by *_test.cc): a seeded stream of hostile
// messages for robustness tests of the MIME parser and what is built on it.
// Each is either random bytes drawn mostly from MIME syntax or a well-formed
// seed message mutated by flips, inserts of syntax fragments, deletions,
// duplications and truncation.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace slotmail::mime::testing {

// The number in environment variable `name` (SLOTMAIL_FUZZ_SEED,
// SLOTMAIL_FUZZ_ROUNDS), or `fallback` if it is unset.
inline uint32_t FuzzSetting(const char* name, uint32_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? static_cast<uint32_t>(std::strtoul(v, nullptr, 10)) : fallback;
}

class MessageMutator {
 public:
  explicit MessageMutator(uint32_t seed) : rng_(seed) {}

  std::string Next() {
    if (Below(5) == 0) return RandomSyntax();
    std::string m(Seeds()[Below(Seeds().size())]);
    int edits = 1 + static_cast<int>(Below(6));
    for (int i = 0; i < edits; ++i) Mutate(&m);
    return m;
  }

 private:
  static const std::vector<std::string_view>& Seeds() {
    static const std::vector<std::string_view> kSeeds = {
        "From: \"A, B\" <a@b.c>\r\nTo: G: x@y, <@r:z@w>;\r\nSubject: =?utf-8?q?hi?=\r\n"
        "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\nContent-Type: multipart/mixed; boundary=b\r\n"
        "\r\npre\r\n--b\r\nContent-Type: text/plain; charset*0*=utf-8''%C3; charset*1=x\r\n\r\n"
        "text\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n"
        "Content-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\none\r\n--c\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--c--\r\n\r\n--b--\r\nepi\r\n",
        "Subject: plain\nFrom: a@b\n\nbody\nline\n",
        "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: x\n\ny\n--d\n\n"
        "Subject: z\nContent-Type: message/rfc822\n\nSubject: deeper\n\nw\n--d--\n",
        "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: "
        "quoted-printable\r\nContent-Disposition: attachment; filename*=utf-8'en'a%20b\r\n"
        "Content-Language: en, de\r\n\r\ncaf=E9=\r\n x\r\n",
    };
    return kSeeds;
  }

  static const std::vector<std::string_view>& Fragments() {
    static const std::vector<std::string_view> kFragments = {
        "\r\n", "\n", "\r", "\r\n\r\n", "--b\r\n", "--b--\r\n", "--c\n", "--", " ", "\t",
        "Content-Type: multipart/mixed; boundary=b\r\n", "Content-Type: message/rfc822\r\n",
        "Content-Type: multipart/digest; boundary=\"c\"\r\n", "=?utf-8?b?", "=?x?q?", "?=",
        ";", "\"", "(", ")", "<", ">", "@", ":", ",", "*0*=", "*1=", "'", "%", "%4", "\\",
        "=", "boundary=", "charset=", "From: ", "To: ", "Date: ", "\x00", "\xff", "\xc3",
        "Content-Transfer-Encoding: base64\r\n", "name*=", "Subject: ", "[", "]"};
    return kFragments;
  }

  size_t Below(size_t n) { return n == 0 ? 0 : rng_() % n; }

  std::string RandomSyntax() {
    std::string s;
    size_t n = Below(300);
    for (size_t i = 0; i < n; ++i) {
      if (Below(4) == 0) {
        s += static_cast<char>(rng_());
      } else {
        s += Fragments()[Below(Fragments().size())];
      }
    }
    return s;
  }

  void Mutate(std::string* m) {
    size_t pos = Below(m->size() + 1);
    switch (Below(5)) {
      case 0:
        if (!m->empty()) (*m)[Below(m->size())] = static_cast<char>(rng_());
        break;
      case 1:
        m->insert(pos, Fragments()[Below(Fragments().size())]);
        break;
      case 2:
        m->erase(pos, Below(20));
        break;
      case 3: {
        std::string piece = m->substr(pos, Below(200));
        m->insert(Below(m->size() + 1), piece);
        break;
      }
      case 4:
        m->resize(pos);
        break;
    }
  }

  std::mt19937 rng_;
};

}  // namespace slotmail::mime::testing
