// parseManifest: manifest text (JSON or YAML) to JSON documents.
//
// YAML scalars are typed the way Kubernetes' sigs.k8s.io/yaml (go-yaml v2, YAML 1.1 flavoured)
// types them before handing JSON to the API machinery, because a manifest must mean the same
// thing here as under kubectl: `yes`/`on` are booleans, `0755` is octal, `1_000` is 1000, and a
// quoted scalar is always a string.

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

#include "api/pod_codec.h"

namespace berth::api {
namespace {

using nlohmann::json;

// Bounds the work alias expansion can cause ("billion laughs").
constexpr size_t kMaxNodes = 1'000'000;

bool isOneOf(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words) {
    if (s == w) {
      return true;
    }
  }
  return false;
}

// strconv.ParseInt(s, 0, 64) / ParseUint semantics: optional sign, 0x / 0o / 0b prefixes, a
// leading 0 means octal.
std::optional<json> parseGoInt(const std::string& s) {
  if (s.empty()) {
    return std::nullopt;
  }
  size_t pos = 0;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    pos = 1;
  }
  int base = 10;
  if (s.size() - pos > 1 && s[pos] == '0') {
    char p = s[pos + 1];
    if (p == 'x' || p == 'X') {
      base = 16;
      pos += 2;
    } else if (p == 'o' || p == 'O') {
      base = 8;
      pos += 2;
    } else if (p == 'b' || p == 'B') {
      base = 2;
      pos += 2;
    } else {
      base = 8;
      pos += 1;
    }
  }
  if (pos >= s.size()) {
    return std::nullopt;
  }
  unsigned __int128 value = 0;
  for (size_t i = pos; i < s.size(); i++) {
    char c = s[i];
    int d = -1;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    }
    if (d < 0 || d >= base) {
      return std::nullopt;
    }
    value = value * base + d;
    if (value > static_cast<unsigned __int128>(UINT64_MAX)) {
      return std::nullopt;
    }
  }
  if (negative) {
    if (value > static_cast<unsigned __int128>(INT64_MAX) + 1) {
      return std::nullopt;
    }
    return json(static_cast<int64_t>(-static_cast<__int128>(value)));
  }
  if (value <= static_cast<unsigned __int128>(INT64_MAX)) {
    return json(static_cast<int64_t>(value));
  }
  return json(static_cast<uint64_t>(value));
}

// go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool isYamlFloat(const std::string& s) {
  size_t i = 0;
  auto digits = [&]() {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      i++;
    }
    return i - start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    i++;
  }
  if (i < s.size() && s[i] == '.') {
    i++;
    if (digits() == 0) {
      return false;
    }
  } else {
    if (digits() == 0) {
      return false;
    }
    if (i < s.size() && s[i] == '.') {
      i++;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      i++;
    }
    if (digits() == 0) {
      return false;
    }
  }
  return i == s.size();
}

