#include "apiserver/patch.h"

#include <gtest/gtest.h>

namespace berth::apiserver {
namespace {

using nlohmann::json;

// --- JSON merge patch (RFC 7386) ---

TEST(MergePatchTest, Rfc7386Examples) {
  auto out = applyMergePatch(json::parse(R"({"a":"b","c":{"d":"e","f":"g"}})"),
                             json::parse(R"({"a":"z","c":{"f":null}})"));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, json::parse(R"({"a":"z","c":{"d":"e"}})"));

  // Arrays are replaced, not merged; a new nested object drops its nulls.
  out = applyMergePatch(json::parse(R"({"a":[1,2],"b":1})"),
                        json::parse(R"({"a":[3],"n":{"x":null,"y":1}})"));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, json::parse(R"({"a":[3],"b":1,"n":{"y":1}})"));

  // A scalar target becomes an object.
  out = applyMergePatch(json::parse(R"({"a":"x"})"), json::parse(R"({"a":{"b":"c"}})"));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, json::parse(R"({"a":{"b":"c"}})"));
}

TEST(MergePatchTest, KubectlScaleAndLabel) {
  json deployment = json::parse(R"({"metadata":{"name":"web","labels":{"app":"web","old":"x"}},
                                    "spec":{"replicas":1,"template":{}}})");
  auto scaled = applyMergePatch(deployment, json::parse(R"({"spec":{"replicas":3}})"));
  ASSERT_TRUE(scaled.has_value());
  EXPECT_EQ((*scaled)["spec"]["replicas"], 3);
  EXPECT_EQ((*scaled)["spec"]["template"], json::object());
  auto labelled =
      applyMergePatch(deployment, json::parse(R"({"metadata":{"labels":{"env":"p","old":null}}})"));
  ASSERT_TRUE(labelled.has_value());
  EXPECT_EQ((*labelled)["metadata"]["labels"], json::parse(R"({"app":"web","env":"p"})"));
}

TEST(MergePatchTest, PatchMustBeAnObject) {
  auto out = applyMergePatch(json::object(), json::array());
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(out.error().message(), "merge patch must be a JSON object");
}

// --- JSON patch (RFC 6902) ---

json applyOk(const json& target, std::string_view patch) {
  auto out = applyJsonPatch(target, json::parse(patch));
  EXPECT_TRUE(out.has_value()) << (out ? "" : out.error().message());
  return out ? *out : json();
}

std::string applyError(const json& target, std::string_view patch) {
  auto out = applyJsonPatch(target, json::parse(patch));
  EXPECT_FALSE(out.has_value()) << out->dump();
  if (out) {
    return "";
  }
  EXPECT_EQ(out.error().code(), ErrorCode::kInvalidArgument);
  return out.error().message();
}

TEST(JsonPatchTest, RolloutUndoReplacesTemplateAndAnnotations) {
  json d = json::parse(R"({"metadata":{"name":"web","annotations":{"a":"1"}},
      "spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},
              "spec":{"containers":[{"name":"c","image":"v2"}]}}}})");
  json out = applyOk(d, R"([
    {"op":"replace","path":"/spec/template","value":{"metadata":{"labels":{"app":"web"}},
       "spec":{"containers":[{"name":"c","image":"v1"}]}}},
    {"op":"replace","path":"/metadata/annotations","value":{"a":"1",
       "deployment.kubernetes.io/revision":"3"}}])");
  EXPECT_EQ(out["spec"]["template"]["spec"]["containers"][0]["image"], "v1");
  EXPECT_EQ(out["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "3");
  EXPECT_EQ(out["spec"]["replicas"], 2);
}

TEST(JsonPatchTest, AddRemoveReplaceOnObjectsAndArrays) {
  json doc = json::parse(R"({"a":{"b":1},"list":[1,2,3]})");
  EXPECT_EQ(applyOk(doc, R"([{"op":"add","path":"/a/c","value":null}])"),
            json::parse(R"({"a":{"b":1,"c":null},"list":[1,2,3]})"));
  EXPECT_EQ(applyOk(doc, R"([{"op":"add","path":"/list/1","value":9}])")["list"],
            json::parse("[1,9,2,3]"));
  EXPECT_EQ(applyOk(doc, R"([{"op":"add","path":"/list/-","value":4}])")["list"],
            json::parse("[1,2,3,4]"));
  EXPECT_EQ(applyOk(doc, R"([{"op":"add","path":"/list/3","value":4}])")["list"],
            json::parse("[1,2,3,4]"));
  EXPECT_EQ(applyOk(doc, R"([{"op":"remove","path":"/list/0"}])")["list"], json::parse("[2,3]"));
  EXPECT_EQ(applyOk(doc, R"([{"op":"remove","path":"/a/b"}])")["a"], json::object());
  EXPECT_EQ(applyOk(doc, R"([{"op":"replace","path":"/list/2","value":"x"}])")["list"],
            json::parse(R"([1,2,"x"])"));
  EXPECT_EQ(applyOk(doc, R"([{"op":"replace","path":"","value":[]}])"), json::array());
  // add on an existing key replaces its value.
  EXPECT_EQ(applyOk(doc, R"([{"op":"add","path":"/a","value":5}])")["a"], 5);
}

TEST(JsonPatchTest, MoveCopyAndTest) {
  json doc = json::parse(R"({"a":{"b":1},"list":[1,2,3]})");
  EXPECT_EQ(applyOk(doc, R"([{"op":"move","from":"/a/b","path":"/c"}])"),
            json::parse(R"({"a":{},"c":1,"list":[1,2,3]})"));
  EXPECT_EQ(applyOk(doc, R"([{"op":"move","from":"/list/0","path":"/list/-"}])")["list"],
            json::parse("[2,3,1]"));
  EXPECT_EQ(applyOk(doc, R"([{"op":"copy","from":"/a","path":"/d"}])")["d"],
            json::parse(R"({"b":1})"));
  EXPECT_EQ(applyOk(doc, R"([{"op":"test","path":"/a","value":{"b":1}},
                              {"op":"test","path":"/list/1","value":2}])"),
            doc);
  EXPECT_EQ(applyError(doc, R"([{"op":"test","path":"/a/b","value":2}])"),
            "json patch operation 0 ('test') at path '/a/b': value differs");
  EXPECT_EQ(applyError(doc, R"([{"op":"move","from":"/a","path":"/a/x"}])"),
            "json patch operation 0 ('move') at path '/a/x': cannot move a value into one of its "
            "own children");
}

