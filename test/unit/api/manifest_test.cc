#include <gtest/gtest.h>

#include "api/pod_codec.h"

namespace berth::api {
namespace {

using nlohmann::json;

json one(std::string_view text) {
  auto docs = parseManifest(text);
  EXPECT_TRUE(docs) << docs.error().message();
  if (!docs) {
    return nullptr;
  }
  EXPECT_EQ(docs->size(), 1u);
  return docs->empty() ? json() : docs->front();
}

TEST(ManifestTest, ParsesJson) {
  json doc =
      one(R"({"kind": "Pod", "spec": {"containers": [{"ports": [{"containerPort": 80}]}]}})");
  EXPECT_EQ(doc["kind"], "Pod");
  EXPECT_TRUE(doc["spec"]["containers"][0]["ports"][0]["containerPort"].is_number_integer());
}

TEST(ManifestTest, JsonErrorsNameLineAndColumn) {
  auto r = parseManifest("{\n  \"a\": 1,\n  \"b\": }\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(r.error().message().starts_with("json: parse error at line 3, column 8:"))
      << r.error().message();
}

TEST(ManifestTest, TextStartingWithBraceIsJsonNotYaml) {
  // As in Kubernetes' YAMLOrJSONDecoder: a flow-style YAML document is read as (bad) JSON.
  auto r = parseManifest("{kind: Pod}");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message().starts_with("json: parse error at line 1, column 2:"))
      << r.error().message();
}

TEST(ManifestTest, ConcatenatedJsonValues) {
  auto docs = parseManifest("{\"kind\": \"Pod\"}\n{\"kind\": \"Pod\", \"n\": 2}  ");
  ASSERT_TRUE(docs) << docs.error().message();
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[1]["n"], 2);
  auto bad = parseManifest("{\"kind\": \"Pod\"}\n{\"kind\": }");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().message().starts_with("json: parse error")) << bad.error().message();
}

TEST(ManifestTest, TypesScalarsLikeKubernetes) {
  json doc = one(R"(
int: 80
quoted: "80"
single: '80'
negative: -5
plus: +7
hex: 0x1F
octal: 0755
octalO: 0o17
binary: 0b101
underscore: 1_000
float: 1.5
dotfloat: .5
exp: 1e3
notoctal: 08
big: 18446744073709551615
huge: 99999999999999999999999
bool1: true
bool2: False
yes: yes
no: No
on: on
off: OFF
y: y
n: N
nul: null
tilde: ~
empty:
quotedNull: "null"
quotedTrue: "true"
str: hello world
version: 1.2.3
date: 2020-01-01
ip: 10.0.0.1
colon: "a: b"
literal: |
  line1
  line2
folded: >
  a
  b
tagged: !!str 42
)");
  EXPECT_EQ(doc["int"], json(80));
  EXPECT_EQ(doc["quoted"], json("80"));
  EXPECT_EQ(doc["single"], json("80"));
  EXPECT_EQ(doc["negative"], json(-5));
  EXPECT_EQ(doc["plus"], json(7));
  EXPECT_EQ(doc["hex"], json(31));
  EXPECT_EQ(doc["octal"], json(493));
  EXPECT_EQ(doc["octalO"], json(15));
  EXPECT_EQ(doc["binary"], json(5));
  EXPECT_EQ(doc["underscore"], json(1000));
  EXPECT_EQ(doc["float"], json(1.5));
  EXPECT_EQ(doc["dotfloat"], json(0.5));
  EXPECT_EQ(doc["exp"], json(1000.0));
  EXPECT_TRUE(doc["exp"].is_number_float());
  EXPECT_EQ(doc["notoctal"], json(8.0));
  EXPECT_TRUE(doc["big"].is_number_unsigned());
  EXPECT_EQ(doc["big"].get<uint64_t>(), 18446744073709551615u);
  EXPECT_TRUE(doc["huge"].is_number_float());
  EXPECT_EQ(doc["bool1"], json(true));
  EXPECT_EQ(doc["bool2"], json(false));
  // YAML 1.1 booleans, also as keys ("yes:" is the key "true").
  EXPECT_EQ(doc["true"], json(true));
  EXPECT_EQ(doc["false"], json(false));
  EXPECT_FALSE(doc.contains("yes"));
  EXPECT_EQ(doc["nul"], json(nullptr));
  EXPECT_EQ(doc["tilde"], json(nullptr));
  EXPECT_EQ(doc["empty"], json(nullptr));
  EXPECT_EQ(doc["quotedNull"], json("null"));
  EXPECT_EQ(doc["quotedTrue"], json("true"));
  EXPECT_EQ(doc["str"], json("hello world"));
  EXPECT_EQ(doc["version"], json("1.2.3"));
  EXPECT_EQ(doc["date"], json("2020-01-01"));  // go-yaml v2 keeps timestamps as strings
  EXPECT_EQ(doc["ip"], json("10.0.0.1"));
  EXPECT_EQ(doc["colon"], json("a: b"));
  EXPECT_EQ(doc["literal"], json("line1\nline2\n"));
  EXPECT_EQ(doc["folded"], json("a b\n"));
  EXPECT_EQ(doc["tagged"], json("42"));
}