Result<json> resolvePlain(const std::string& s) {
  if (isOneOf(s, {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})) {
    return json(true);
  }
  if (isOneOf(s, {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})) {
    return json(false);
  }
  if (isOneOf(s, {"", "~", "null", "Null", "NULL"})) {
    return json(nullptr);
  }
  if (isOneOf(s, {".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                  "-.inf", "-.Inf", "-.INF"})) {
    // JSON has no NaN or infinity; sigs.k8s.io/yaml fails the same way.
    return fail(ErrorCode::kInvalidArgument, "json: unsupported value: {}", s);
  }
  char c = s[0];
  if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
    std::string plain;
    for (char ch : s) {
      if (ch != '_') {
        plain.push_back(ch);
      }
    }
    if (auto i = parseGoInt(plain)) {
      return *i;
    }
    if (isYamlFloat(plain)) {
      errno = 0;
      double d = std::strtod(plain.c_str(), nullptr);
      if (errno != ERANGE && std::isfinite(d)) {
        return json(d);
      }
    }
  }
  return json(s);
}

class Converter {
 public:
  Result<json> convert(const YAML::Node& node) {
    if (++nodes_ > kMaxNodes) {
      return fail(ErrorCode::kInvalidArgument, "yaml: document too large after alias expansion");
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return json(nullptr);
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        json out = json::array();
        for (const auto& item : node) {
          BERTH_ASSIGN_OR_RETURN(json v, convert(item));
          out.push_back(std::move(v));
        }
        return out;
      }
      case YAML::NodeType::Map:
        return map(node);
    }
    return json(nullptr);
  }

 private:
  Result<json> scalar(const YAML::Node& node) {
    const std::string& tag = node.Tag();
    const std::string& value = node.Scalar();
    if (tag == "!" || tag == "tag:yaml.org,2002:str" || tag == "tag:yaml.org,2002:binary") {
      return json(value);  // quoted, block or explicitly a string
    }
    return resolvePlain(value);
  }

  // Map keys become strings the way sigs.k8s.io/yaml stringifies them: `true: x` -> "true".
  Result<std::string> key(const YAML::Node& node) {
    if (node.IsNull()) {
      return std::string("null");
    }
    if (!node.IsScalar()) {
      return fail(ErrorCode::kInvalidArgument, "yaml: line {}: unsupported map key",
                  node.Mark().line + 1);
    }
    BERTH_ASSIGN_OR_RETURN(json k, scalar(node));
    if (k.is_string()) {
      return k.get<std::string>();
    }
    if (k.is_null()) {
      return std::string("null");
    }
    if (k.is_number_float()) {
      return node.Scalar();
    }
    return k.dump();
  }

  Result<json> map(const YAML::Node& node) {
    json out = json::object();
    std::vector<json> merged;  // "<<" sources, applied after explicit keys (which win)
    for (const auto& entry : node) {
      if (entry.first.IsScalar() && entry.first.Tag() == "?" && entry.first.Scalar() == "<<") {
        BERTH_ASSIGN_OR_RETURN(json source, convert(entry.second));
        if (source.is_object()) {
          merged.push_back(std::move(source));
        } else if (source.is_array()) {
          for (auto& s : source) {
            if (!s.is_object()) {
              return fail(ErrorCode::kInvalidArgument,
                          "yaml: line {}: map merge requires map or sequence of maps as the value",
                          entry.second.Mark().line + 1);
            }
            merged.push_back(std::move(s));
          }
        } else {
          return fail(ErrorCode::kInvalidArgument,
                      "yaml: line {}: map merge requires map or sequence of maps as the value",
                      entry.second.Mark().line + 1);
        }
        continue;
      }
      BERTH_ASSIGN_OR_RETURN(std::string k, key(entry.first));
      BERTH_ASSIGN_OR_RETURN(json v, convert(entry.second));
      out[k] = std::move(v);
    }
    // In a sequence of merge sources the earlier maps take precedence.
    for (const auto& source : merged) {
      for (const auto& [k, v] : source.items()) {
        if (!out.contains(k)) {
          out[k] = v;
        }
      }
    }
    return out;
  }

  size_t nodes_ = 0;
};

Result<std::vector<json>> parseYaml(std::string_view text) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) {
      return fail(ErrorCode::kInvalidArgument, "yaml: {}", e.msg);
    }
    return fail(ErrorCode::kInvalidArgument, "yaml: line {}, column {}: {}", e.mark.line + 1,
                e.mark.column + 1, e.msg);
  }
  std::vector<json> out;
  Converter converter;
  for (const auto& doc : docs) {
    if (doc.IsNull()) {
      continue;
    }
    try {
      BERTH_ASSIGN_OR_RETURN(json j, converter.convert(doc));
      out.push_back(std::move(j));
    } catch (const YAML::Exception& e) {
      return fail(ErrorCode::kInvalidArgument, "yaml: {}", e.msg);
    }
  }
  return out;
}

// Concatenated JSON values ("{...}\n{...}"), as kubectl accepts them.
Result<std::vector<json>> parseJsonStream(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<json> out;
  try {
    while (true) {
      in >> std::ws;
      if (in.peek() == std::char_traits<char>::eof()) {
        break;
      }
      json doc;
      in >> doc;
      out.push_back(std::move(doc));
    }
  } catch (const json::exception& e) {
    std::string what = e.what();
    size_t close = what.find("] ");
    return fail(ErrorCode::kInvalidArgument, "json: {}",
                close == std::string::npos ? what : what.substr(close + 2));
  }
  return out;
}

}  // namespace

Result<std::vector<json>> parseManifest(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  // Like Kubernetes' YAMLOrJSONDecoder: text that starts like JSON is JSON (a stream of one or
  // more values), never YAML flow style.
  if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) {
    json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_discarded()) {
      return std::vector<json>{std::move(doc)};
    }
    return parseJsonStream(text);
  }
  return parseYaml(text);
}

}  // namespace berth::api
