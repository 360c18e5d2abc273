#include "agent/runtime/runtime_cli.h"

#include <nlohmann/json.hpp>

namespace berth::runtime {
namespace {

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
}

void stripPrefix(std::string& s, const std::string& prefix) {
  if (s.starts_with(prefix)) {
    s.erase(0, prefix.size());
  }
}

}  // namespace

std::vector<std::string> runtimeCommand(const std::string& runtimePath,
                                        const std::string& stateRoot, const std::string& logFile,
                                        const std::vector<std::string>& args) {
  std::vector<std::string> argv = {runtimePath};
  if (!stateRoot.empty()) {
    argv.insert(argv.end(), {"--root", stateRoot});
  }
  if (!logFile.empty()) {
    argv.insert(argv.end(), {"--log", logFile, "--log-format", "json"});
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::string lastRuntimeError(const std::string& logText) {
  std::string last, lastAny;
  size_t start = 0;
  while (start < logText.size()) {
    size_t end = logText.find('\n', start);
    if (end == std::string::npos) {
      end = logText.size();
    }
    std::string line = logText.substr(start, end - start);
    start = end + 1;
    if (line.empty()) {
      continue;
    }
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      lastAny = line;
      continue;
    }
    std::string level = j.value("level", "");
    std::string msg = j.value("msg", "");
    if (msg.empty()) {
      continue;
    }
    if (level == "error" || level == "fatal") {
      last = msg;
    }
    lastAny = msg;
  }
  return last.empty() ? lastAny : last;
}

std::string cleanRuntimeMessage(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  for (const char* prefix : {"runc create failed: ", "runc run failed: ", "runc start failed: ",
                             "unable to start container process: "}) {
    stripPrefix(message, prefix);
  }
  // runc: exec: "nope": executable file not found in $PATH
  if (message.starts_with("exec: \"")) {
    size_t end = message.find("\": ", 7);
    if (end != std::string::npos) {
      std::string name = message.substr(7, end - 7);
      std::string rest = message.substr(end + 3);
      if (rest.starts_with("executable file not found")) {
        message =
            "executable file '" + name + "'" + rest.substr(std::string("executable file").size());
      } else {
        message = "exec '" + name + "': " + rest;
      }
    }
  }
  // crun quotes with `name`; errno text after the last ": " repeats what the message says.
  replaceAll(message, "`", "'");
  for (const char* suffix : {": No such file or directory"}) {
    std::string s = suffix;
    if (message.find("not found") != std::string::npos && message.ends_with(s)) {
      message.erase(message.size() - s.size());
    }
  }
  if (!message.empty() && message.back() == '.') {
    message.pop_back();
  }
  return message;
}

std::string classifyRuntimeMessage(const std::string& cleanMessage) {
  if (cleanMessage.find("not found") != std::string::npos ||
      cleanMessage.find("No such file or directory") != std::string::npos) {
    return "not-found";
  }
  if (cleanMessage.find("ermission denied") != std::string::npos) {
    return "permission-denied";
  }
  return "invalid";
}

}  // namespace berth::runtime
