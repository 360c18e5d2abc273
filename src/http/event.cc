#include "http/event.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace berth::http {

namespace asio = boost::asio;

void Event::set() {
  set_ = true;
  for (asio::steady_timer* timer : waiters_) {
    timer->cancel();
  }
}

asio::awaitable<void> Event::wait() {
  while (!set_) {
    co_await waitFor(std::chrono::hours(24));
  }
}

asio::awaitable<bool> Event::waitFor(std::chrono::milliseconds timeout) {
  if (set_) {
    co_return true;
  }
  asio::steady_timer timer(executor_, timeout);
  auto it = waiters_.insert(waiters_.end(), &timer);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  waiters_.erase(it);
  co_return set_;
}

}  // namespace berth::http
