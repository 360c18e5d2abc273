#include "api/selector.h"

#include <gtest/gtest.h>

#include <set>

namespace berth::api {
namespace {

using Labels = std::map<std::string, std::string>;

LabelSelector parsed(std::string_view text) {
  auto s = LabelSelector::parse(text);
  EXPECT_TRUE(s.has_value()) << text << ": " << (s ? "" : s.error().message());
  return s ? *s : LabelSelector::nothing();
}

std::string parseError(std::string_view text) {
  auto s = LabelSelector::parse(text);
  EXPECT_FALSE(s.has_value()) << text << " parsed as " << (s ? s->toString() : "");
  if (s) {
    return "";
  }
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
  return s.error().message();
}

TEST(LabelSelectorTest, EmptySelectorMatchesEverything) {
  auto s = parsed("");
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.matches({}));
  EXPECT_TRUE(s.matches({{"app", "web"}}));
  EXPECT_EQ(s.toString(), "");
  EXPECT_TRUE(parsed("   ").empty());
}

TEST(LabelSelectorTest, EqualityOperators) {
  Labels web = {{"app", "web"}, {"tier", "front"}};
  Labels db = {{"app", "db"}};
  EXPECT_TRUE(parsed("app=web").matches(web));
  EXPECT_FALSE(parsed("app=web").matches(db));
  EXPECT_FALSE(parsed("app=web").matches({}));
  EXPECT_TRUE(parsed("app==web").matches(web));
  EXPECT_FALSE(parsed("app!=web").matches(web));
  EXPECT_TRUE(parsed("app!=web").matches(db));
  EXPECT_TRUE(parsed("app!=web").matches({}));  // != is also true for a missing label
  EXPECT_TRUE(parsed("app=web,tier=front").matches(web));
  EXPECT_FALSE(parsed("app=web,tier=back").matches(web));
  EXPECT_TRUE(parsed("tier=").matches({{"tier", ""}}));
  EXPECT_FALSE(parsed("tier=").matches({}));
}

TEST(LabelSelectorTest, SetOperatorsAndExistence) {
  Labels web = {{"env", "prod"}, {"app", "web"}};
  EXPECT_TRUE(parsed("env in (prod, dev)").matches(web));
  EXPECT_FALSE(parsed("env in (qa,dev)").matches(web));
  EXPECT_FALSE(parsed("env in (prod)").matches({}));
  EXPECT_TRUE(parsed("env notin (qa)").matches(web));
  EXPECT_FALSE(parsed("env notin (prod)").matches(web));
  EXPECT_TRUE(parsed("env notin (prod)").matches({}));
  EXPECT_TRUE(parsed("app").matches(web));
  EXPECT_FALSE(parsed("canary").matches(web));
  EXPECT_TRUE(parsed("!canary").matches(web));
  EXPECT_FALSE(parsed("!app").matches(web));
  EXPECT_TRUE(parsed(" app , !canary ,env in ( prod ) ").matches(web));
  // `in` and `notin` are values (and keys) when they stand where those belong.
  EXPECT_TRUE(parsed("x in (in,notin)").matches({{"x", "notin"}}));
  EXPECT_TRUE(parsed("in=1").matches({{"in", "1"}}));
  // Empty values inside a set.
  EXPECT_TRUE(parsed("x in (a,,b)").matches({{"x", ""}}));
  EXPECT_TRUE(parsed("x in ()").matches({{"x", ""}}));
}

TEST(LabelSelectorTest, GreaterAndLessThan) {
  EXPECT_TRUE(parsed("replicas>3").matches({{"replicas", "4"}}));
  EXPECT_FALSE(parsed("replicas>3").matches({{"replicas", "3"}}));
  EXPECT_FALSE(parsed("replicas>3").matches({{"replicas", "many"}}));
  EXPECT_TRUE(parsed("replicas<3").matches({{"replicas", "-1"}}));
  EXPECT_FALSE(parsed("replicas<3").matches({}));
  EXPECT_NE(parseError("replicas>three").find("the value must be an integer"), std::string::npos);
}

TEST(LabelSelectorTest, RendersCanonicalForm) {
  EXPECT_EQ(parsed("tier=front,app=web").toString(), "app=web,tier=front");
  EXPECT_EQ(parsed("app==web").toString(), "app==web");
  EXPECT_EQ(parsed("env in (b, a, b),!canary,x notin (z)").toString(),
            "!canary,env in (a,b),x notin (z)");
  EXPECT_EQ(parsed("a , b!=c").toString(), "a,b!=c");
  // The rendering parses back to the same selector.
  auto s = parsed("k8s.io/app in (x,y),z,!w,v!=1,n>2");
  EXPECT_EQ(parsed(s.toString()).requirements(), s.requirements());
}

TEST(LabelSelectorTest, RejectsMalformedSelectors) {
  EXPECT_EQ(parseError("app=web,"), "found '', expected: identifier after ','");
  EXPECT_EQ(parseError("app=web tier=front"), "found 'tier', expected: ',' or 'end of string'");
  EXPECT_EQ(parseError(",app"), "found ',', expected: !, identifier, or 'end of string'");
  EXPECT_EQ(parseError("x in a"), "unable to parse requirement: found 'a' expected: '('");
  EXPECT_EQ(parseError("x in (a"), "unable to parse requirement: found '', expected: ',' or ')'");
  EXPECT_EQ(parseError("x in (a b)"),
            "unable to parse requirement: found 'b', expected: ',' or ')'");
  EXPECT_EQ(parseError("x foo y"),
            "unable to parse requirement: found 'foo', expected: in, notin, =, ==, !=, gt, lt");
  EXPECT_EQ(parseError("!"), "unable to parse requirement: found '', expected: identifier");
  EXPECT_EQ(parseError("x=a=b"), "found '=', expected: ',' or 'end of string'");
  EXPECT_EQ(parseError("x=(a)"), "unable to parse requirement: found '(', expected: identifier");
}

TEST(LabelSelectorTest, ValidatesKeysAndValues) {
  std::string badKey = parseError("Bad_Key_=x");
  EXPECT_EQ(badKey.rfind("unable to parse requirement: key: Invalid value: \"Bad_Key_\": ", 0), 0u)
      << badKey;
  std::string badValue = parseError("app=-web");
  EXPECT_EQ(badValue.rfind("unable to parse requirement: values[0][app]: Invalid value: \"-web\": "
                           "a valid label must be an empty string",
                           0),
            0u)
      << badValue;
  EXPECT_NE(parseError(std::string(64, 'a') + "=b").find("must be no more than 63 characters"),
            std::string::npos);
  EXPECT_TRUE(LabelSelector::parse("example.com/app=web").has_value());
  EXPECT_FALSE(LabelSelector::parse("example.com/=web").has_value());
}

TEST(LabelSelectorTest, FromJsonLabelSelector) {
  auto s = LabelSelector::fromJson(nlohmann::json::parse(R"({
    "matchLabels": {"app": "web"},
    "matchExpressions": [
      {"key": "tier", "operator": "In", "values": ["front", "edge"]},
      {"key": "env", "operator": "NotIn", "values": ["qa"]},
      {"key": "canary", "operator": "DoesNotExist"},
      {"key": "team", "operator": "Exists"}
    ]})"));
  ASSERT_TRUE(s.has_value()) << s.error().message();
  EXPECT_EQ(s->toString(), "app=web,!canary,env notin (qa),team,tier in (edge,front)");
  EXPECT_TRUE(s->matches({{"app", "web"}, {"tier", "edge"}, {"team", "a"}}));
  EXPECT_FALSE(s->matches({{"app", "web"}, {"tier", "edge"}, {"team", "a"}, {"canary", "1"}}));
  EXPECT_FALSE(s->matches({{"app", "web"}, {"tier", "back"}, {"team", "a"}}));

  // Scale.status.selector of a Deployment is the string of spec.selector.
  auto deployment = LabelSelector::fromJson({{"matchLabels", {{"app", "web"}}}});
  ASSERT_TRUE(deployment.has_value());
  EXPECT_EQ(deployment->toString(), "app=web");

  auto everything = LabelSelector::fromJson(nlohmann::json::object());
  ASSERT_TRUE(everything.has_value());
  EXPECT_TRUE(everything->empty());
  EXPECT_TRUE(everything->matches({{"x", "y"}}));

  auto nothing = LabelSelector::fromJson(nullptr);
  ASSERT_TRUE(nothing.has_value());
  EXPECT_TRUE(nothing->matchesNothing());
  EXPECT_FALSE(nothing->matches({}));
}

TEST(LabelSelectorTest, FromJsonRejectsBadExpressions) {
  auto badOp = LabelSelector::fromJson(nlohmann::json::parse(
      R"({"matchExpressions":[{"key":"a","operator":"Equals","values":["b"]}]})"));
  ASSERT_FALSE(badOp.has_value());
  EXPECT_EQ(badOp.error().message(), "\"Equals\" is not a valid label selector operator");

  auto noValues = LabelSelector::fromJson(
      nlohmann::json::parse(R"({"matchExpressions":[{"key":"a","operator":"In","values":[]}]})"));
  ASSERT_FALSE(noValues.has_value());
  EXPECT_NE(noValues.error().message().find("values set can't be empty"), std::string::npos);

  auto valuesOnExists = LabelSelector::fromJson(nlohmann::json::parse(
      R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})"));
  ASSERT_FALSE(valuesOnExists.has_value());
  EXPECT_NE(valuesOnExists.error().message().find("values set must be empty"), std::string::npos);

  EXPECT_FALSE(LabelSelector::fromJson({{"matchLabels", {{"bad key", "x"}}}}).has_value());
  EXPECT_FALSE(LabelSelector::fromJson({{"matchLabels", {{"a", 1}}}}).has_value());
  EXPECT_FALSE(LabelSelector::fromJson("app=web").has_value());
}

TEST(LabelSelectorTest, FromLabels) {
  auto s = LabelSelector::fromLabels({{"tier", "front"}, {"app", "web"}});
  EXPECT_EQ(s.toString(), "app=web,tier=front");
  EXPECT_TRUE(s.matches({{"app", "web"}, {"tier", "front"}, {"x", "y"}}));
  EXPECT_FALSE(s.matches({{"app", "web"}}));
  EXPECT_TRUE(LabelSelector::fromLabels({}).matches({}));
}

// --- field selectors ---

TEST(FieldSelectorTest, ParsesAndMatches) {
  auto s = FieldSelector::parse("metadata.name=web,status.phase!=Running,spec.nodeName==n1");
  ASSERT_TRUE(s.has_value()) << s.error().message();
  std::map<std::string, std::string> fields = {
      {"metadata.name", "web"}, {"status.phase", "Pending"}, {"spec.nodeName", "n1"}};
  EXPECT_TRUE(s->matches(fields));
  fields["status.phase"] = "Running";
  EXPECT_FALSE(s->matches(fields));
  EXPECT_EQ(s->fieldNames(),
            (std::vector<std::string>{"metadata.name", "spec.nodeName", "status.phase"}));
  EXPECT_EQ(s->requiredValue("metadata.name"), "web");
  EXPECT_EQ(s->requiredValue("status.phase"), std::nullopt);
  EXPECT_EQ(s->toString(), "metadata.name=web,spec.nodeName=n1,status.phase!=Running");
}

TEST(FieldSelectorTest, EmptyValueMatchesEmptyOrMissingField) {
  auto s = FieldSelector::parse("involvedObject.namespace=");
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->matches({}));
  EXPECT_TRUE(s->matches({{"involvedObject.namespace", ""}}));
  EXPECT_FALSE(s->matches({{"involvedObject.namespace", "default"}}));

