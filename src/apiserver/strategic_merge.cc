#include "apiserver/strategic_merge.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace berth::apiserver {
namespace {

using nlohmann::json;
using Type = PatchSchema::Type;
using Field = PatchSchema::Field;

constexpr std::string_view kPatch = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

// The keys that are patch directives rather than data ("$ref" in a CRD schema is data).
bool isDirectiveKey(std::string_view key) {
  return key == kPatch || key == kRetainKeys || key.starts_with(kSetElementOrder) ||
         key.starts_with(kDeleteFromPrimitiveList);
}

std::unexpected<Error> invalid(const std::string& path, std::string message) {
  return std::unexpected(Error(ErrorCode::kInvalidArgument,
                               path.empty() ? std::move(message) : path + ": " + message));
}

std::string child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

const Field* fieldOf(const Type* type, std::string_view name) {
  return type == nullptr ? nullptr : type->field(name);
}

const Type* childType(const Field* field) {
  return field == nullptr ? nullptr : field->type;
}

// Kinds that must agree for two values to merge: object, array or "scalar of one JSON type".
enum class Kind { kObject, kArray, kString, kNumber, kBoolean, kNull };

Kind kindOf(const json& v) {
  if (v.is_object()) {
    return Kind::kObject;
  }
  if (v.is_array()) {
    return Kind::kArray;
  }
  if (v.is_string()) {
    return Kind::kString;
  }
  if (v.is_number()) {
    return Kind::kNumber;
  }
  if (v.is_boolean()) {
    return Kind::kBoolean;
  }
  return Kind::kNull;
}

// A patch value placed where the target has nothing: nulls dropped from maps, directive keys
// stripped, `$patch: delete` maps dropped, `$patch: replace|merge` maps kept without the marker.
// Returns nullopt when the value itself is to be dropped.
std::optional<json> clean(json value) {
  if (value.is_object()) {
    if (auto it = value.find(kPatch); it != value.end()) {
      if (*it == "delete") {
        return std::nullopt;
      }
      value.erase(it);
    }
    json out = json::object();
    for (auto& [k, v] : value.items()) {
      if (v.is_null() || isDirectiveKey(k)) {
        continue;
      }
      if (auto c = clean(std::move(v))) {
        out[k] = std::move(*c);
      }
    }
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (auto& v : value) {
      if (auto c = clean(std::move(v))) {
        out.push_back(std::move(*c));
      }
    }
    return out;
  }
  return value;
}

// The identity of a list element: its merge key's value, or the element itself for primitives.
const json& identity(const json& item, const std::string& mergeKey) {
  static const json kNull;
  if (mergeKey.empty()) {
    return item;
  }
  if (!item.is_object()) {
    return kNull;
  }
  auto it = item.find(mergeKey);
  return it == item.end() ? kNull : *it;
}

std::optional<size_t> indexIn(const json& list, const json& item, const std::string& mergeKey) {
  const json& id = identity(item, mergeKey);
  for (size_t i = 0; i < list.size(); ++i) {
    if (identity(list[i], mergeKey) == id) {
      return i;
    }
  }
  return std::nullopt;
}

// The common element kind of the lists; an error for mixed kinds or lists of lists.
Result<std::optional<Kind>> elementKind(const std::string& path, const json& a, const json& b) {
  std::optional<Kind> kind;
  for (const json* list : {&a, &b}) {
    for (const auto& v : *list) {
      Kind k = kindOf(v);
      if (k == Kind::kArray) {
        return invalid(path, "lists of lists cannot be merged");
      }
      if (kind && *kind != k) {
        return invalid(path, "list element types are not identical");
      }
      kind = k;
    }
  }
  return kind;
}

// Splits `items` into those whose identity appears in `by` and the rest, keeping their order.
std::pair<json, json> splitByPresence(const json& items, const json& by,
                                      const std::string& mergeKey) {
  json inBy = json::array();
  json rest = json::array();
  for (const auto& v : items) {
    (indexIn(by, v, mergeKey) ? inBy : rest).push_back(v);
  }
  return {std::move(inBy), std::move(rest)};
}

void sortBy(json& items, const json& order, const std::string& mergeKey) {
  std::vector<std::pair<size_t, json>> keyed;
  for (auto& v : items) {
    keyed.emplace_back(indexIn(order, v, mergeKey).value_or(order.size()), std::move(v));
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  items = json::array();
  for (auto& [_, v] : keyed) {
    items.push_back(std::move(v));
  }
}

// Kubernetes' normalizeElementOrder: `patchItems` sorted by `patchOrder`, `serverOnly` by
// `serverOrder`, then each server-only item is placed before the first patch item that follows
// it in the stored order; a patch item the stored list lacks goes before remaining server items.
json normalizeOrder(json patchItems, json serverOnly, const json& patchOrder,
                    const json& serverOrder, const std::string& mergeKey) {
  sortBy(patchItems, patchOrder, mergeKey);
  sortBy(serverOnly, serverOrder, mergeKey);
  json out = json::array();
  size_t i = 0;
  size_t j = 0;
  while (i < serverOnly.size() || j < patchItems.size()) {
    if (j >= patchItems.size()) {
      out.push_back(std::move(serverOnly[i++]));
    } else if (i >= serverOnly.size()) {
      out.push_back(std::move(patchItems[j++]));
    } else {
      auto li = indexIn(serverOrder, serverOnly[i], mergeKey);
      auto ri = indexIn(serverOrder, patchItems[j], mergeKey);
      if (li && ri && *li < *ri) {
        out.push_back(std::move(serverOnly[i++]));
      } else {
        out.push_back(std::move(patchItems[j++]));
      }
    }
  }
  return out;
}

// The stored order Kubernetes sorts a $setElementOrder list against is the stored list as seen
// through a Go slice that the merge modified in place: deleting an element shifts the later ones
// left (the last one stays, stale), and new elements are then appended into the freed slots.
// Upstream results (and the cases in its tests) depend on it when one patch both deletes and
// adds elements, so it is reproduced here.
class AliasedOrder {
 public:
  explicit AliasedOrder(const json& stored) : backing_(stored), live_(stored.size()) {}

  void remove(const json& id, const std::string& mergeKey) {
    for (size_t k = 0; k < live_;) {
      if (identity(backing_[k], mergeKey) != id) {
        ++k;
        continue;
      }
      for (size_t i = k; i + 1 < live_; ++i) {
        backing_[i] = backing_[i + 1];
      }
      --live_;
    }
  }

  void append(const json& item) {
    if (live_ < backing_.size()) {
      backing_[live_] = item;
    }
    ++live_;
  }

  const json& order() const { return backing_; }

 private:
  json backing_;
  size_t live_;
};

class Merger {
 public:
  Result<json> mergeMap(json original, json patch, const Type* type, const std::string& path);

 private:
  // `storedOrder`, when given, receives the stored order $setElementOrder sorts against (see
  // AliasedOrder).
  Result<json> mergeList(json original, json patch, const Field* field, bool deleteList,
                         const std::string& path, json* storedOrder = nullptr);
  Status applyRetainKeys(json& original, json& patch, const std::string& path);
  Status applySetElementOrder(json& original, json& patch, const Type* type,
                              const std::string& path);
  Status checkOrder(const json& patchList, const json& order, const std::string& mergeKey,
                    const std::string& path);
};

Result<json> Merger::mergeMap(json original, json patch, const Type* type,
                              const std::string& path) {
  if (auto it = patch.find(kPatch); it != patch.end()) {
    if (*it == "replace") {
      patch.erase(it);
      return clean(std::move(patch)).value_or(json::object());
    }
    if (*it == "delete") {
      return json::object();
    }
    if (*it != "merge") {
      return invalid(path, "unknown $patch directive " + it->dump() + " in a map");
    }
    patch.erase(it);
  }
  if (!original.is_object()) {
    original = json::object();
  }
  BERTH_TRY_STATUS(applyRetainKeys(original, patch, path));
  BERTH_TRY_STATUS(applySetElementOrder(original, patch, type, path));

  for (auto& [patchKey, patchValue] : patch.items()) {
    std::string key = patchKey;
    bool deleteList = false;
    if (key.starts_with(kDeleteFromPrimitiveList)) {
      key = key.substr(kDeleteFromPrimitiveList.size());
      deleteList = true;
      if (key.empty() || !patchValue.is_array()) {
        return invalid(path, "invalid patch format of primitive list '" + patchKey + "'");
      }
    }
    const std::string keyPath = child(path, key);
    if (patchValue.is_null()) {
      original.erase(key);
      continue;
    }
    auto existing = original.find(key);
    if (existing == original.end() || kindOf(*existing) != kindOf(patchValue) ||
        (!existing->is_object() && !existing->is_array())) {
      // Absent, a different type, or a scalar: the patch value replaces (a delete list on a
      // missing or non-list field does nothing).
      if (deleteList) {
        continue;
      }
      if (auto c = clean(std::move(patchValue))) {
        original[key] = std::move(*c);
      } else {
        original.erase(key);
      }
      continue;
    }
    const Field* field = fieldOf(type, key);
    if (existing->is_object()) {
      if (field != nullptr && field->replace) {
        *existing = clean(std::move(patchValue)).value_or(json::object());
      } else {
        BERTH_ASSIGN_OR_RETURN(*existing, mergeMap(std::move(*existing), std::move(patchValue),
                                                   childType(field), keyPath));
      }
    } else if ((field != nullptr && field->mergeList) || deleteList) {
      BERTH_ASSIGN_OR_RETURN(*existing, mergeList(std::move(*existing), std::move(patchValue),
                                                  field, deleteList, keyPath));
    } else {
      *existing = clean(std::move(patchValue)).value_or(json::array());
    }
  }
  return original;
}

Result<json> Merger::mergeList(json original, json patch, const Field* field, bool deleteList,
                               const std::string& path, json* storedOrder) {
  if (original.empty() && patch.empty()) {
    return original;
  }
  BERTH_ASSIGN_OR_RETURN(auto kind, elementKind(path, original, patch));
  if (kind != Kind::kObject) {
    if (deleteList) {
      json kept = json::array();
      for (auto& v : original) {
        if (std::find(patch.begin(), patch.end(), v) == patch.end()) {
          kept.push_back(std::move(v));
        }
      }
      return kept;
    }
    // A set union, first occurrence kept.
    json merged = json::array();
    for (const json* list : {&original, &patch}) {
      for (const auto& v : *list) {
        if (std::find(merged.begin(), merged.end(), v) == merged.end()) {
          merged.push_back(v);
        }
      }
    }
    auto [patchItems, serverOnly] = splitByPresence(merged, patch, "");
    return normalizeOrder(std::move(patchItems), std::move(serverOnly), patch, original, "");
  }

  const std::string mergeKey = field != nullptr ? field->mergeKey : "";
  if (mergeKey.empty()) {
    return invalid(path, "cannot merge a list of objects without a merge key");
  }
  AliasedOrder aliased(original);
  // Elements carrying a $patch directive act on the stored list and leave the patch.
  json plain = json::array();
  bool replace = false;
  for (size_t i = 0; i < patch.size(); ++i) {
    json& item = patch[i];
    auto directive = item.find(kPatch);
    if (directive == item.end()) {
      plain.push_back(std::move(item));
    } else if (*directive == "delete") {
      if (!item.contains(mergeKey)) {
        return invalid(fmt::format("{}[{}]", path, i),
                       "does not contain declared merge key '" + mergeKey + "'");
      }
      const json& id = item[mergeKey];
      json kept = json::array();
      for (auto& v : original) {
        if (identity(v, mergeKey) != id) {
          kept.push_back(std::move(v));
        }
      }
      original = std::move(kept);
      aliased.remove(id, mergeKey);
    } else if (*directive == "replace") {
      replace = true;
    } else if (*directive == "merge") {
      item.erase(directive);
      if (item.contains(mergeKey)) {
        plain.push_back(std::move(item));
      }
    } else {
      return invalid(fmt::format("{}[{}]", path, i),
                     "unknown $patch directive " + directive->dump() + " in a list");
    }
  }
  if (storedOrder != nullptr) {
    *storedOrder = aliased.order();
  }
  if (replace) {
    return clean(std::move(plain)).value_or(json::array());
  }

  json merged = original;
  for (size_t i = 0; i < plain.size(); ++i) {
    json& item = plain[i];
    if (!item.is_object() || !item.contains(mergeKey)) {
      return invalid(fmt::format("{}[{}]", path, i),
                     "does not contain declared merge key '" + mergeKey + "'");
    }
    if (auto at = indexIn(merged, item, mergeKey)) {
      BERTH_ASSIGN_OR_RETURN(merged[*at], mergeMap(std::move(merged[*at]), item, field->type,
                                                   fmt::format("{}[{}]", path, i)));
    } else if (auto c = clean(item)) {
      aliased.append(*c);
      merged.push_back(std::move(*c));
    }
  }
  if (storedOrder != nullptr) {
    *storedOrder = aliased.order();
  }
  auto [patchItems, serverOnly] = splitByPresence(merged, plain, mergeKey);
  return normalizeOrder(std::move(patchItems), std::move(serverOnly), plain, original, mergeKey);
}

Status Merger::applyRetainKeys(json& original, json& patch, const std::string& path) {
  auto it = patch.find(kRetainKeys);
  if (it == patch.end()) {
    return ok();
  }
  json retain = std::move(*it);
  patch.erase(it);
  if (!retain.is_array()) {
    return invalid(path, "invalid patch format of $retainKeys: must be a list");
  }
  auto retained = [&](const std::string& key) {
    return std::find(retain.begin(), retain.end(), key) != retain.end();
  };
  for (const auto& [k, v] : patch.items()) {
    if (v.is_null() || k.starts_with(kDeleteFromPrimitiveList) || k.starts_with(kSetElementOrder)) {
      continue;
    }
    if (!retained(k)) {
      return invalid(path, "key '" + k + "' is in the patch but not in $retainKeys");
    }
  }
  for (auto o = original.begin(); o != original.end();) {
    o = retained(o.key()) ? std::next(o) : original.erase(o);
  }
  return ok();
}

// Kubernetes' validatePatchWithSetOrderList: the patch list's elements must appear in the
// $setElementOrder list, in the same relative order.
Status Merger::checkOrder(const json& patchList, const json& order, const std::string& mergeKey,
                          const std::string& path) {
  std::vector<const json*> items;
  for (const auto& v : patchList) {
    if (!v.is_object() || !v.contains(kPatch)) {
      items.push_back(&v);
    }
  }
  size_t p = 0;
  size_t s = 0;
  while (p < items.size() && s < order.size()) {
    if (!mergeKey.empty()) {
      for (const json* v : {items[p], &order[s]}) {
        if (!v->is_object() || !v->contains(mergeKey)) {
          return invalid(path, "an element does not contain declared merge key '" + mergeKey +
                                   "': " + v->dump());
        }
      }
    }
    if (identity(*items[p], mergeKey) == identity(order[s], mergeKey)) {
      ++p;
    }
    ++s;
  }
  if (p < items.size()) {
    return invalid(path, "the order in the patch list " + patchList.dump() +
                             " doesn't match the $setElementOrder list " + order.dump());
  }
  return ok();
}

// Merges every list named by a "$setElementOrder/<list>" key together with its patch list,
// orders the result as the directive says, and removes both keys from `patch`.
Status Merger::applySetElementOrder(json& original, json& patch, const Type* type,
                                    const std::string& path) {
  std::vector<std::string> directives;
  for (const auto& [k, _] : patch.items()) {
    if (k.starts_with(kSetElementOrder)) {
      directives.push_back(k);
    }
  }
  for (const auto& directive : directives) {
    json order = std::move(patch[directive]);
    patch.erase(directive);
    std::string name = directive.substr(kSetElementOrder.size());
    const std::string listPath = child(path, name);
    if (name.empty() || !order.is_array()) {
      return invalid(path, "invalid patch format of '" + directive + "': must be a list");
    }
    const Field* field = fieldOf(type, name);
    const std::string mergeKey = field != nullptr ? field->mergeKey : "";
    auto stored = original.find(name);
    auto patched = patch.find(name);
    bool hasStored = stored != original.end() && !stored->is_null();
    bool hasPatch = patched != patch.end();
    if ((hasStored && !stored->is_array()) || (hasPatch && !patched->is_array())) {
      return invalid(listPath, "'" + directive + "' applies to a field that is not a list");
    }
    json storedList = hasStored ? *stored : json::array();
    json patchList = hasPatch ? *patched : json::array();
    BERTH_ASSIGN_OR_RETURN(auto kind, elementKind(listPath, storedList, patchList));
    if (kind && *kind != Kind::kObject && !mergeKey.empty()) {
      return invalid(listPath, "'" + directive + "' names a list of primitives with a merge key");
    }
    // A list of objects the schema knows no merge key for (a field newer than the table):
    // the patch list replaces, in its own order.
    bool unkeyed = kind == Kind::kObject && mergeKey.empty();
    if (!unkeyed) {
      BERTH_TRY_STATUS(checkOrder(patchList, order, mergeKey, listPath));
    }
    if (!hasStored && !hasPatch) {
      continue;
    }
    json merged;
    json serverOrder = storedList;
    if (!hasPatch) {
      merged = storedList;
    } else if (!hasStored || unkeyed || field == nullptr || !field->mergeList) {
      merged = clean(patchList).value_or(json::array());
    } else {
      BERTH_ASSIGN_OR_RETURN(
          merged, mergeList(storedList, patchList, field, false, listPath, &serverOrder));
    }
    patch.erase(name);
    if (unkeyed) {
      original[name] = std::move(merged);
      continue;
    }
    auto [patchItems, serverOnly] = splitByPresence(merged, order, mergeKey);
    original[name] =
        normalizeOrder(std::move(patchItems), std::move(serverOnly), order, serverOrder, mergeKey);
  }
  return ok();
}

}  // namespace

Result<json> applyStrategicMergePatch(json target, const json& patch,
                                      const PatchSchema::Type* type) {
  if (!patch.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "strategic merge patch must be a JSON object");
  }
  if (!target.is_object() && !target.is_null()) {
    return fail(ErrorCode::kInvalidArgument, "strategic merge patch applies to a JSON object");
  }
  Merger merger;
  return merger.mergeMap(std::move(target), patch, type, "");
}

Result<json> applyStrategicMergePatch(json target, const json& patch, std::string_view apiVersion,
                                      std::string_view kind) {
  return applyStrategicMergePatch(std::move(target), patch,
                                  builtinPatchSchema().typeForKind(apiVersion, kind));
}

}  // namespace berth::apiserver
