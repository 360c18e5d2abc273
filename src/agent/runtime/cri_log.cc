#include "agent/runtime/cri_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "agent/runtime/monitor_files.h"

namespace berth::runtime {

CriLogWriter::CriLogWriter(std::filesystem::path path, int64_t maxBytes, int maxFiles,
                           std::function<std::string()> now)
    : path_(std::move(path)),
      maxBytes_(maxBytes),
      maxFiles_(maxFiles < 1 ? 1 : maxFiles),
      now_(now ? std::move(now) : std::function<std::string()>(nowRfc3339Nano)) {}

CriLogWriter::~CriLogWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

int CriLogWriter::open() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    return errno;
  }
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? st.st_size : 0;
  return 0;
}

void CriLogWriter::append(Stream stream, std::string_view data) {
  std::string& pending = pending_[static_cast<int>(stream)];
  while (!data.empty()) {
    size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
      pending.append(data);
      data = {};
    } else {
      pending.append(data.substr(0, nl));
      data.remove_prefix(nl + 1);
    }
    // Fragments of an over-long line are emitted as soon as they are full.
    size_t offset = 0;
    while (pending.size() - offset > kMaxLineBytes ||
           (nl == std::string_view::npos && pending.size() - offset == kMaxLineBytes)) {
      writeRecord(stream, std::string_view(pending).substr(offset, kMaxLineBytes), true);
      offset += kMaxLineBytes;
    }
    if (nl != std::string_view::npos) {
      writeRecord(stream, std::string_view(pending).substr(offset), false);
      pending.clear();
    } else {
      pending.erase(0, offset);
    }
  }
}

void CriLogWriter::finish(Stream stream) {
  std::string& pending = pending_[static_cast<int>(stream)];
  if (!pending.empty()) {
    writeRecord(stream, pending, true);
    pending.clear();
  }
}

void CriLogWriter::writeRecord(Stream stream, std::string_view content, bool partial) {
  std::string record = now_();
  record += stream == Stream::kStdout ? " stdout " : " stderr ";
  record += partial ? "P " : "F ";
  record.append(content);
  record += '\n';
  if (fd_ < 0) {
    return;
  }
  if (size_ > 0 && size_ + static_cast<int64_t>(record.size()) > maxBytes_) {
    rotate();
    if (fd_ < 0) {
      return;
    }
  }
  size_t done = 0;
  while (done < record.size()) {
    ssize_t n = ::write(fd_, record.data() + done, record.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      // A full disk loses output rather than blocking the container on its pipe.
      return;
    }
    done += static_cast<size_t>(n);
    size_ += n;
  }
}

void CriLogWriter::rotate() {
  ::close(fd_);
  fd_ = -1;
  if (maxFiles_ <= 1) {
    ::truncate(path_.c_str(), 0);
  } else {
    for (int i = maxFiles_ - 1; i >= 2; --i) {
      std::string from = path_.string() + "." + std::to_string(i - 1);
      std::string to = path_.string() + "." + std::to_string(i);
      ::rename(from.c_str(), to.c_str());
    }
    std::string first = path_.string() + ".1";
    ::rename(path_.c_str(), first.c_str());
  }
  open();
}

}  // namespace berth::runtime
