#pragma once

// Writes a container's output in the CRI log format that kubelet, `kubectl logs` and the
// Berth log endpoint read:
//
//   2026-11-29T03:57:25.123456789Z stdout F a complete line
//   2026-11-29T03:57:25.123456789Z stderr P the first 16 KiB of a longer line
//
// "F" ends a line (its newline is not stored), "P" is a fragment continued by the next record of
// the same stream: lines longer than kMaxLineBytes are split, and output left without a newline
// when the stream ends is written as a last "P" record. The file is rotated by size:
// log -> log.1 -> ... -> log.<maxFiles-1>, so at most maxFiles files exist.
//
// Standard library only (used by berth-monitor). Not thread-safe.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace berth::runtime {

class CriLogWriter {
 public:
  enum class Stream { kStdout, kStderr };
  static constexpr size_t kMaxLineBytes = 16 * 1024;

  // `now` returns the timestamp of a record; the default is the real time.
  CriLogWriter(std::filesystem::path path, int64_t maxBytes, int maxFiles,
               std::function<std::string()> now = {});
  ~CriLogWriter();
  CriLogWriter(const CriLogWriter&) = delete;
  CriLogWriter& operator=(const CriLogWriter&) = delete;

  // Opens (appends to) the log file, creating its directory's file but not the directory.
  // Returns 0 or an errno.
  int open();

  // Adds output read from a stream; complete lines are written at once.
  void append(Stream stream, std::string_view data);

  // Writes what is left of the stream's last line as a partial record (the stream ended).
  void finish(Stream stream);

  // Bytes in the current file.
  int64_t currentSize() const { return size_; }

 private:
  void writeRecord(Stream stream, std::string_view content, bool partial);
  void rotate();

  std::filesystem::path path_;
  int64_t maxBytes_;
  int maxFiles_;
  std::function<std::string()> now_;
  int fd_ = -1;
  int64_t size_ = 0;
  std::string pending_[2];
};

}  // namespace berth::runtime
