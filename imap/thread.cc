#include "imap/thread.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>

#include "common/limits.h"

namespace slotmail::imap {
namespace {

// ---- ORDEREDSUBJECT

bool SubjectThenDate(const SortItem& a, const SortItem& b) {
  const int c = a.keys->subject.compare(b.keys->subject);
  if (c != 0) return c < 0;
  return SentBefore(a, b);
}

// ---- REFERENCES: containers by index; index i < items.size() holds item i.

struct Container {
  size_t item = ThreadNode::kDummy;
  size_t parent = SIZE_MAX;
  std::vector<size_t> children;
};

class Threader {
 public:
  explicit Threader(const std::vector<SortItem>& items) : items_(items) {
    nodes_.resize(items.size());
    for (size_t i = 0; i < items.size(); ++i) nodes_[i].item = i;
  }

  std::vector<ThreadNode> Run() {
    for (size_t i = 0; i < items_.size(); ++i) RegisterId(i);
    for (size_t i = 0; i < items_.size(); ++i) Link(i);
    CapDepth();
    std::vector<size_t> roots;                                     // (2)
    for (size_t c = 0; c < nodes_.size(); ++c) {
      if (nodes_[c].parent == SIZE_MAX) roots.push_back(c);
    }
    roots = Prune(roots, /*root_level=*/true);                    // (3)
    for (size_t c : roots) SortSiblings(&nodes_[c].children);      // (4)
    SortSiblings(&roots);
    roots = MergeBySubject(roots);                                 // (5)
    SortTree(&roots);                                              // (6)
    std::vector<ThreadNode> out;
    for (size_t c : roots) out.push_back(Build(c));
    return out;
  }

 private:
  // (1) Message-IDs: the lowest-numbered message with an id owns it; a
  // duplicate (or a message without one) is reachable by no reference.
  void RegisterId(size_t i) {
    const std::string& id = items_[i].keys->message_id;
    if (!id.empty()) ids_.emplace(id, i);
  }

  size_t ContainerFor(const std::string& id) {
    auto [it, added] = ids_.emplace(id, nodes_.size());
    if (added) nodes_.emplace_back();
    return it->second;
  }

  // True if linking `child` under `parent` would make a loop (child is
  // parent or one of its ancestors), or parent is deeper than the limit.
  bool Refused(size_t child, size_t parent) const {
    size_t depth = 0;
    for (size_t c = parent; c != SIZE_MAX; c = nodes_[c].parent) {
      if (c == child || ++depth > limits::kMaxThreadDepth) return true;
    }
    return false;
  }

  // Linking checks only the parent's side; a subtree linked under a deep
  // parent may still go deeper. Whatever is below the limit starts anew.
  void CapDepth() {
    std::vector<std::pair<size_t, size_t>> stack;  // (container, depth)
    for (size_t c = 0; c < nodes_.size(); ++c) {
      if (nodes_[c].parent == SIZE_MAX) stack.push_back({c, 0});
    }
    while (!stack.empty()) {
      const auto [c, depth] = stack.back();
      stack.pop_back();
      const std::vector<size_t> children = nodes_[c].children;
      for (size_t g : children) {
        if (depth + 1 > limits::kMaxThreadDepth) {
          Unlink(g);
          stack.push_back({g, 0});
        } else {
          stack.push_back({g, depth + 1});
        }
      }
    }
  }

  void SetParent(size_t child, size_t parent) {
    nodes_[child].parent = parent;
    nodes_[parent].children.push_back(child);
  }

  void Unlink(size_t child) {
    const size_t p = nodes_[child].parent;
    if (p == SIZE_MAX) return;
    auto& siblings = nodes_[p].children;
    siblings.erase(std::find(siblings.begin(), siblings.end(), child));
    nodes_[child].parent = SIZE_MAX;
  }

  void Link(size_t i) {
    const mime::SortKeys& k = *items_[i].keys;
    std::vector<std::string> refs = k.references;
    if (refs.empty() && !k.in_reply_to.empty()) refs.push_back(k.in_reply_to);
    // (1A) each reference the parent of the next, unless that makes a loop
    // or the next already has a parent.
    std::vector<size_t> chain;
    for (const std::string& id : refs) chain.push_back(ContainerFor(id));
    for (size_t j = 0; j + 1 < chain.size(); ++j) {
      const size_t parent = chain[j], child = chain[j + 1];
      if (nodes_[child].parent != SIZE_MAX || Refused(child, parent)) continue;
      SetParent(child, parent);
    }
    // (1B) the last reference is this message's parent; with no references
    // it has none.
    Unlink(i);
    if (!chain.empty() && !Refused(i, chain.back())) SetParent(i, chain.back());
  }

  bool IsDummy(size_t c) const { return nodes_[c].item == ThreadNode::kDummy; }

  // The message that stands for `c` in comparisons: itself, or for a dummy
  // its first child (children sorted already).
  const SortItem& Representative(size_t c) const {
    while (IsDummy(c)) c = nodes_[c].children.front();
    return items_[nodes_[c].item];
  }