TEST(ManifestTest, YamlOneOneBooleansAsMapValuesAndKeys) {
  // The ambiguity behind `value: yes` failing in kubectl: it is a boolean, not a string.
  json doc = one("env:\n- name: A\n  value: yes\n1: one\n");
  EXPECT_EQ(doc["env"][0]["value"], json(true));
  EXPECT_EQ(doc["1"], json("one"));
}

TEST(ManifestTest, InfinityIsRejected) {
  auto r = parseManifest("a: .inf\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "json: unsupported value: .inf");
}

TEST(ManifestTest, MultipleDocumentsSkippingEmptyOnes) {
  auto docs = parseManifest(R"(---
kind: Pod
metadata: {name: a}
---
# just a comment
---
kind: Pod
metadata:
  name: b
...
---
)");
  ASSERT_TRUE(docs) << docs.error().message();
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[0]["metadata"]["name"], "a");
  EXPECT_EQ((*docs)[1]["metadata"]["name"], "b");
  auto none = parseManifest("# nothing\n");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(parseManifest("")->empty());
}

TEST(ManifestTest, AnchorsAliasesAndMergeKeys) {
  json doc = one(R"(
base: &base
  image: busybox
  imagePullPolicy: Never
c1:
  <<: *base
  name: one
  image: override
list: [*base, *base]
)");
  EXPECT_EQ(doc["c1"],
            json::parse(R"({"image":"override","imagePullPolicy":"Never","name":"one"})"));
  EXPECT_EQ(doc["list"][1]["image"], "busybox");
}

TEST(ManifestTest, YamlErrorsNameLineAndColumn) {
  auto r = parseManifest("kind: Pod\nmetadata:\n  name: a: b\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "yaml: line 3, column 10: illegal map value");

  auto bad = parseManifest("a:\n  - b\n c: d\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "yaml: line 3, column 2: end of map not found");

  auto unterminated = parseManifest("a: [1, 2\n");
  ASSERT_FALSE(unterminated);
  EXPECT_EQ(unterminated.error().message(),
            "yaml: line 2, column 1: end of sequence flow not found");

  auto alias = parseManifest("a: &x 1\nb: *y\n");
  ASSERT_FALSE(alias);
  EXPECT_EQ(alias.error().message(),
            "yaml: line 2, column 4: the referenced anchor is not defined");
}

TEST(ManifestTest, AliasBombIsRefused) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; i++) {
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; j++) {
      text += (j ? ", *a" : "*a") + std::to_string(i - 1);
    }
    text += "]\n";
  }
  auto r = parseManifest(text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "yaml: document too large after alias expansion");
}

}  // namespace
}  // namespace berth::api
