#include "apiserver/patch.h"

#include <string>
#include <string_view>
#include <vector>

namespace berth::apiserver {
namespace {

using nlohmann::json;

// An error that still lacks the "json patch operation N ..." prefix.
std::unexpected<Error> bad(std::string message) {
  return std::unexpected(Error(ErrorCode::kInvalidArgument, std::move(message)));
}

// RFC 6901: "" is the whole document; otherwise "/"-separated tokens with ~1 = '/', ~0 = '~'.
Result<std::vector<std::string>> parsePointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) {
    return tokens;
  }
  if (pointer.front() != '/') {
    return bad("a JSON pointer must be empty or start with '/'");
  }
  std::string token;
  for (size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
    } else if (pointer[i] == '~') {
      if (i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
        token += pointer[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        return bad("invalid escape in JSON pointer: '~' must be followed by '0' or '1'");
      }
    } else {
      token += pointer[i];
    }
  }
  return tokens;
}

// An array index token: "0" or digits without a leading zero, at most `limit`.
Result<size_t> arrayIndex(const std::string& token, size_t limit) {
  bool digits = !token.empty() && token.size() <= 18 &&
                token.find_first_not_of("0123456789") == std::string::npos &&
                (token.size() == 1 || token[0] != '0');
  if (!digits) {
    return bad("invalid array index '" + token + "'");
  }
  size_t index = std::stoull(token);
  if (index > limit) {
    return bad("array index " + token + " out of range");
  }
  return index;
}

// The value at `tokens`, which must exist.
Result<json*> resolve(json& doc, const std::vector<std::string>& tokens, size_t count) {
  json* node = &doc;
  for (size_t i = 0; i < count; ++i) {
    const std::string& token = tokens[i];
    if (node->is_object()) {
      auto it = node->find(token);
      if (it == node->end()) {
        return bad("no such key '" + token + "'");
      }
      node = &*it;
    } else if (node->is_array()) {
      if (node->empty()) {
        return bad("array index " + token + " out of range");
      }
      BERTH_ASSIGN_OR_RETURN(size_t index, arrayIndex(token, node->size() - 1));
      node = &(*node)[index];
    } else {
      return bad("cannot descend into a " + std::string(node->type_name()) + " at '" + token + "'");
    }
  }
  return node;
}

Status addValue(json& doc, const std::vector<std::string>& tokens, json value) {
  if (tokens.empty()) {
    doc = std::move(value);
    return ok();
  }
  BERTH_ASSIGN_OR_RETURN(json * parent, resolve(doc, tokens, tokens.size() - 1));
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    (*parent)[last] = std::move(value);
  } else if (parent->is_array()) {
    if (last == "-") {
      parent->push_back(std::move(value));
    } else {
      BERTH_ASSIGN_OR_RETURN(size_t index, arrayIndex(last, parent->size()));
      parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(index), std::move(value));
    }
  } else {
    return bad("cannot add to a " + std::string(parent->type_name()));
  }
  return ok();
}

Result<json> removeValue(json& doc, const std::vector<std::string>& tokens) {
  if (tokens.empty()) {
    return bad("cannot remove the whole document");
  }
  BERTH_ASSIGN_OR_RETURN(json * parent, resolve(doc, tokens, tokens.size() - 1));
  BERTH_ASSIGN_OR_RETURN(json * target, resolve(*parent, {tokens.back()}, 1));
  json removed = std::move(*target);
  if (parent->is_object()) {
    parent->erase(tokens.back());
  } else {
    parent->erase(static_cast<size_t>(target - &(*parent)[0]));
  }
  return removed;
}

Result<std::vector<std::string>> pointerField(const json& op, const char* name) {
  auto it = op.find(name);
  if (it == op.end() || !it->is_string()) {
    return bad(std::string("missing string '") + name + "'");
  }
  return parsePointer(it->get<std::string>());
}

Result<json> valueField(const json& op) {
  auto it = op.find("value");
  if (it == op.end()) {
    return bad("missing 'value'");
  }
  return *it;
}

// True when pointer `prefix` names `tokens` or one of its ancestors.
bool isPrefix(const std::vector<std::string>& prefix, const std::vector<std::string>& tokens) {
  return prefix.size() <= tokens.size() && std::equal(prefix.begin(), prefix.end(), tokens.begin());
}

Status applyOperation(json& doc, const json& op) {
  if (!op.is_object()) {
    return bad("an operation must be an object");
  }
  std::string kind = op.value("op", json()).is_string() ? op["op"].get<std::string>() : "";
  BERTH_ASSIGN_OR_RETURN(auto path, pointerField(op, "path"));
  if (kind == "add") {
    BERTH_ASSIGN_OR_RETURN(json value, valueField(op));
    return addValue(doc, path, std::move(value));
  }
  if (kind == "remove") {
    BERTH_TRY_STATUS(removeValue(doc, path));
    return ok();
  }
  if (kind == "replace") {
    BERTH_ASSIGN_OR_RETURN(json value, valueField(op));
    BERTH_ASSIGN_OR_RETURN(json * target, resolve(doc, path, path.size()));
    *target = std::move(value);
    return ok();
  }
  if (kind == "move" || kind == "copy") {
    BERTH_ASSIGN_OR_RETURN(auto from, pointerField(op, "from"));
    if (kind == "move") {
      if (from == path) {
        BERTH_TRY_STATUS(resolve(doc, from, from.size()));
        return ok();
      }
      if (isPrefix(from, path)) {
        return bad("cannot move a value into one of its own children");
      }
      BERTH_ASSIGN_OR_RETURN(json value, removeValue(doc, from));
      return addValue(doc, path, std::move(value));
    }
    BERTH_ASSIGN_OR_RETURN(json * source, resolve(doc, from, from.size()));
    return addValue(doc, path, *source);
  }
  if (kind == "test") {
    BERTH_ASSIGN_OR_RETURN(json value, valueField(op));
    BERTH_ASSIGN_OR_RETURN(json * target, resolve(doc, path, path.size()));
    if (*target != value) {
      return bad("value differs");
    }
    return ok();
  }
  return bad(kind.empty() ? "missing string 'op'" : "unknown op '" + kind + "'");
}

}  // namespace

Result<json> applyMergePatch(json target, const json& patch) {
  if (!patch.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "merge patch must be a JSON object");
  }
  target.merge_patch(patch);
  return target;
}

Result<json> applyJsonPatch(json target, const json& patch) {
  if (!patch.is_array()) {
    return fail(ErrorCode::kInvalidArgument, "json patch must be a JSON array of operations");
  }
  for (size_t i = 0; i < patch.size(); ++i) {
    const json& op = patch[i];
    if (auto status = applyOperation(target, op); !status) {
      std::string kind = op.is_object() && op.value("op", json()).is_string() ? op["op"] : "";
      std::string path = op.is_object() && op.value("path", json()).is_string() ? op["path"] : "";
      return fail(ErrorCode::kInvalidArgument, "json patch operation {} ('{}') at path '{}': {}", i,
                  kind, path, status.error().message());
    }
  }
  return target;
}

}  // namespace berth::apiserver
