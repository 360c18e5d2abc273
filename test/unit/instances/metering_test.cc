#include "instances/metering.h"

#include <gtest/gtest.h>

#include "instances/meter_record.h"

namespace berth::instances {
namespace {

constexpr Millis kT0 = 1'790'000'000'000;  // 2026-09-22T...Z, a whole second
constexpr Millis kSecond = 1000;

MeterInterval interval(const std::string& name, double vcpu, double gb, Millis start,
                       std::optional<Millis> end, const std::string& rg = "rg") {
  MeterInterval i;
  i.subscriptionId = "sub";
  i.resourceGroup = rg;
  i.containerGroup = name;
  i.vcpu = vcpu;
  i.memoryInGB = gb;
  i.start = start;
  i.end = end;
  return i;
}

TEST(MeteringTest, ClosedIntervalInsideTheRange) {
  PriceTable prices;
  auto report = computeUsage({interval("web", 2, 1.5, kT0 + 1500, kT0 + 4000)}, kT0,
                             kT0 + 100 * kSecond, kT0 + 200 * kSecond, prices);
  ASSERT_EQ(report.groups.size(), 1u);
  const GroupUsage& g = report.groups[0];
  EXPECT_EQ(g.name, "web");
  EXPECT_DOUBLE_EQ(g.seconds, 2.5);
  EXPECT_DOUBLE_EQ(g.vcpuSeconds, 5.0);
  EXPECT_DOUBLE_EQ(g.gbSeconds, 3.75);
  EXPECT_DOUBLE_EQ(g.cost, 5.0 * 0.0000113 + 3.75 * 0.0000012);
  EXPECT_FALSE(g.running);
  EXPECT_DOUBLE_EQ(report.total.vcpuSeconds, 5.0);
  EXPECT_DOUBLE_EQ(report.total.cost, g.cost);
}

TEST(MeteringTest, IntervalsAreClippedToTheRange) {
  // [t0-10s, t0+10s) within [t0, t0+4s): 4 s; [t0+3s, t0+20s) gives 1 s.
  auto report = computeUsage({interval("a", 1, 1, kT0 - 10 * kSecond, kT0 + 10 * kSecond),
                              interval("b", 1, 2, kT0 + 3 * kSecond, kT0 + 20 * kSecond)},
                             kT0, kT0 + 4 * kSecond, kT0 + 60 * kSecond, {});
  ASSERT_EQ(report.groups.size(), 2u);
  EXPECT_DOUBLE_EQ(report.groups[0].vcpuSeconds, 4.0);
  EXPECT_DOUBLE_EQ(report.groups[1].vcpuSeconds, 1.0);
  EXPECT_DOUBLE_EQ(report.groups[1].gbSeconds, 2.0);
  EXPECT_DOUBLE_EQ(report.total.vcpuSeconds, 5.0);
}

TEST(MeteringTest, IntervalsOutsideTheRangeAreLeftOut) {
  auto report = computeUsage({interval("old", 1, 1, kT0 - 10 * kSecond, kT0 - kSecond),
                              interval("edge", 1, 1, kT0 - kSecond, kT0)},
                             kT0, kT0 + kSecond, kT0 + kSecond, {});
  EXPECT_TRUE(report.groups.empty());
  EXPECT_DOUBLE_EQ(report.total.cost, 0);
}

TEST(MeteringTest, OpenIntervalsEndNow) {
  auto report = computeUsage({interval("web", 0.5, 2, kT0, std::nullopt)}, kT0, kT0 + 100 * kSecond,
                             kT0 + 3250, {});
  ASSERT_EQ(report.groups.size(), 1u);
  EXPECT_TRUE(report.groups[0].running);
  EXPECT_DOUBLE_EQ(report.groups[0].seconds, 3.25);
  EXPECT_DOUBLE_EQ(report.groups[0].vcpuSeconds, 1.625);
  EXPECT_DOUBLE_EQ(report.groups[0].gbSeconds, 6.5);

  // `to` before now clips the open interval too.
  auto clipped = computeUsage({interval("web", 1, 1, kT0, std::nullopt)}, kT0, kT0 + kSecond,
                              kT0 + 10 * kSecond, {});
  EXPECT_DOUBLE_EQ(clipped.groups[0].vcpuSeconds, 1.0);

  // An open interval that starts after the range is listed (running) with no usage.
  auto later = computeUsage({interval("web", 1, 1, kT0 + 5 * kSecond, std::nullopt)}, kT0,
                            kT0 + kSecond, kT0 + 10 * kSecond, {});
  ASSERT_EQ(later.groups.size(), 1u);
  EXPECT_TRUE(later.groups[0].running);
  EXPECT_DOUBLE_EQ(later.groups[0].vcpuSeconds, 0);
}

TEST(MeteringTest, StoppedGroupCostsNothingBetweenItsIntervals) {
  // Ran 10 s, stopped 100 s, ran 5 s more: 15 s billed, not 115.
  auto report = computeUsage({interval("web", 2, 4, kT0, kT0 + 10 * kSecond),
                              interval("WEB", 2, 4, kT0 + 110 * kSecond, kT0 + 115 * kSecond)},
                             kT0 - kSecond, kT0 + 1000 * kSecond, kT0 + 1000 * kSecond, {});
  ASSERT_EQ(report.groups.size(), 1u);  // names compare case-insensitively
  EXPECT_EQ(report.groups[0].name, "web");
  EXPECT_DOUBLE_EQ(report.groups[0].seconds, 15.0);
  EXPECT_DOUBLE_EQ(report.groups[0].vcpuSeconds, 30.0);
  EXPECT_DOUBLE_EQ(report.groups[0].gbSeconds, 60.0);
  EXPECT_FALSE(report.groups[0].running);
}

TEST(MeteringTest, GroupsAreKeptApartAndSortedAndPriced) {
  PriceTable prices{"EUR", 0.5, 0.25};
  auto report = computeUsage({interval("zeta", 1, 1, kT0, kT0 + kSecond, "rg-a"),
                              interval("alpha", 1, 2, kT0, kT0 + 2 * kSecond, "rg-b"),
                              interval("alpha", 1, 1, kT0, kT0 + kSecond, "rg-a")},
                             kT0, kT0 + 10 * kSecond, kT0 + 10 * kSecond, prices);
  ASSERT_EQ(report.groups.size(), 3u);
  EXPECT_EQ(report.groups[0].resourceGroup + "/" + report.groups[0].name, "rg-a/alpha");
  EXPECT_EQ(report.groups[1].resourceGroup + "/" + report.groups[1].name, "rg-a/zeta");
  EXPECT_EQ(report.groups[2].resourceGroup + "/" + report.groups[2].name, "rg-b/alpha");
  EXPECT_DOUBLE_EQ(report.groups[2].cost, 2 * 0.5 + 4 * 0.25);
  EXPECT_DOUBLE_EQ(report.total.cost, 0.75 + 0.75 + 2.0);

  auto body = usageJson(report, prices);
  EXPECT_EQ(body["currency"], "EUR");
  EXPECT_EQ(body["prices"]["vcpuSecond"], 0.5);
  EXPECT_EQ(body["from"], rfc3339Millis(kT0));
  ASSERT_EQ(body["value"].size(), 3u);
  EXPECT_EQ(body["value"][2]["id"],
            "/subscriptions/sub/resourceGroups/rg-b/providers/Microsoft.ContainerInstance/"
            "containerGroups/alpha");
  EXPECT_EQ(body["value"][2]["vcpuSeconds"], 2.0);
  EXPECT_EQ(body["value"][2]["running"], false);
  EXPECT_EQ(body["total"]["cost"], 3.5);
}

TEST(MeteringTest, MillisecondResolution) {
  auto report = computeUsage({interval("web", 1, 1, kT0 + 1, kT0 + 2)}, kT0, kT0 + kSecond,
                             kT0 + kSecond, {});
  EXPECT_DOUBLE_EQ(report.groups[0].vcpuSeconds, 0.001);
}

TEST(MeteringTest, TimestampsRoundTripWithMilliseconds) {
  EXPECT_EQ(rfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339Millis(kT0 + 123), rfc3339Millis(kT0).substr(0, 20) + "123Z");
  EXPECT_EQ(parseRfc3339Millis(rfc3339Millis(kT0 + 7)), kT0 + 7);
  EXPECT_EQ(parseRfc3339Millis("1970-01-01T00:00:01Z"), 1000);
  EXPECT_EQ(parseRfc3339Millis("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(parseRfc3339Millis("1970-01-01T00:00:01.123456789Z"), 1123);
  EXPECT_EQ(parseRfc3339Millis("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(parseRfc3339Millis("1970-01-01T00:00:00-00:30"), 30 * 60 * 1000);
  EXPECT_FALSE(parseRfc3339Millis(""));
  EXPECT_FALSE(parseRfc3339Millis("yesterday"));
  EXPECT_FALSE(parseRfc3339Millis("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parseRfc3339Millis("2026-01-01T00:00:00"));
  EXPECT_FALSE(parseRfc3339Millis("2026-01-01T00:00:00.Z"));
  EXPECT_FALSE(parseRfc3339Millis("2026-01-01T00:00:00Zjunk"));
}

TEST(PriceTableTest, DefaultIsAciLinuxPayAsYouGo) {
  PriceTable table;
  EXPECT_EQ(table.currency, "USD");
  EXPECT_DOUBLE_EQ(table.vcpuSecond, 0.0000113);
  EXPECT_DOUBLE_EQ(table.gbSecond, 0.0000012);
}

TEST(PriceTableTest, ParsesAndKeepsDefaultsForMissingFields) {
  auto table = parsePriceTable(R"({"currency":"EUR","vcpuSecond":0.00001,"gbSecond":0})");
  ASSERT_TRUE(table) << table.error().message();
  EXPECT_EQ(*table, (PriceTable{"EUR", 0.00001, 0}));
  auto partial = parsePriceTable(R"({"gbSecond":2})");
  ASSERT_TRUE(partial);
  EXPECT_EQ(*partial, (PriceTable{"USD", 0.0000113, 2}));
  auto empty = parsePriceTable("{}");
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, PriceTable{});
}

TEST(PriceTableTest, ErrorsNameTheField) {
  auto message = [](std::string_view text) {
    auto table = parsePriceTable(text);
    return table ? std::string("ok") : table.error().message();
  };
  EXPECT_EQ(message(R"({"vcpuSecond":"cheap"})"),
            "price table: field 'vcpuSecond' must be a number >= 0");
  EXPECT_EQ(message(R"({"gbSecond":-1})"), "price table: field 'gbSecond' must be a number >= 0");
  EXPECT_EQ(message(R"({"currency":""})"),
            "price table: field 'currency' must be a non-empty string");
  EXPECT_EQ(message(R"({"vcpu":1})"), "price table: unknown field 'vcpu'");
  EXPECT_EQ(message("[1]"), "price table: must be a JSON object");
  EXPECT_EQ(message("{"), "price table: not valid JSON");
}

TEST(PriceTableTest, LoadNamesTheFile) {
  auto missing = loadPriceTable("/nonexistent/prices.json");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("/nonexistent/prices.json"), std::string::npos);
}

TEST(MeterRecordTest, ObjectRoundTripAndClose) {
  MeterInterval i = interval("Web", 1.5, 3, kT0 + 12, std::nullopt, "My-RG");
  auto record = meterRecordObject("ns1", "web", i, "westeurope");
  EXPECT_EQ(record["kind"], "MeterRecord");
  EXPECT_EQ(record["metadata"]["name"], "web-" + std::to_string(kT0 + 12));
  EXPECT_EQ(record["metadata"]["labels"][kMeterStateLabel], "open");
  EXPECT_FALSE(record["metadata"].contains("ownerReferences"));
  EXPECT_EQ(record["spec"]["location"], "westeurope");
  EXPECT_EQ(meterRecordGroup(record), "web");
  EXPECT_TRUE(isOpenMeterRecord(record));
  auto read = readMeterRecord(record);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->containerGroup, "Web");
  EXPECT_EQ(read->resourceGroup, "My-RG");
  EXPECT_EQ(read->start, kT0 + 12);
  EXPECT_FALSE(read->end);

  // An end before the start is clamped to it.
  EXPECT_TRUE(closeMeterRecord(record, kT0, kMeterEndStopped));
  EXPECT_FALSE(isOpenMeterRecord(record));
  EXPECT_EQ(record["spec"]["endReason"], "Stopped");
  EXPECT_EQ(record["metadata"]["labels"][kMeterStateLabel], "closed");
  EXPECT_EQ(readMeterRecord(record)->end, kT0 + 12);
  // Closing twice changes nothing.
  nlohmann::json before = record;
  EXPECT_FALSE(closeMeterRecord(record, kT0 + 99 * kSecond, kMeterEndDeleted));
  EXPECT_EQ(record, before);
}

TEST(MeterRecordTest, ReadErrorsNameTheField) {
  auto record = meterRecordObject("ns1", "web", interval("web", 1, 1, kT0, std::nullopt), "l");
  record["spec"]["vcpu"] = -1;
  EXPECT_EQ(readMeterRecord(record).error().message(),
            "meter record: field 'spec.vcpu' must be a number >= 0");
  record["spec"]["vcpu"] = 1;
  record["spec"]["start"] = "soon";
  EXPECT_EQ(readMeterRecord(record).error().message(),
            "meter record: field 'spec.start' must be an RFC 3339 timestamp");
  record["spec"]["start"] = rfc3339Millis(kT0);
  record["spec"]["end"] = rfc3339Millis(kT0 - 1);
  EXPECT_EQ(readMeterRecord(record).error().message(),
            "meter record: field 'spec.end' must not be before 'spec.start'");
  record["spec"].erase("containerGroup");
  EXPECT_FALSE(readMeterRecord(record));
}

}  // namespace
}  // namespace berth::instances
