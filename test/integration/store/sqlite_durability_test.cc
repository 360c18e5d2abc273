// Durability of the sqlite Storage under kill -9: a forked child writes keys in a loop and
// reports each acknowledged write through a pipe; the parent SIGKILLs it mid-stream, reopens
// the database and checks every acknowledged write is there. Needs nothing privileged.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "base/files.h"
#include "base/random.h"
#include "store/sqlite_storage.h"

namespace berth::store {
namespace {

// The value written under `key`: large enough that a write spans several WAL pages.
std::string valueFor(const std::string& key) {
  std::string value = key + ":";
  while (value.size() < 6000) {
    value += key;
  }
  return value;
}

// The child: `threads` writers create "/r{round}/t{thread}/{i}" until killed, each writing
// "KEY\n" to `ackFd` after create() returned (a line is < PIPE_BUF, so lines do not interleave).
[[noreturn]] void writeUntilKilled(const std::filesystem::path& file, int round, int threads,
                                   int ackFd) {
  auto store = openSqliteStorage(file);
  if (!store) {
    _exit(2);
  }
  std::vector<std::thread> writers;
  for (int t = 0; t < threads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        auto key = fmt::format("/r{}/t{}/{}", round, t, i);
        if (!(*store)->create(key, valueFor(key))) {
          _exit(3);
        }
        auto line = key + "\n";
        if (::write(ackFd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
          _exit(4);
        }
      }
    });
  }
  for (auto& writer : writers) {
    writer.join();
  }
  _exit(0);
}

// Reads acknowledged keys from `fd` until `want` arrived (then kills `pid`) and then until EOF.
std::vector<std::string> collectAcksAndKill(int fd, pid_t pid, size_t want) {
  std::vector<std::string> acked;
  std::string buffer;
  bool killed = false;
  for (;;) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 30000) <= 0) {
      ADD_FAILURE() << "no ack from the writer within 30 s";
      ::kill(pid, SIGKILL);
      break;
    }
    char chunk[4096];
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;  // EOF: the child is dead and every ack it wrote has been read
    }
    buffer.append(chunk, static_cast<size_t>(n));
    size_t newline;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      acked.push_back(buffer.substr(0, newline));
      buffer.erase(0, newline + 1);
    }
    if (!killed && acked.size() >= want) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
  }
  EXPECT_TRUE(buffer.empty()) << "a torn ack line";
  return acked;
}

TEST(SqliteDurabilityTest, AcknowledgedWritesSurviveKill9) {
  struct TempDir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("berth-durability-" + randomHex(6));
    ~TempDir() { EXPECT_TRUE(files::removeAll(path)); }
  } dir;
  auto file = dir.path / "state.db";
  size_t total = 0;
  // Rounds: one writer, then several concurrent writers; different kill points.
  const std::vector<std::pair<int, size_t>> rounds = {{1, 150}, {3, 240}, {1, 333}};
  for (size_t round = 0; round < rounds.size(); ++round) {
    auto [threads, killAfter] = rounds[round];
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      writeUntilKilled(file, static_cast<int>(round), threads, fds[1]);
    }
    ::close(fds[1]);
    auto acked = collectAcksAndKill(fds[0], pid, killAfter);
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "writer exited early, status " << status;
    ASSERT_GE(acked.size(), killAfter);

    auto store = openSqliteStorage(file);
    ASSERT_TRUE(store) << store.error().message();
    for (const auto& key : acked) {
      auto got = (*store)->get(key);
      ASSERT_TRUE(got) << "acknowledged key '" << key << "' lost: " << got.error().message();
      ASSERT_EQ(got->value, valueFor(key)) << key;
    }
    // Only creates were made: the revision counts the committed writes, which are the acked
    // ones plus at most one in flight per writer thread (committed, not yet acknowledged).
    auto listed = (*store)->list(fmt::format("/r{}/", round));
    ASSERT_TRUE(listed);
    EXPECT_GE(listed->items.size(), acked.size());
    EXPECT_LE(listed->items.size(), acked.size() + static_cast<size_t>(threads));
    total += listed->items.size();
    EXPECT_EQ((*store)->revision(), static_cast<int64_t>(total));
    std::set<int64_t> revisions;
    for (const auto& kv : listed->items) {
      EXPECT_EQ(kv.value, valueFor(kv.key));
      EXPECT_TRUE(revisions.insert(kv.modRevision).second);
    }
    // The history survived too: a watch from the round's first revision replays the round.
    size_t replayed = 0;
    auto watch =
        (*store)->watch(fmt::format("/r{}/", round), 1,
                        [&](const std::vector<Event>& events) { replayed += events.size(); });
    ASSERT_TRUE(watch);
    EXPECT_EQ(replayed, listed->items.size());
  }
}

}  // namespace
}  // namespace berth::store
