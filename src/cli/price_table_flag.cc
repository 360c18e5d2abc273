#include "cli/price_table_flag.h"

#include "instances/metering.h"

namespace berth::cli {

void addPriceTableFlag(CLI::App& cmd, apiserver::ArmOptions& options) {
  cmd.add_option_function<std::string>(
      "--price-table",
      [&options](const std::string& file) {
        auto table = instances::loadPriceTable(file);
        if (!table) {
          throw CLI::ValidationError("--price-table", table.error().message());
        }
        options.prices = *table;
      },
      "JSON price table of metered usage: {\"currency\":\"USD\",\"vcpuSecond\":N,"
      "\"gbSecond\":N} (default: ACI Linux pay-as-you-go, 0.0000113 per vCPU-second and "
      "0.0000012 per GB-second)");
}

}  // namespace berth::cli
