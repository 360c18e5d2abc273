// End-to-end tests of Berth's ARM container-group API with the real Azure SDK for JavaScript
// (@azure/arm-containerinstance), pointed at a running Berth:
//
//   BERTH_ARM_ENDPOINT  https://127.0.0.1:PORT (the API server)
//   BERTH_TOKEN         a bearer token of a cluster admin
//   BERTH_IMAGE         the httpd fixture image, e.g. 127.0.0.1:5000/berth/httpd:1
//   NODE_EXTRA_CA_CERTS Berth's CA certificate, so that TLS verifies
//   BERTH_SDK_VERBOSE   optional: print the ARM errors the refused requests got
//
// Run: node --test aci.test.mjs (test/integration/instances/azure_sdk_test.cc does, against a
// fresh `berth up`). The tests run in order and share one container group.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import { ContainerInstanceManagementClient } from "@azure/arm-containerinstance";
import { createPipelineRequest } from "@azure/core-rest-pipeline";
import WebSocket from "ws";

const endpoint = requiredEnv("BERTH_ARM_ENDPOINT").replace(/\/+$/, "");
const token = requiredEnv("BERTH_TOKEN");
const image = requiredEnv("BERTH_IMAGE");

const subscriptionId = randomUUID();
const resourceGroup = "sdk-rg";
const groupName = `sdk-${randomUUID().slice(0, 8)}`;
const location = "local";
const poll = { updateIntervalInMs: 250 };

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`environment variable ${name} is not set`);
  }
  return value;
}

// A static TokenCredential: Berth's bearer token, as a real credential would hand it out.
const credential = {
  getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600 * 1000 }),
};

function makeClient(options = {}) {
  return new ContainerInstanceManagementClient(credential, subscriptionId, {
    endpoint,
    $host: endpoint,
    credentialScopes: [`${endpoint}/.default`],
    retryOptions: { maxRetries: 1 },
    ...options,
  });
}

const client = makeClient();

// The group the tests create: the httpd fixture, with a first log line of its own, under a shell
// that exits on SIGTERM (so that stop and restart need not wait out the grace period).
function groupSpec(overrides = {}) {
  const container = {
    name: "web",
    image,
    command: [
      "/bin/sh",
      "-c",
      "trap 'exit 0' TERM; echo sdk-log-line; httpd -f -p 8080 -h /www & wait",
    ],
    ports: [{ port: 8080, protocol: "TCP" }],
    environmentVariables: [{ name: "MODE", value: "sdk" }],
    resources: { requests: { cpu: 0.5, memoryInGB: 0.5 } },
    ...overrides.container,
  };
  return {
    location,
    tags: { suite: "sdk" },
    osType: "Linux",
    restartPolicy: "Always",
    containers: [container, ...(overrides.extraContainers ?? [])],
    ...overrides.group,
  };
}

async function collect(iterable) {
  const out = [];
  for await (const item of iterable) {
    out.push(item);
  }
  return out;
}

async function groupNamesInResourceGroup() {
  return (await collect(client.containerGroups.listByResourceGroup(resourceGroup))).map(
    (g) => g.name,
  );
}

// Polls `check` until it returns a truthy value; `seen()` tells what was last seen on timeout.
async function eventually(what, check, seen = () => undefined, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) {
        return last;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      assert.fail(
        `timed out waiting for ${what}; last: ${describeValue(last)}, seen: ` +
          describeValue(seen()),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function describeValue(value) {
  if (value instanceof Error) {
    return `${value.name}: ${value.message}`;
  }
  return JSON.stringify(value);
}

// The group's and its containers' instance views, for failure messages.
function views(group) {
  return group && {
    instanceView: group.instanceView,
    containers: group.containers.map((c) => ({ name: c.name, instanceView: c.instanceView })),
  };
}

function containerState(group, name = "web") {
  const container = group.containers.find((c) => c.name === name);
  return container?.instanceView?.currentState?.state;
}

// Runs `command` in the container through executeCommand and its web socket. Resolves to
// {output, code, reason} once the server closes the socket.
async function execute(command, { password } = {}) {
  const response = await client.containers.executeCommand(resourceGroup, groupName, "web", {
    command,
    terminalSize: { rows: 24, cols: 80 },
  });
  assert.match(response.webSocketUri ?? "", /^wss:\/\//, "webSocketUri is a wss:// URL");
  assert.ok(response.password, "executeCommand returns a password");
  return new Promise((resolve, reject) => {
    const chunks = [];
    const socket = new WebSocket(response.webSocketUri);
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`exec '${command}' did not finish in 30 s`));
    }, 30000);
    socket.on("open", () => socket.send(password ?? response.password));
    socket.on("message", (data) => chunks.push(Buffer.from(data)));
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", (code, reason) => {
      clearTimeout(timer);
      resolve({ output: Buffer.concat(chunks).toString("utf8"), code, reason: reason.toString() });
    });
  });
}