TEST(JsonPatchTest, PointerEscapes) {
  json doc = json::parse(R"({"metadata":{"annotations":{"a/b":"1","c~d":"2"}}})");
  json out = applyOk(doc, R"([{"op":"replace","path":"/metadata/annotations/a~1b","value":"x"},
                              {"op":"remove","path":"/metadata/annotations/c~0d"},
                              {"op":"add","path":"/metadata/annotations/e~1~0f","value":"y"}])");
  EXPECT_EQ(out["metadata"]["annotations"], json::parse(R"({"a/b":"x","e/~f":"y"})"));
  EXPECT_NE(applyError(doc, R"([{"op":"remove","path":"/metadata/a~2"}])").find("invalid escape"),
            std::string::npos);
}

TEST(JsonPatchTest, ErrorsNameTheOperationAndPath) {
  json doc = json::parse(R"({"spec":{"replicas":1},"list":[1]})");
  EXPECT_EQ(applyError(doc, R"([{"op":"test","path":"/spec/replicas","value":1},
                                {"op":"replace","path":"/spec/x","value":2}])"),
            "json patch operation 1 ('replace') at path '/spec/x': no such key 'x'");
  EXPECT_EQ(applyError(doc, R"([{"op":"remove","path":"/spec/x"}])"),
            "json patch operation 0 ('remove') at path '/spec/x': no such key 'x'");
  EXPECT_EQ(applyError(doc, R"([{"op":"add","path":"/nope/x","value":1}])"),
            "json patch operation 0 ('add') at path '/nope/x': no such key 'nope'");
  EXPECT_EQ(applyError(doc, R"([{"op":"add","path":"/list/5","value":1}])"),
            "json patch operation 0 ('add') at path '/list/5': array index 5 out of range");
  EXPECT_EQ(applyError(doc, R"([{"op":"replace","path":"/list/01","value":1}])"),
            "json patch operation 0 ('replace') at path '/list/01': invalid array index '01'");
  EXPECT_EQ(applyError(doc, R"([{"op":"remove","path":"/list/-"}])"),
            "json patch operation 0 ('remove') at path '/list/-': invalid array index '-'");
  EXPECT_EQ(applyError(doc, R"([{"op":"add","path":"/a"}])"),
            "json patch operation 0 ('add') at path '/a': missing 'value'");
  EXPECT_EQ(applyError(doc, R"([{"op":"frobnicate","path":"/a"}])"),
            "json patch operation 0 ('frobnicate') at path '/a': unknown op 'frobnicate'");
  EXPECT_EQ(applyError(doc, R"([{"op":"add","path":"a","value":1}])"),
            "json patch operation 0 ('add') at path 'a': a JSON pointer must be empty or start "
            "with '/'");
  EXPECT_EQ(applyError(doc, R"([{"op":"add","path":"/spec/replicas/x","value":1}])"),
            "json patch operation 0 ('add') at path '/spec/replicas/x': cannot add to a number");
  EXPECT_EQ(applyError(doc, R"({"op":"add"})"), "json patch must be a JSON array of operations");
}

TEST(JsonPatchTest, AllOrNothing) {
  json doc = json::parse(R"({"a":1})");
  auto out = applyJsonPatch(doc, json::parse(R"([{"op":"replace","path":"/a","value":2},
                                                 {"op":"test","path":"/a","value":1}])"));
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(doc, json::parse(R"({"a":1})"));
}

}  // namespace
}  // namespace berth::apiserver
