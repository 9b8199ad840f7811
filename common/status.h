// Status and Result<T>: how every fallible call in slotmail reports failure.
// No exceptions cross a module boundary; callers must look at what they get.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace slotmail {

// The few codes callers act on. Map to IMAP/LMTP responses in one place only.
enum class Code {
  kOk = 0,
  kNotFound,         // user, mailbox, message or blob does not exist
  kExists,           // the thing to create is already there
  kInvalidArgument,  // caller-supplied input failed validation
  kInUse,            // refused because something depends on it (children, lock)
  kOverQuota,        // the user's quota would be exceeded
  kNoSpace,          // the disk is full (ENOSPC/EDQUOT)
  kIOError,          // the environment failed (EIO, fsync error, SQLite I/O)
  kCorruption,       // stored data failed a check (hash, invariant)
  kProtocol,         // a peer broke a protocol
  kNotMaster,        // this slot may not take writes
  kPermission,       // credentials did not verify, or access was denied
  kTooBig,           // an input exceeded a named limit
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status Exists(std::string m) { return {Code::kExists, std::move(m)}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status InUse(std::string m) { return {Code::kInUse, std::move(m)}; }
  static Status OverQuota(std::string m) { return {Code::kOverQuota, std::move(m)}; }
  static Status NoSpace(std::string m) { return {Code::kNoSpace, std::move(m)}; }
  static Status IOError(std::string m) { return {Code::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status Protocol(std::string m) { return {Code::kProtocol, std::move(m)}; }
  static Status NotMaster(std::string m) { return {Code::kNotMaster, std::move(m)}; }
  static Status Permission(std::string m) { return {Code::kPermission, std::move(m)}; }
  static Status TooBig(std::string m) { return {Code::kTooBig, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "NotFound: mailbox does not exist"
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: REQUIRES: !status.ok()

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace slotmail

// Return early from the enclosing function if `expr` yields a non-ok Status.
#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::slotmail::Status _st = (expr);               \
    if (!_st.ok()) return _st;                     \
  } while (0)

#define SM_CONCAT_INNER(a, b) a##b
#define SM_CONCAT(a, b) SM_CONCAT_INNER(a, b)
// ASSIGN_OR_RETURN(auto x, Foo()): x is Foo()'s value, or the function returns its Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(SM_CONCAT(_res_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
