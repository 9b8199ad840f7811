// A map from string keys that holds at most `capacity` entries: making room
// for one more forgets the least recently used. For tables fed by the
// network (login failures, \Recent claims) whose size must stay bounded
// whatever clients send. Not thread-safe: the owner locks.
#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/check.h"

namespace slotmail {

template <typename V>
class LruMap {
 public:
  // REQUIRES: capacity >= 1.
  explicit LruMap(size_t capacity) : capacity_(capacity) { SM_CHECK(capacity >= 1); }
  LruMap(const LruMap&) = delete;
  LruMap& operator=(const LruMap&) = delete;

  // The value of `key`, now the most recently used; nullptr if absent.
  V* Find(std::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->value;
  }
  // The value of `key` without marking it used; nullptr if absent.
  const V* Peek(std::string_view key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &it->second->value;
  }
  // The value of `key`, inserted as V{} if absent (forgetting the least
  // recently used entry when full); now the most recently used.
  V& Use(std::string_view key) {
    if (V* v = Find(key)) return *v;
    if (order_.size() >= capacity_) {
      index_.erase(order_.back().key);
      order_.pop_back();
    }
    order_.push_front(Node{std::string(key), V{}});
    // The index's key views the node's string: list nodes never move.
    index_.emplace(order_.front().key, order_.begin());
    return order_.front().value;
  }
  void Erase(std::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return;
    auto node = it->second;
    index_.erase(it);
    order_.erase(node);
  }
  size_t size() const { return order_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  struct Node {
    std::string key;
    V value;
  };
  const size_t capacity_;
  std::list<Node> order_;  // most recently used first
  std::unordered_map<std::string_view, typename std::list<Node>::iterator> index_;
};

}  // namespace slotmail
