// GET /stats/summary: see node_server.h and stats_summary.h.

#include "agent/node_server.h"

namespace berth::agent {

boost::asio::awaitable<void> handleStatsSummary(http::Context& ctx, const StatsProvider& stats) {
  if (!stats) {
    co_await ctx.respondStatus(404, "stats are not available on this node");
    co_return;
  }
  // A few small cgroup and /proc files per container: quick enough for an io thread.
  auto summary = stats();
  if (!summary) {
    co_await ctx.respondError(summary.error());
    co_return;
  }
  std::string body = summary->dump();
  co_await ctx.respond(200, "application/json", std::move(body));
}

}  // namespace berth::agent
