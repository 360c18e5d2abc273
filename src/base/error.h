#pragma once

// The one error mechanism of Berth: Result<T> is std::expected<T, Error>.
//
// An Error carries a code (what kind of failure, for callers that branch on it), a message
// (lowercase, no trailing period, identifiers quoted) and is given context at each hop with
// wrap(): "pull 'busybox:1': fetch manifest: connection refused".
// Exceptions thrown by libraries are caught at module edges and turned into Errors.

#include <fmt/format.h>

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace berth {

enum class ErrorCode {
  kInvalidArgument,    // bad input from a user: a manifest field, a flag, a reference
  kNotFound,           // the named thing does not exist
  kAlreadyExists,      // create of something that exists
  kConflict,           // a concurrent change won, or the state does not allow the operation
  kUnauthenticated,    // credentials missing or wrong
  kPermissionDenied,   // credentials fine, action not allowed
  kUnavailable,        // a peer (registry, runtime, plugin) could not be reached; may retry
  kDeadlineExceeded,   // timed out
  kDataLoss,           // a digest did not match, a file is corrupt
  kResourceExhausted,  // out of space, addresses, memory
  kGone,               // history asked for was compacted away (a watch from an old revision)
  kInternal,           // a bug or an unexpected failure of a system call
};

std::string_view errorCodeName(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes the message with what the caller was doing: "context: message".
  Error& wrap(std::string_view context) & {
    message_ = fmt::format("{}: {}", context, message_);
    return *this;
  }
  Error&& wrap(std::string_view context) && { return std::move(wrap(context)); }

 private:
  ErrorCode code_;
  std::string message_;
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = Result<void>;

// Ok() is the success value of a Status.
inline Status ok() {
  return {};
}

// Builds the std::unexpected a function returns on failure:
//   return fail(ErrorCode::kNotFound, "image '{}' not found", ref);
template <typename... Args>
std::unexpected<Error> fail(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) {
  return std::unexpected(Error(code, fmt::format(format, std::forward<Args>(args)...)));
}

inline std::unexpected<Error> fail(Error error) {
  return std::unexpected(std::move(error));
}

// An Error from errno, named after the failing operation: "open '/x': no such file or directory".
Error errnoError(int err, std::string_view what);

}  // namespace berth

// Propagates the error of a Result/Status expression, optionally adding context.
#define BERTH_TRY_STATUS(expr)                                  \
  do {                                                          \
    if (auto berth_status_ = (expr); !berth_status_) {          \
      return std::unexpected(std::move(berth_status_.error())); \
    }                                                           \
  } while (false)

#define BERTH_CONCAT_INNER(a, b) a##b
#define BERTH_CONCAT(a, b) BERTH_CONCAT_INNER(a, b)

// BERTH_ASSIGN_OR_RETURN(auto x, compute()); declares x from the value or returns the error.
#define BERTH_ASSIGN_OR_RETURN(lhs, expr) \
  BERTH_ASSIGN_OR_RETURN_IMPL(BERTH_CONCAT(berth_result_, __LINE__), lhs, expr)
// `tmp` is an identifier and `lhs` a declaration, neither can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define BERTH_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp) {                                       \
    return std::unexpected(std::move(tmp.error())); \
  }                                                 \
  lhs = std::move(*tmp)
// NOLINTEND(bugprone-macro-parentheses)
