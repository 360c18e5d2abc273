#include <fmt/format.h>

#include <set>

#include "api/validation_internal.h"

namespace berth::api {
namespace internal {

std::string goQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  return out;
}

std::string index(const std::string& path, size_t i) {
  return fmt::format("{}[{}]", path, i);
}

std::string key(const std::string& path, std::string_view k) {
  return fmt::format("{}[{}]", path, k);
}

FieldError required(std::string field, std::string detail) {
  return {std::move(field), "Required value", "", std::move(detail)};
}

FieldError invalid(std::string field, std::string_view value, std::string detail) {
  return {std::move(field), "Invalid value", goQuote(value), std::move(detail)};
}

FieldError invalid(std::string field, int64_t value, std::string detail) {
  return {std::move(field), "Invalid value", std::to_string(value), std::move(detail)};
}

FieldError notSupported(std::string field, std::string_view value,
                        std::initializer_list<std::string_view> supported) {
  std::string detail;
  for (auto s : supported) {
    detail += detail.empty() ? "supported values: " : ", ";
    detail += goQuote(s);
  }
  return {std::move(field), "Unsupported value", goQuote(value), std::move(detail)};
}

FieldError duplicate(std::string field, std::string_view value) {
  return {std::move(field), "Duplicate value", goQuote(value), ""};
}

FieldError notFound(std::string field, std::string_view value) {
  return {std::move(field), "Not found", goQuote(value), ""};
}

FieldError forbidden(std::string field, std::string detail) {
  return {std::move(field), "Forbidden", "", std::move(detail)};
}

FieldError tooLong(std::string field, std::string detail) {
  return {std::move(field), "Too long", "", std::move(detail)};
}

void addInvalid(Errors& out, const std::string& field, std::string_view value,
                const std::vector<std::string>& messages) {
  for (const auto& m : messages) {
    out.push_back(invalid(field, value, m));
  }
}

void addNonNegative(Errors& out, const std::string& field, int64_t value) {
  if (value < 0) {
    out.push_back(invalid(field, value, "must be greater than or equal to 0"));
  }
}

}  // namespace internal

std::string FieldError::str() const {
  std::string s = field + ": " + type;
  // Required, Forbidden and Too long never print the value (field.Error.ErrorBody).
  if (!badValue.empty() && type != "Required value" && type != "Forbidden" && type != "Too long") {
    s += ": " + badValue;
  }
  if (!detail.empty()) {
    s += ": " + detail;
  }
  return s;
}

std::string invalidMessage(const std::string& kind, const std::string& name,
                           const std::vector<FieldError>& errors) {
  std::vector<std::string> messages;
  std::set<std::string> seen;
  for (const auto& e : errors) {
    std::string m = e.str();
    if (seen.insert(m).second) {
      messages.push_back(std::move(m));
    }
  }
  std::string out = fmt::format("{} {} is invalid: ", kind, internal::goQuote(name));
  if (messages.size() == 1) {
    return out + messages[0];
  }
  return out + "[" + fmt::format("{}", fmt::join(messages, ", ")) + "]";
}

}  // namespace berth::api
