#include "base/error.h"

#include <cctype>
#include <cstring>

namespace berth {

std::string_view errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "InvalidArgument";
    case ErrorCode::kNotFound:
      return "NotFound";
    case ErrorCode::kAlreadyExists:
      return "AlreadyExists";
    case ErrorCode::kConflict:
      return "Conflict";
    case ErrorCode::kUnauthenticated:
      return "Unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "PermissionDenied";
    case ErrorCode::kUnavailable:
      return "Unavailable";
    case ErrorCode::kDeadlineExceeded:
      return "DeadlineExceeded";
    case ErrorCode::kDataLoss:
      return "DataLoss";
    case ErrorCode::kResourceExhausted:
      return "ResourceExhausted";
    case ErrorCode::kGone:
      return "Gone";
    case ErrorCode::kInternal:
      return "Internal";
  }
  return "Unknown";
}

Error errnoError(int err, std::string_view what) {
  std::string text = std::strerror(err);
  if (!text.empty()) {
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  }
  ErrorCode code = ErrorCode::kInternal;
  switch (err) {
    case ENOENT:
      code = ErrorCode::kNotFound;
      break;
    case EEXIST:
      code = ErrorCode::kAlreadyExists;
      break;
    case EACCES:
    case EPERM:
      code = ErrorCode::kPermissionDenied;
      break;
    case ENOSPC:
    case ENOMEM:
      code = ErrorCode::kResourceExhausted;
      break;
    case EINVAL:
      code = ErrorCode::kInvalidArgument;
      break;
    default:
      break;
  }
  return Error(code, fmt::format("{}: {}", what, text));
}

}  // namespace berth