// Asserts that `promise` rejects with an ARM error: a RestError with `statusCode`, the ARM
// `code` and a message that matches `message`.
async function assertArmError(promise, { statusCode, code, message }) {
  await assert.rejects(promise, (error) => {
    assert.equal(error.name, "RestError", `a RestError, got ${describeValue(error)}`);
    assert.equal(error.statusCode, statusCode, `status of ${describeValue(error)}`);
    assert.equal(error.code, code, `ARM code of ${describeValue(error)}`);
    assert.match(error.message, message);
    if (process.env.BERTH_SDK_VERBOSE) {
      console.log(`${error.statusCode} ${error.code}: ${error.message}`);
    }
    return true;
  });
}

describe("Azure SDK for JavaScript against Berth", { concurrency: false }, () => {
  before(async () => {
    // The resource group starts empty: every group the tests see is one they made.
    assert.deepEqual(await groupNamesInResourceGroup(), []);
  });

  after(async () => {
    // Leave nothing behind if a test failed half-way.
    try {
      await client.containerGroups.beginDeleteAndWait(resourceGroup, groupName, poll);
    } catch {
      // already gone
    }
  });

  test("create and wait: the poller follows Azure-AsyncOperation to Succeeded", async () => {
    const created = await client.containerGroups.beginCreateOrUpdateAndWait(
      resourceGroup,
      groupName,
      groupSpec(),
      poll,
    );
    assert.equal(created.name, groupName);
    assert.equal(created.provisioningState, "Succeeded");
    assert.equal(
      created.id,
      `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}` +
        `/providers/Microsoft.ContainerInstance/containerGroups/${groupName}`,
    );
    assert.equal(created.type, "Microsoft.ContainerInstance/containerGroups");
  });

  test("get: the group as created, its container running", async () => {
    const group = await eventually("the container to run", async () => {
      const g = await client.containerGroups.get(resourceGroup, groupName);
      return containerState(g) === "Running" ? g : undefined;
    });
    assert.equal(group.location, location);
    assert.deepEqual(group.tags, { suite: "sdk" });
    assert.equal(group.osType, "Linux");
    assert.equal(group.restartPolicy, "Always");
    assert.equal(group.provisioningState, "Succeeded");
    assert.equal(group.containers.length, 1);
    const [web] = group.containers;
    assert.equal(web.name, "web");
    assert.equal(web.image, image);
    assert.deepEqual(web.resources.requests, { cpu: 0.5, memoryInGB: 0.5 });
    assert.deepEqual(web.environmentVariables, [{ name: "MODE", value: "sdk" }]);
    assert.equal(web.ports[0].port, 8080);
    assert.ok(web.instanceView.currentState.startTime instanceof Date, "a parsed startTime");
  });

  test("update: new tags, the rest as it was", async () => {
    const updated = await client.containerGroups.update(resourceGroup, groupName, {
      tags: { suite: "sdk", stage: "updated" },
    });
    assert.deepEqual(updated.tags, { suite: "sdk", stage: "updated" });
    const group = await client.containerGroups.get(resourceGroup, groupName);
    assert.deepEqual(group.tags, { suite: "sdk", stage: "updated" });
    assert.equal(group.containers[0].image, image);
    assert.equal(containerState(group), "Running");
  });

  test("list: by subscription and by resource group", async () => {
    const all = await collect(client.containerGroups.list());
    assert.deepEqual(
      all.map((g) => g.name),
      [groupName],
    );
    assert.deepEqual(await groupNamesInResourceGroup(), [groupName]);
  });

  test("list logs: the container's output", async () => {
    const logs = await eventually("the log line", async () => {
      const l = await client.containers.listLogs(resourceGroup, groupName, "web", { tail: 10 });
      return l.content?.includes("sdk-log-line") ? l : undefined;
    });
    assert.match(logs.content, /sdk-log-line/);
    await assertArmError(client.containers.listLogs(resourceGroup, groupName, "nope"), {
      statusCode: 404,
      code: "ContainerNotFound",
      message: /'nope'/,
    });
  });

  test("execute a command: output over the web socket, closed with its exit code", async () => {
    const ok = await execute("cat /www/index.html");
    assert.equal(ok.code, 1000, `close code (reason '${ok.reason}')`);
    assert.equal(ok.reason, "exit code 0");
    assert.match(ok.output, /hello from berth/);

    const failed = await execute("ls /no-such-dir");
    assert.equal(failed.code, 1000, `close code (reason '${failed.reason}')`);
    assert.match(failed.reason, /^exit code [1-9][0-9]*$/);
    assert.match(failed.output, /no-such-dir/);

    await assert.rejects(
      client.containers.executeCommand(resourceGroup, groupName, "nope", { command: "ls" }),
      (error) => {
        assert.equal(error.name, "RestError", describeValue(error));
        assert.ok([400, 404].includes(error.statusCode), `status of ${describeValue(error)}`);
        assert.match(error.code ?? "", /ContainerNotFound/);
        assert.match(error.message, /'nope'/);
        return true;
      },
    );

    const refused = await execute("cat /www/index.html", { password: "wrong" });
    assert.equal(refused.code, 1008);
    assert.equal(refused.reason, "invalid password");
    assert.doesNotMatch(refused.output, /hello from berth/);
  });

  test("stop: the containers stop, the group stays", async () => {
    await client.containerGroups.stop(resourceGroup, groupName);
    let seen;
    await eventually(
      "the group and its container to stop",
      async () => {
        seen = await client.containerGroups.get(resourceGroup, groupName);
        return seen.instanceView?.state === "Stopped" && containerState(seen) === "Terminated";
      },
      () => views(seen),
    );
    assert.deepEqual(await groupNamesInResourceGroup(), [groupName]);
  });

  test("start: the poller waits until the group runs again", async () => {
    await client.containerGroups.beginStartAndWait(resourceGroup, groupName, poll);
    let seen;
    await eventually(
      "the container to run again",
      async () => {
        seen = await client.containerGroups.get(resourceGroup, groupName);
        return seen.instanceView?.state === "Running" && containerState(seen) === "Running";
      },
      () => views(seen),
    );
  });

  test("restart: the group runs again", async () => {
    const before = await client.containerGroups.get(resourceGroup, groupName);
    const startedBefore = before.containers[0].instanceView.currentState.startTime;
    // Start times have whole seconds: let the next start fall in a later second.
    const wait = startedBefore.getTime() + 1100 - Date.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
    await client.containerGroups.beginRestartAndWait(resourceGroup, groupName, poll);
    let seen;
    await eventually(
      "a new start after the restart",
      async () => {
        seen = await client.containerGroups.get(resourceGroup, groupName);
        const started = seen.containers[0].instanceView?.currentState?.startTime;
        return containerState(seen) === "Running" && started > startedBefore;
      },
      () => views(seen),
    );
  });

  test("delete: the group is gone", async () => {
    await client.containerGroups.beginDeleteAndWait(resourceGroup, groupName, poll);
    await assertArmError(client.containerGroups.get(resourceGroup, groupName), {
      statusCode: 404,
      code: "ResourceNotFound",
      message: new RegExp(groupName),
    });
    assert.deepEqual(await groupNamesInResourceGroup(), []);
  });

  describe("bad input: an ARM error with a clear message, and nothing created", () => {
    const cases = [
      {
        what: "an empty image",
        spec: groupSpec({ container: { image: "" } }),
        code: "InvalidContainerImage",
        message: /image/i,
      },
      {
        what: "a CPU request of 0",
        spec: groupSpec({ container: { resources: { requests: { cpu: 0, memoryInGB: 1 } } } }),
        code: "InvalidResourceRequests",
        message: /cpu/i,
      },
      {
        what: "a negative CPU request",
        spec: groupSpec({ container: { resources: { requests: { cpu: -1, memoryInGB: 1 } } } }),
        code: "InvalidResourceRequests",
        message: /cpu/i,
      },
      {
        what: "a port out of range",
        spec: groupSpec({ container: { ports: [{ port: 70000 }] } }),
        code: "InvalidContainerPort",
        message: /70000/,
      },
      {
        what: "a limit above the group total",
        spec: groupSpec({
          container: {
            resources: { requests: { cpu: 1, memoryInGB: 1 }, limits: { cpu: 3, memoryInGB: 1 } },
          },
        }),
        code: "ContainerLimitGreaterThanContainerGroupTotalRequest",
        message: /limit/i,
      },
    ];
    for (const c of cases) {
      test(c.what, async () => {
        const name = `bad-${randomUUID().slice(0, 8)}`;
        await assertArmError(
          client.containerGroups.beginCreateOrUpdateAndWait(resourceGroup, name, c.spec, poll),
          { statusCode: 400, code: c.code, message: c.message },
        );
        assert.ok(!(await groupNamesInResourceGroup()).includes(name), "nothing was created");
      });
    }

    test("no image at all (a raw request through the SDK's pipeline)", async () => {
      // The SDK refuses to serialize a container without `image`, so this body goes around the
      // serializer, through the same authenticated pipeline.
      const name = `bad-${randomUUID().slice(0, 8)}`;
      const spec = groupSpec();
      delete spec.containers[0].image;
      const body = {
        location: spec.location,
        properties: {
          osType: "Linux",
          containers: [{ name: "web", properties: { resources: spec.containers[0].resources } }],
        },
      };
      const response = await client.sendRequest(
        createPipelineRequest({
          url:
            `${endpoint}/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}` +
            `/providers/Microsoft.ContainerInstance/containerGroups/${name}` +
            `?api-version=2023-05-01`,
          method: "PUT",
          body: JSON.stringify(body),
        }),
      );
      assert.equal(response.status, 400, response.bodyAsText);
      const error = JSON.parse(response.bodyAsText).error;
      assert.match(error.code, /^(InvalidContainerImage|InvalidRequestContent|MissingImage)/);
      assert.match(error.message, /image/i);
      assert.ok(!(await groupNamesInResourceGroup()).includes(name), "nothing was created");
    });

    test("a name that breaks the ARM rules", async () => {
      for (const name of ["Bad_Name", "-leading-dash", "a".repeat(64)]) {
        await assertArmError(
          client.containerGroups.beginCreateOrUpdateAndWait(resourceGroup, name, groupSpec(), poll),
          { statusCode: 400, code: "InvalidContainerGroupName", message: /name/i },
        );
      }
      assert.deepEqual(await groupNamesInResourceGroup(), []);
    });

    test("an unknown api-version", async () => {
      const old = makeClient({ apiVersion: "2001-01-01" });
      const name = `bad-${randomUUID().slice(0, 8)}`;
      await assertArmError(
        old.containerGroups.beginCreateOrUpdateAndWait(resourceGroup, name, groupSpec(), poll),
        { statusCode: 400, code: "NoRegisteredProviderFound", message: /2001-01-01/ },
      );
      await assertArmError(old.containerGroups.get(resourceGroup, name), {
        statusCode: 400,
        code: "InvalidResourceType",
        message: /api version '2001-01-01'/i,
      });
      assert.ok(!(await groupNamesInResourceGroup()).includes(name), "nothing was created");
    });
  });
});