  auto unscheduled = FieldSelector::parse("spec.nodeName!=");
  ASSERT_TRUE(unscheduled.has_value());
  EXPECT_FALSE(unscheduled->matches({}));
  EXPECT_TRUE(unscheduled->matches({{"spec.nodeName", "n1"}}));
}

TEST(FieldSelectorTest, EmptySelectorAndEmptyTerms) {
  auto s = FieldSelector::parse("");
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->empty());
  EXPECT_TRUE(s->matches({{"a", "b"}}));
  auto t = FieldSelector::parse("a=b,,");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->requirements().size(), 1u);
}

TEST(FieldSelectorTest, EscapedValues) {
  auto s = FieldSelector::parse(R"(metadata.name=a\,b\=c\\d)");
  ASSERT_TRUE(s.has_value()) << s.error().message();
  EXPECT_TRUE(s->matches({{"metadata.name", R"(a,b=c\d)"}}));
  EXPECT_EQ(s->toString(), R"(metadata.name=a\,b\=c\\d)");
  auto bad = FieldSelector::parse(R"(a=b\x)");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message(), R"(invalid field selector: invalid escape sequence: \x)");
  EXPECT_FALSE(FieldSelector::parse("a=b=c").has_value());
}

TEST(FieldSelectorTest, RejectsTermsWithoutOperator) {
  auto s = FieldSelector::parse("metadata.name");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.error().message(),
            "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
}

TEST(FieldSelectorTest, ReportsUnsupportedFieldNames) {
  // The API server compares fieldNames() with what a kind supports.
  auto s = FieldSelector::parse("spec.nodeName=n1,spec.foo=x");
  ASSERT_TRUE(s.has_value());
  std::set<std::string> supported = {"metadata.name", "metadata.namespace", "spec.nodeName"};
  std::vector<std::string> unsupported;
  for (const auto& f : s->fieldNames()) {
    if (!supported.contains(f)) {
      unsupported.push_back(f);
    }
  }
  EXPECT_EQ(unsupported, std::vector<std::string>{"spec.foo"});
}

}  // namespace
}  // namespace berth::api
