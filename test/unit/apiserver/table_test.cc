#include "apiserver/table.h"

#include <gtest/gtest.h>

#include "apiserver/builtin_types.h"
#include "apiserver/human_duration.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;

json podObject(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", name},
            {"namespace", "default"},
            {"labels", {{"app", "web"}}},
            {"resourceVersion", "7"},
            {"creationTimestamp", "2024-05-01T11:59:50Z"}}},
          {"spec", {{"containers", {{{"name", "main"}, {"image", "x"}}}}}},
          {"status", {{"phase", "Pending"}}}};
}

ResourceType fixedPodType() {
  return podType([] { return *parseRfc3339("2024-05-01T12:00:00Z"); });
}

TEST(TableTest, ListTableHasColumnsRowsAndPartialMetadata) {
  json table = toTable(fixedPodType(), {podObject("a"), podObject("b")}, "42", false);
  EXPECT_EQ(table["kind"], "Table");
  EXPECT_EQ(table["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(table["metadata"]["resourceVersion"], "42");
  ASSERT_EQ(table["columnDefinitions"].size(), 9u);
  EXPECT_EQ(table["columnDefinitions"][0]["name"], "Name");
  EXPECT_EQ(table["columnDefinitions"][0]["format"], "name");
  EXPECT_EQ(table["columnDefinitions"][5]["priority"], 1);
  ASSERT_EQ(table["rows"].size(), 2u);
  const json& row = table["rows"][0];
  EXPECT_EQ(row["cells"],
            (json{"a", "0/1", "Pending", "0", "10s", "<none>", "<none>", "<none>", "<none>"}));
  EXPECT_EQ(row["object"]["kind"], "PartialObjectMetadata");
  EXPECT_EQ(row["object"]["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(row["object"]["metadata"]["labels"]["app"], "web");
  EXPECT_EQ(row["object"]["metadata"]["namespace"], "default");
  EXPECT_FALSE(row["object"].contains("spec"));
}

TEST(TableTest, IncludeObjectCarriesTheWholeObject) {
  json table = toTable(fixedPodType(), {podObject("a")}, "42", true);
  EXPECT_EQ(table["rows"][0]["object"], podObject("a"));
}

TEST(TableTest, KindWithoutColumnsGetsNameAndAge) {
  ResourceType bare;
  bare.resource = "widgets";
  bare.kind = "Widget";
  bare.version = "v1";
  json object = {{"metadata", {{"name", "w"}, {"creationTimestamp", "2000-01-01T00:00:00Z"}}}};
  json table = toTable(bare, {object}, "", false);
  EXPECT_EQ(table["metadata"], json::object());
  ASSERT_EQ(table["columnDefinitions"].size(), 2u);
  EXPECT_EQ(table["columnDefinitions"][0]["format"], "name");
  EXPECT_EQ(table["columnDefinitions"][1]["name"], "Age");
  EXPECT_EQ(table["rows"][0]["cells"][0], "w");
  EXPECT_TRUE(table["rows"][0]["cells"][1].get<std::string>().ends_with("y"));
}

TEST(TableTest, WatchEventIsAOneRowTable) {
  json event = tableWatchEvent(fixedPodType(), "MODIFIED", podObject("a"), false);
  EXPECT_EQ(event["type"], "MODIFIED");
  EXPECT_EQ(event["object"]["kind"], "Table");
  EXPECT_EQ(event["object"]["metadata"]["resourceVersion"], "7");
  ASSERT_EQ(event["object"]["rows"].size(), 1u);
  EXPECT_EQ(event["object"]["columnDefinitions"], tableColumns(fixedPodType()));
}

}  // namespace
}  // namespace berth::apiserver
