#pragma once

// A wake-up signal for coroutines on one executor (a connection's strand): one side set()s,
// the others wait (optionally with a timeout). Used to wait for "a log file changed, or the
// client went away, or a second passed" without threads.
//
// Thread safety: every member must be called on the executor given to the constructor; from
// another thread, asio::post a call to set() (keeping the Event alive).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <list>

namespace berth::http {

class Event {
 public:
  explicit Event(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  // Marks the event set and wakes every waiter.
  void set();
  // Clears the event (it stays set until reset).
  void reset() { set_ = false; }
  bool isSet() const { return set_; }

  // Returns once the event is set (immediately if it already is).
  boost::asio::awaitable<void> wait();
  // Like wait(), but gives up after `timeout`. Returns whether the event is set.
  boost::asio::awaitable<bool> waitFor(std::chrono::milliseconds timeout);

 private:
  boost::asio::any_io_executor executor_;
  bool set_ = false;
  std::list<boost::asio::steady_timer*> waiters_;
};

}  // namespace berth::http
