#pragma once

// Test helper: a minimal HTTP/1.1 server on a free loopback port, one thread per connection
// (clients keep connections alive), answering every request with a handler. Used as a fake
// registry and token server where the real docker-registry cannot do what a test needs
// (bearer tokens, corrupted blobs).

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace berth::image::testing {

struct HttpCall {
  std::string method;
  std::string target;                          // path and query
  std::map<std::string, std::string> headers;  // lowercased names
  std::string path() const { return target.substr(0, target.find('?')); }
};

struct HttpReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class FakeHttpServer {
 public:
  using Handler = std::function<HttpReply(const HttpCall&)>;

  explicit FakeHttpServer(Handler handler) : handler_(std::move(handler)) {
    listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(listen_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(listen_, 16);
    acceptor_ = std::thread([this] { acceptLoop(); });
  }

  ~FakeHttpServer() {
    stopping_ = true;
    acceptor_.join();
    {
      std::lock_guard lock(mu_);
      for (int fd : conns_) {
        ::shutdown(fd, SHUT_RDWR);
      }
    }
    for (auto& t : workers_) {
      t.join();
    }
    for (int fd : conns_) {
      ::close(fd);
    }
    ::close(listen_);
  }

  std::string address() const { return fmt::format("127.0.0.1:{}", port_); }
  int requests() const { return requests_.load(); }

 private:
  void acceptLoop() {
    while (!stopping_) {
      pollfd p{listen_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) {
        continue;
      }
      int fd = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        continue;
      }
      std::lock_guard lock(mu_);
      conns_.push_back(fd);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    std::string buf;
    char chunk[8192];
    while (true) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::read(fd, chunk, sizeof(chunk));
        if (n <= 0) {
          return;  // the destructor closes it
        }
        buf.append(chunk, static_cast<size_t>(n));
        if (buf[0] == 0x16) {  // a TLS ClientHello: hang up, as a plain HTTP server would
          ::shutdown(fd, SHUT_RDWR);
          return;
        }
      }
      std::string head = buf.substr(0, end);
      buf.erase(0, end + 4);
      HttpCall call;
      size_t lineEnd = head.find("\r\n");
      std::string line = head.substr(0, lineEnd);
      size_t sp1 = line.find(' ');
      size_t sp2 = line.find(' ', sp1 + 1);
      call.method = line.substr(0, sp1);
      call.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
      size_t pos = lineEnd == std::string::npos ? head.size() : lineEnd + 2;
      while (pos < head.size()) {
        size_t e = head.find("\r\n", pos);
        std::string h = head.substr(pos, e == std::string::npos ? std::string::npos : e - pos);
        size_t colon = h.find(':');
        if (colon != std::string::npos) {
          std::string name = h.substr(0, colon);
          for (char& c : name) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          }
          std::string value = h.substr(colon + 1);
          value.erase(0, value.find_first_not_of(' '));
          auto& slot = call.headers[name];
          slot = slot.empty() ? value : slot + ", " + value;
        }
        pos = e == std::string::npos ? head.size() : e + 2;
      }
      requests_++;
      HttpReply reply = handler_(call);
      std::string out =
          fmt::format("HTTP/1.1 {} X\r\nContent-Length: {}\r\n", reply.status, reply.body.size());
      for (const auto& [k, v] : reply.headers) {
        out += k + ": " + v + "\r\n";
      }
      out += "\r\n";
      if (call.method != "HEAD") {
        out += reply.body;
      }
      size_t off = 0;
      while (off < out.size()) {
        ssize_t n = ::write(fd, out.data() + off, out.size() - off);
        if (n <= 0) {
          return;  // the destructor closes it
        }
        off += static_cast<size_t>(n);
      }
    }
  }

  Handler handler_;
  int listen_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> conns_;
  std::vector<std::thread> workers_;
};

}  // namespace berth::image::testing