  // (3) Dummies without children go; those with children are replaced by
  // them, except at the root level with more than one child.
  std::vector<size_t> Prune(const std::vector<size_t>& siblings, bool root_level) {
    std::vector<size_t> out;
    for (size_t c : siblings) {
      nodes_[c].children = Prune(nodes_[c].children, false);
      if (!IsDummy(c)) {
        out.push_back(c);
      } else if (nodes_[c].children.empty()) {
        continue;
      } else if (!root_level || nodes_[c].children.size() == 1) {
        for (size_t g : nodes_[c].children) {
          nodes_[g].parent = root_level ? SIZE_MAX : nodes_[c].parent;
          out.push_back(g);
        }
      } else {
        out.push_back(c);
      }
    }
    return out;
  }

  void SortSiblings(std::vector<size_t>* siblings) {
    std::stable_sort(siblings->begin(), siblings->end(), [&](size_t a, size_t b) {
      return SentBefore(Representative(a), Representative(b));
    });
  }

  // (6) Deepest siblings first, so a dummy's first child is known.
  void SortTree(std::vector<size_t>* siblings) {
    for (size_t c : *siblings) SortTree(&nodes_[c].children);
    SortSiblings(siblings);
  }

  // (5) Roots with the same base subject are gathered.
  std::vector<size_t> MergeBySubject(std::vector<size_t> roots) {
    auto subject = [&](size_t c) -> const std::string& { return Representative(c).keys->subject; };
    auto reply = [&](size_t c) { return !IsDummy(c) && items_[nodes_[c].item].keys->subject_is_reply; };
    std::unordered_map<std::string_view, size_t> table;  // (5B)
    for (size_t c : roots) {
      const std::string& s = subject(c);
      if (s.empty()) continue;
      auto [it, added] = table.emplace(s, c);
      if (added) continue;
      const size_t t = it->second;
      if ((IsDummy(c) && !IsDummy(t)) || (reply(t) && !reply(c))) it->second = c;
    }
    std::vector<size_t> out;  // (5C)
    std::vector<bool> gone(nodes_.size(), false);
    for (size_t c : roots) {
      const std::string& s = subject(c);
      // A root already put under a new dummy has a parent now.
      if (s.empty() || table.at(s) == c || nodes_[c].parent != SIZE_MAX) continue;
      const size_t t = table.at(s);
      if (IsDummy(t) && IsDummy(c)) {
        for (size_t g : nodes_[c].children) SetParent(g, t);
        nodes_[c].children.clear();
      } else if (IsDummy(t) || (reply(c) && !reply(t))) {
        SetParent(c, t);
      } else {
        const size_t dummy = nodes_.size();
        nodes_.emplace_back();
        gone.push_back(false);
        replaced_[t] = dummy;
        SetParent(t, dummy);
        SetParent(c, dummy);
        table.at(s) = dummy;
      }
      gone[c] = true;
    }
    for (size_t c : roots) {
      if (gone[c]) continue;
      auto r = replaced_.find(c);
      out.push_back(r == replaced_.end() ? c : Final(c));
    }
    return out;
  }

  // The dummy that finally holds root `c` after merging.
  size_t Final(size_t c) const {
    for (auto r = replaced_.find(c); r != replaced_.end(); r = replaced_.find(c)) c = r->second;
    return c;
  }

  ThreadNode Build(size_t c) const {
    ThreadNode n;
    n.item = nodes_[c].item;
    for (size_t g : nodes_[c].children) n.children.push_back(Build(g));
    return n;
  }

  const std::vector<SortItem>& items_;
  std::vector<Container> nodes_;
  std::unordered_map<std::string, size_t> ids_;
  std::map<size_t, size_t> replaced_;  // root -> the dummy that took its place
};

void Render(const ThreadNode& n, const std::function<uint32_t(size_t)>& number, std::string* out) {
  if (n.item != ThreadNode::kDummy) {
    *out += std::to_string(number(n.item));
    if (n.children.empty()) return;
    *out += ' ';
  }
  if (n.children.size() == 1) return Render(n.children.front(), number, out);
  for (const ThreadNode& c : n.children) {
    *out += '(';
    Render(c, number, out);
    *out += ')';
  }
}

}  // namespace

std::vector<ThreadNode> ThreadOrderedSubject(const std::vector<SortItem>& items) {
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < items.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return SubjectThenDate(items[a], items[b]); });
  std::vector<ThreadNode> threads;
  for (size_t i = 0; i < order.size();) {
    ThreadNode parent;
    parent.item = order[i];
    size_t j = i + 1;
    for (; j < order.size() && items[order[j]].keys->subject == items[order[i]].keys->subject; ++j) {
      ThreadNode child;
      child.item = order[j];
      parent.children.push_back(child);
    }
    threads.push_back(std::move(parent));
    i = j;
  }
  std::stable_sort(threads.begin(), threads.end(), [&](const ThreadNode& a, const ThreadNode& b) {
    return SentBefore(items[a.item], items[b.item]);
  });
  return threads;
}

std::vector<ThreadNode> ThreadReferences(const std::vector<SortItem>& items) {
  return Threader(items).Run();
}

std::string ThreadResponse(const std::vector<ThreadNode>& threads,
                           const std::function<uint32_t(size_t)>& number) {
  std::string out = "THREAD";
  if (!threads.empty()) out += ' ';
  for (const ThreadNode& t : threads) {
    out += '(';
    Render(t, number, &out);
    out += ')';
  }
  return out;
}

}  // namespace slotmail::imap
