// Runs the upstream strategic merge patch cases (testdata/strategic_merge_upstream.json, taken
// from k8s.io/apimachinery's patch_test.go) against applyStrategicMergePatch with the same
// MergeItem schema those cases use.

#include <gtest/gtest.h>

#include <fstream>

#include "apiserver/strategic_merge.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;

// The Go test type MergeItem and its patch tags.
constexpr PatchFieldDef kMergeItemFields[] = {
    {"MergeItem", "mergingList", "MergeItem", "merge", "name"},
    {"MergeItem", "nonMergingList", "MergeItem", "", ""},
    {"MergeItem", "mergingIntList", "", "merge", ""},
    {"MergeItem", "nonMergingIntList", "", "", ""},
    {"MergeItem", "mergeItemPtr", "MergeItem", "merge", "name"},
    {"MergeItem", "simpleMap", "", "", ""},
    {"MergeItem", "replacingItem", "", "replace", ""},
    {"MergeItem", "retainKeysMap", "RetainKeysMergeItem", "retainKeys", ""},
    {"MergeItem", "retainKeysMergingList", "MergeItem", "merge,retainKeys", "name"},
    {"RetainKeysMergeItem", "simpleMap", "", "", ""},
    {"RetainKeysMergeItem", "mergingIntList", "", "merge", ""},
    {"RetainKeysMergeItem", "mergingList", "MergeItem", "merge", "name"},
    {"RetainKeysMergeItem", "nonMergingList", "MergeItem", "", ""},
};
constexpr PatchKindDef kMergeItemKinds[] = {{"test/v1", "MergeItem", "MergeItem"}};

const PatchSchema& mergeItemSchema() {
  static const PatchSchema schema = *PatchSchema::build(kMergeItemFields, kMergeItemKinds);
  return schema;
}

// Sorts every merge list (by merge key, or by value for primitives), as the upstream test's
// sortMergeListsByName does, so order-insensitive cases compare equal.
json sortMergeLists(json value, const PatchSchema::Type* type) {
  if (!value.is_object()) {
    return value;
  }
  for (auto& [k, v] : value.items()) {
    const PatchSchema::Field* field = type != nullptr ? type->field(k) : nullptr;
    const PatchSchema::Type* child = field != nullptr ? field->type : nullptr;
    if (v.is_array()) {
      for (auto& e : v) {
        e = sortMergeLists(e, child);
      }
      if (field != nullptr && field->mergeList) {
        std::string key = field->mergeKey;
        std::stable_sort(v.begin(), v.end(), [&](const json& a, const json& b) {
          return (key.empty() ? a : a.value(key, json())).dump() <
                 (key.empty() ? b : b.value(key, json())).dump();
        });
      }
    } else if (v.is_object()) {
      v = sortMergeLists(v, child);
    }
  }
  return value;
}

TEST(StrategicMergeUpstreamTest, AllCases) {
  std::ifstream in(std::string(BERTH_SOURCE_DIR) +
                   "/test/unit/apiserver/testdata/strategic_merge_upstream.json");
  ASSERT_TRUE(in.good());
  json data = json::parse(in);
  const PatchSchema::Type* type = mergeItemSchema().typeForKind("test/v1", "MergeItem");
  ASSERT_NE(type, nullptr);
  size_t ran = 0;
  for (const auto& c : data["cases"]) {
    SCOPED_TRACE(c["description"].get<std::string>());
    auto result = applyStrategicMergePatch(c["original"], c["patch"], type);
    ++ran;
    if (c.contains("error")) {
      ASSERT_FALSE(result.has_value()) << result->dump();
      EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
      continue;
    }
    ASSERT_TRUE(result.has_value()) << result.error().message() << "\npatch: " << c["patch"];
    if (c["ordered"]) {
      EXPECT_EQ(*result, c["expected"])
          << "patch: " << c["patch"] << "\noriginal: " << c["original"];
    } else {
      EXPECT_EQ(sortMergeLists(*result, type), sortMergeLists(c["expected"], type))
          << "patch: " << c["patch"] << "\noriginal: " << c["original"];
    }
  }
  EXPECT_GT(ran, 200u);
}

}  // namespace
}  // namespace berth::apiserver
