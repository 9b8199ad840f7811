#include "common/lru_map.h"

#include <doctest/doctest.h>

using slotmail::LruMap;

TEST_CASE("lru map: never holds more than its capacity; the least recently used goes first") {
  LruMap<int> m(3);
  m.Use("a") = 1;
  m.Use("b") = 2;
  m.Use("c") = 3;
  REQUIRE(m.Find("a") != nullptr);  // a is now the most recently used
  m.Use("d") = 4;                   // b goes
  CHECK(m.size() == 3);
  CHECK(m.Peek("b") == nullptr);
  CHECK(*m.Peek("a") == 1);
  CHECK(*m.Peek("c") == 3);
  CHECK(*m.Peek("d") == 4);
  // Peek does not count as use: c stays the oldest and goes next.
  m.Use("e");
  CHECK(m.Peek("c") == nullptr);
  CHECK(m.size() == 3);
  for (int i = 0; i < 1000; ++i) m.Use("k" + std::to_string(i)) = i;
  CHECK(m.size() == 3);
  CHECK(*m.Peek("k999") == 999);
}

TEST_CASE("lru map: Use inserts a default value once; Erase forgets") {
  LruMap<int> m(2);
  CHECK(m.Use("x") == 0);
  m.Use("x") += 5;
  CHECK(m.Use("x") == 5);
  CHECK(m.size() == 1);
  m.Erase("x");
  m.Erase("never there");
  CHECK(m.size() == 0);
  CHECK(m.Find("x") == nullptr);
  CHECK(m.Use("x") == 0);
}
