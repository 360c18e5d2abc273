// `berth container create|show|list|delete|logs|exec|start|stop|restart|export|usage`: a client
// of Berth's ARM container-group API shaped like `az container` (reference §1.14). Connection:
// --kubeconfig (default $BERTH_KUBECONFIG, $KUBECONFIG, /var/lib/berth/kubeconfig) and
// --subscription (default $BERTH_SUBSCRIPTION or the all-zero one). ARM errors are printed as
// "error: (Code) message" and exit 1.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include "base/files.h"
#include "cli/aci_yaml.h"
#include "cli/arm_client.h"
#include "cli/commands.h"
#include "cli/container_args.h"
#include "cli/container_exec.h"
#include "cli/container_logs.h"
#include "cli/container_output.h"

namespace berth::cli {
namespace {

using nlohmann::json;

struct ContainerFlags {
  ArmConnectionFlags connection;
  std::string output = "json";
  std::string resourceGroup;
  std::string file;
  bool noWait = false;
  bool yes = false;
  ContainerCreateFlags create;
  LogsOptions logs;
  ExecOptions exec;
  std::string start;
  std::string end;
};

using FlagsPtr = std::shared_ptr<ContainerFlags>;

// Adds the flags every verb has: the connection, -o and -g (required when `groupRequired`).
void addCommon(CLI::App* cmd, const FlagsPtr& f, bool groupRequired) {
  cmd->add_option("--kubeconfig", f->connection.kubeconfig,
                  "Kubeconfig (default $BERTH_KUBECONFIG, $KUBECONFIG, /var/lib/berth/kubeconfig)");
  cmd->add_option("--subscription", f->connection.subscription,
                  "Subscription id (default $BERTH_SUBSCRIPTION or all zeros)");
  cmd->add_option("-o,--output", f->output, "json|yaml|table|tsv")->capture_default_str();
  auto* rg = cmd->add_option("-g,--resource-group", f->resourceGroup, "Resource group");
  if (groupRequired) {
    rg->required();
  }
}

// Runs a verb: connects, checks -o, reports an Error as "error: ..." with exit code 1.
template <typename F>
void run(const FlagsPtr& f, F body) {
  auto status = [&]() -> Status {
    BERTH_TRY_STATUS(checkOutputFormat(f->output));
    BERTH_ASSIGN_OR_RETURN(ArmClient arm, ArmClient::connect(f->connection));
    return body(arm);
  }();
  if (!status) {
    reportError(status.error());
  }
}

Status requireName(const std::string& name) {
  if (name.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--name is required");
  }
  return ok();
}

// Polls an Azure-AsyncOperation URL until the operation leaves InProgress (ARM's LRO).
Status waitForOperation(const ArmClient& arm, const ArmReply& reply) {
  auto it = reply.headers.find("azure-asyncoperation");
  if (it == reply.headers.end()) {
    return ok();
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(30);
  while (true) {
    BERTH_ASSIGN_OR_RETURN(ArmReply op, arm.call("GET", it->second));
    std::string status = op.body.is_object() ? op.body.value("status", "") : "";
    if (status == "Succeeded") {
      return ok();
    }
    if (status != "InProgress" && !status.empty()) {
      json error = op.body.value("error", json::object());
      return fail(ErrorCode::kInternal, "({}) {}", error.value("code", status),
                  error.value("message", "the operation ended " + status));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return fail(ErrorCode::kDeadlineExceeded, "timed out waiting for '{}'", it->second);
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

void print(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

Status createGroup(const ArmClient& arm, const ContainerFlags& f) {
  std::string name = f.create.name;
  json body;
  if (!f.file.empty()) {
    BERTH_ASSIGN_OR_RETURN(std::string text, files::read(f.file));
    auto deployment = parseAciYaml(text);
    if (!deployment) {
      return fail(ErrorCode::kInvalidArgument, "'{}': {}", f.file, deployment.error().message());
    }
    if (name.empty()) {
      name = deployment->name;
    }
    BERTH_TRY_STATUS(requireName(name));
    body = std::move(deployment->body);
    if (!body.contains("location")) {
      body["location"] = f.create.location;
    }
  } else {
    ContainerCreateFlags flags = f.create;
    BERTH_ASSIGN_OR_RETURN(body, containerGroupBody(flags));
  }
  BERTH_ASSIGN_OR_RETURN(ArmReply reply,
                         arm.call("PUT", arm.groupPath(f.resourceGroup, name), body));
  if (f.noWait) {
    return ok();
  }
  BERTH_TRY_STATUS(waitForOperation(arm, reply));
  BERTH_ASSIGN_OR_RETURN(ArmReply group, arm.call("GET", arm.groupPath(f.resourceGroup, name)));
  print(formatGroup(group.body, f.output));
  return ok();
}

Status listGroups(const ArmClient& arm, const ContainerFlags& f) {
  std::vector<json> groups;
  std::string next = arm.groupsPath(f.resourceGroup);
  while (!next.empty()) {
    BERTH_ASSIGN_OR_RETURN(ArmReply page, arm.call("GET", next));
    if (!page.body.is_object()) {
      break;
    }
    for (const auto& g : page.body.value("value", json::array())) {
      groups.push_back(g);
    }
    next = page.body.value("nextLink", "");
  }
  print(formatGroups(groups, f.output));
  return ok();
}

Result<bool> confirmDelete(const std::string& name) {
  if (!::isatty(STDIN_FILENO)) {
    return fail(ErrorCode::kInvalidArgument,
                "refusing to delete container group '{}' without --yes (no terminal to confirm "
                "on)",
                name);
  }
  std::fprintf(stderr,
               "Are you sure you want to delete container group '%s'? (y/n): ", name.c_str());
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

Status deleteGroup(const ArmClient& arm, const ContainerFlags& f) {
  const std::string& name = f.create.name;
  BERTH_TRY_STATUS(requireName(name));
  if (!f.yes) {
    BERTH_ASSIGN_OR_RETURN(bool confirmed, confirmDelete(name));
    if (!confirmed) {
      return ok();
    }
  }
  BERTH_ASSIGN_OR_RETURN(ArmReply reply, arm.call("DELETE", arm.groupPath(f.resourceGroup, name)));
  if (reply.body.is_object()) {
    print(formatGroup(reply.body, f.output));
  }
  return ok();
}

// Polls the group until its instance view shows `state` (for at most 2 minutes).
Status waitForState(const ArmClient& arm, const ContainerFlags& f, const std::string& state) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (true) {
    BERTH_ASSIGN_OR_RETURN(ArmReply reply,
                           arm.call("GET", arm.groupPath(f.resourceGroup, f.create.name)));
    json view = reply.body.is_object()
                    ? reply.body.value("properties", json::object()).value("instanceView", json())
                    : json();
    if (view.is_object() && view.value("state", "") == state) {
      return ok();
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return fail(ErrorCode::kDeadlineExceeded, "timed out waiting for '{}' to be {}",
                  f.create.name, state);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

// start, stop, restart: a POST, then the operation when the server started one.
Status groupAction(const ArmClient& arm, const ContainerFlags& f, const std::string& action) {
  BERTH_TRY_STATUS(requireName(f.create.name));
  BERTH_ASSIGN_OR_RETURN(
      ArmReply reply,
      arm.call("POST", arm.groupPath(f.resourceGroup, f.create.name) + "/" + action));
  if (f.noWait) {
    return ok();
  }
  BERTH_TRY_STATUS(waitForOperation(arm, reply));
  // Stop answers 204 at once; like az, return when the group shows it.
  return action == "stop" ? waitForState(arm, f, "Stopped") : ok();
}

Status exportGroup(const ArmClient& arm, const ContainerFlags& f) {
  BERTH_TRY_STATUS(requireName(f.create.name));
  if (f.file.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--file is required");
  }
  BERTH_ASSIGN_OR_RETURN(ArmReply reply,
                         arm.call("GET", arm.groupPath(f.resourceGroup, f.create.name)));
  return files::writeAtomic(f.file, renderYaml(exportableGroup(reply.body, kArmApiVersion)));
}

std::string percentEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

Status showUsage(const ArmClient& arm, const ContainerFlags& f) {
  std::string path = arm.usagePath(f.resourceGroup);
  std::vector<std::string> query;
  if (!f.create.name.empty()) {
    if (f.resourceGroup.empty()) {
      return fail(ErrorCode::kInvalidArgument, "--name needs --resource-group");
    }
    query.push_back("containerGroup=" + percentEncode(f.create.name));
  }
  if (!f.start.empty()) {
    query.push_back("from=" + percentEncode(f.start));
  }
  if (!f.end.empty()) {
    query.push_back("to=" + percentEncode(f.end));
  }
  for (size_t i = 0; i < query.size(); ++i) {
    path += (i == 0 ? "?" : "&") + query[i];
  }
  BERTH_ASSIGN_OR_RETURN(ArmReply reply, arm.call("GET", path));
  print(formatUsage(reply.body, f.output));
  return ok();
}

void addCreate(CLI::App& container) {
  auto f = std::make_shared<ContainerFlags>();
  auto* cmd = container.add_subcommand("create",
                                       "Create a container group (waits unless "
                                       "--no-wait)");
  addCommon(cmd, f, true);
  auto& c = f->create;
  cmd->add_option("-n,--name", c.name, "Container group name (with -f: default the file's)");
  cmd->add_option("-f,--file", f->file, "ACI YAML file with the whole group");
  cmd->add_option("--image", c.image, "Container image");
  cmd->add_option("--cpu", c.cpu, "CPU cores")->capture_default_str();
  cmd->add_option("--memory", c.memoryInGB, "Memory in GB")->capture_default_str();
  cmd->add_option("--ports", c.ports, "Ports to open")->capture_default_str();
  cmd->add_option("--protocol", c.protocol, "TCP|UDP")->capture_default_str();
  cmd->add_option("--ip-address", c.ipAddress, "Public|Private");
  cmd->add_option("--dns-name-label", c.dnsNameLabel, "DNS name label (makes a public IP)");
  cmd->add_option("--restart-policy", c.restartPolicy, "Always|OnFailure|Never")
      ->capture_default_str();
  cmd->add_option("-e,--environment-variables", c.environmentVariables, "KEY=VALUE ...");
  cmd->add_option("--secure-environment-variables", c.secureEnvironmentVariables,
                  "KEY=VALUE ... (not shown by show/list)");
  cmd->add_option("--command-line", c.commandLine, "Command, split like a shell");
  cmd->add_option("--registry-login-server", c.registryLoginServer, "Registry server");
  cmd->add_option("--registry-username", c.registryUsername, "Registry user");
  cmd->add_option("--registry-password", c.registryPassword, "Registry password");
  cmd->add_option("--os-type", c.osType, "Linux|Windows")->capture_default_str();
  cmd->add_option("-l,--location", c.location, "Location")->capture_default_str();
  cmd->add_flag("--no-wait", f->noWait, "Do not wait for the group to be created");
  cmd->callback([f] { run(f, [&](const ArmClient& arm) { return createGroup(arm, *f); }); });
}

// A verb with -g and -n and nothing else of its own; `body` does the work.
template <typename F>
CLI::App* addNamedVerb(CLI::App& container, const char* verb, const char* help, F body) {
  auto f = std::make_shared<ContainerFlags>();
  auto* cmd = container.add_subcommand(verb, help);
  addCommon(cmd, f, true);
  cmd->add_option("-n,--name", f->create.name, "Container group name")->required();
  cmd->callback([f, body] { run(f, [&](const ArmClient& arm) { return body(arm, *f); }); });
  return cmd;
}

}  // namespace

void addContainerCommand(CLI::App& app) {
  auto* container =
      app.add_subcommand("container", "Container groups through the ARM API (like az container)");
  container->require_subcommand(1);
  addCreate(*container);

  addNamedVerb(*container, "show", "Show a container group",
               [](const ArmClient& arm, const ContainerFlags& f) -> Status {
                 BERTH_ASSIGN_OR_RETURN(
                     ArmReply reply,
                     arm.call("GET", arm.groupPath(f.resourceGroup, f.create.name)));
                 print(formatGroup(reply.body, f.output));
                 return ok();
               });

  {
    auto f = std::make_shared<ContainerFlags>();
    auto* cmd = container->add_subcommand("list", "List container groups");
    addCommon(cmd, f, false);
    cmd->callback([f] { run(f, [&](const ArmClient& arm) { return listGroups(arm, *f); }); });
  }
  {
    auto f = std::make_shared<ContainerFlags>();
    auto* cmd = container->add_subcommand("delete", "Delete a container group");
    addCommon(cmd, f, true);
    cmd->add_option("-n,--name", f->create.name, "Container group name")->required();
    cmd->add_flag("-y,--yes", f->yes, "Do not prompt for confirmation");
    cmd->callback([f] { run(f, [&](const ArmClient& arm) { return deleteGroup(arm, *f); }); });
  }
  for (const char* action : {"start", "stop", "restart"}) {
    auto f = std::make_shared<ContainerFlags>();
    auto* cmd = container->add_subcommand(action, std::string(action) + " a container group");
    addCommon(cmd, f, true);
    cmd->add_option("-n,--name", f->create.name, "Container group name")->required();
    cmd->add_flag("--no-wait", f->noWait, "Do not wait for the operation");
    std::string verb = action;
    cmd->callback(
        [f, verb] { run(f, [&](const ArmClient& arm) { return groupAction(arm, *f, verb); }); });
  }
  {
    auto f = std::make_shared<ContainerFlags>();
    auto* cmd = container->add_subcommand("logs", "Print a container's log");
    addCommon(cmd, f, true);
    cmd->add_option("-n,--name", f->logs.group, "Container group name")->required();
    cmd->add_option("--container-name", f->logs.container, "Container (default: the first)");
    cmd->add_flag("--follow", f->logs.follow, "Keep printing new output (polls every 2 s)");
    cmd->callback([f] {
      run(f, [&](const ArmClient& arm) {
        f->logs.resourceGroup = f->resourceGroup;
        return printLogs(arm, f->logs, stdout);
      });
    });
  }
  {
    auto f = std::make_shared<ContainerFlags>();
    auto* cmd = container->add_subcommand("exec", "Run a command in a running container");
    addCommon(cmd, f, true);
    cmd->add_option("-n,--name", f->exec.group, "Container group name")->required();
    cmd->add_option("--container-name", f->exec.container, "Container (default: the first)");
    cmd->add_option("--exec-command", f->exec.command, "Command (split on whitespace)")->required();
    cmd->add_option("--terminal-row-size", f->exec.rows, "Rows")->capture_default_str();
    cmd->add_option("--terminal-col-size", f->exec.cols, "Columns")->capture_default_str();
    cmd->callback([f] {
      run(f, [&](const ArmClient& arm) -> Status {
        f->exec.resourceGroup = f->resourceGroup;
        BERTH_ASSIGN_OR_RETURN(int code, runExec(arm, f->exec, stdin, stdout));
        setExitCode(code);
        return ok();
      });
    });
  }
  {
    auto f = std::make_shared<ContainerFlags>();
    auto* cmd = container->add_subcommand("export", "Write a container group as ACI YAML");
    addCommon(cmd, f, true);
    cmd->add_option("-n,--name", f->create.name, "Container group name")->required();
    cmd->add_option("-f,--file", f->file, "Output file")->required();
    cmd->callback([f] { run(f, [&](const ArmClient& arm) { return exportGroup(arm, *f); }); });
  }
  {
    auto f = std::make_shared<ContainerFlags>();
    auto* cmd = container->add_subcommand("usage", "Metered vCPU and memory use, and its cost");
    addCommon(cmd, f, false);
    cmd->add_option("-n,--name", f->create.name, "Container group (needs -g)");
    cmd->add_option("--start", f->start, "From (RFC 3339; default: the first record)");
    cmd->add_option("--end", f->end, "To (RFC 3339; default: now)");
    cmd->callback([f] { run(f, [&](const ArmClient& arm) { return showUsage(arm, *f); }); });
  }
}

}  // namespace berth::cli
