// Sandbox figures (design.md section 10, issue 4): per-call overhead of the Bash tool against an
// in-container shell and bare docker exec, session start warm and cold against docker
// create+start+exec, 8 parallel calls, 1 MiB Read against a host read, and host memory per idle
// and active session. Every container carries the pincer-bench labels and is removed at the end.
import { readFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Duplex } from "node:stream";
import Dockerode from "dockerode";
import { widenEvent, type SessionEvent } from "../server/agent/events";
import { runToolCalls, type RecordEvent } from "../server/agent/loop";
import { createMessageProjection } from "../server/agent/messages";
import { createDockerDriver, type DockerSandboxDriver } from "../server/sandbox/docker";
import type { Sandbox, SandboxSpec } from "../server/sandbox/sandbox";
import { approvalStateFromLog, createApprovals } from "../server/sessions/approvals";
import { createPermissionGate } from "../server/sessions/permission-gate";
import { createSessionExtensions } from "../server/sessions/session-extensions";
import { bashTool } from "../server/tools/bash";
import { readTool } from "../server/tools/read";
import type { ToolContext } from "../server/tools/tool";
import { initWorkspace } from "../server/workspace/init";
import type { Figure } from "./run";

const PREFIX = "pincer-bench";
/** Sessions for the memory figures (the target is 50 on this machine). */
const MEMORY_SESSIONS = Number(process.env.PINCER_BENCH_SESSIONS ?? 50);
const defaults = {
  image: process.env.SANDBOX_IMAGE ?? "pincer-sandbox:latest",
  network: "none" as const,
  memoryBytes: 2048 * 1024 * 1024,
  nanoCpus: 1_000_000_000,
  pidsLimit: 512,
};

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const figure = (name: string, value: number, unit: string, floor: string | null = null): Figure => ({ name, value: round(value), unit, floor, ratio: null });

/**
 * Per-call figures are paced: in a session a model's answer always lies between two tool calls, so
 * each timed call (and each of the in-container floor's) follows this much idle time, as it would
 * there. The back-to-back figures (`*_back_to_back_*`) show the other extreme.
 */
const CALL_GAP_MS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const timeEach = async (count: number, once: () => Promise<unknown>, warmup = 3, gapMs = 0) => {
  for (let i = 0; i < warmup; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    if (gapMs > 0) await sleep(gapMs);
    const started = performance.now();
    await once();
    times.push(performance.now() - started);
  }
  return times;
};

const toolContext = (sandbox: Sandbox): ToolContext => ({
  sandbox,
  sessionId: sandbox.sessionId,
  signal: new AbortController().signal,
  shell: { cwd: "/workspace" },
  readFiles: new Map(),
  limits: { maxOutputChars: 30_000 },
});

/**
 * One tool call along a session's path (agent/loop.ts runToolCalls, wired as sessions/runner.ts
 * does): input validation, PreToolUse hooks, the permission gate (server defaults + the project's
 * settings files + session rules), the tool itself, PostToolUse hooks, the tool_result event and
 * its projection. Not included: writing the events to the database, the team and user rules the
 * gate reads from the database, and the fan-out to watchers.
 */
const sessionToolPath = (sandbox: Sandbox, context: ToolContext) => {
  const events: SessionEvent[] = [];
  const record: RecordEvent = async (type, payload) => {
    const event = { seq: events.length + 1, type, payload, createdAt: "" } as SessionEvent<typeof type>;
    events.push(widenEvent(event));
    if (events.length > 100) events.length = 0;
    return event;
  };
  const signal = new AbortController().signal;
  const gate = createPermissionGate({ workspaceDirFor: () => sandbox.hostWorkspaceDir });
  const approvals = createApprovals(
    { sessionId: sandbox.sessionId, record, check: gate.check, persistProjectRules: async () => {}, cwd: () => context.shell.cwd, onWaiting: () => {} },
    approvalStateFromLog([]),
  );
  const extensions = createSessionExtensions({ sessionId: sandbox.sessionId, workspaceDir: sandbox.hostWorkspaceDir, sandbox, record });
  let callNumber = 0;
  return async (name: string, input: Record<string, unknown>) => {
    const { tools } = await extensions.sessionTools([], { tools: [bashTool, readTool], toolSchemas: [] });
    const [result] = await runToolCalls(
      {
        tools,
        toolContext: context,
        // A fresh one per call: hundreds of 1 MiB results kept in one would time the GC instead.
        projection: createMessageProjection(),
        record,
        live: { text: () => {}, thinking: () => {}, toolOutput: () => {}, retrying: () => {} },
        signal,
        authorize: extensions.authorize(approvals.authorize(signal), signal),
      },
      [{ type: "tool_use", id: `call_${callNumber++}`, name, input }],
    );
    if (!result || result.isError) throw new Error(`${name} failed: ${result?.output}`);
    return result;
  };
};

/** The Bash tool's own run (wrapper script, cwd marker, output handling) for one command. */
const bashCall = async (context: ToolContext, command: string) => {
  const result = await bashTool.run({ command }, context);
  if (result.isError) throw new Error(`Bash ${command} failed: ${result.output}`);
  return result;
};

/** Bare docker exec of argv: create, start, read to the end, inspect the exit code. */
const dockerExec = async (docker: Dockerode, containerId: string, cmd: string[]) => {
  const exec = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: "1000:1000" });
  const stream = (await exec.start({})) as unknown as NodeJS.ReadableStream;
  await new Promise<void>((resolve, reject) => {
    stream.on("data", () => {});
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0) throw new Error(`docker exec ${cmd.join(" ")} exited ${ExitCode}`);
};

/** A long-lived shell over one open stream answering `true` (a builtin: no process is started). */
const openShell = async (docker: Dockerode, containerId: string) => {
  const exec = await docker.getContainer(containerId).exec({ Cmd: ["bash"], AttachStdin: true, AttachStdout: true, AttachStderr: true, User: "1000:1000" });
  const stream = (await exec.start({ hijack: true, stdin: true })) as unknown as Duplex;
  let seen = "";
  let waiter: (() => void) | null = null;
  stream.on("data", (chunk: Buffer) => {
    seen += chunk.subarray(8).toString();
    if (seen.includes("__done__\n") && waiter) {
      seen = "";
      const resolve = waiter;
      waiter = null;
      resolve();
    }
  });
  return {
    run: () =>
      new Promise<void>((resolve) => {
        waiter = resolve;
        stream.write("true; echo __done__\n");
      }),
    close: () => stream.destroy(),
  };
};

/** The in-container floor: a resident process starting `bash -c true` and waiting for it, timed inside. */
const inContainerShellFloor = async (sandbox: Sandbox, gapMs: number, count = 300): Promise<number[]> => {
  const script = [
    "import subprocess, time",
    "times = []",
    `for i in range(${count + 3}):`,
    `    time.sleep(${gapMs / 1000})`,
    "    started = time.perf_counter()",
    "    subprocess.run(['bash', '-c', 'true'], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)",
    "    times.append(time.perf_counter() - started)",
    "print(' '.join(str(t * 1000) for t in times[3:]))",
  ].join("\n");
  const result = await sandbox.exec({ cmd: ["python3", "-I", "-S", "-c", script] });
  return result.stdout.toString().trim().split(" ").map(Number);
};

/**
 * Paced samples of the floor and of each measured path, taken in alternating rounds so that a
 * change in the machine's load during the run (other work, frequency) falls on all of them alike.
 */
const interleavedRounds = async (rounds: number, perRound: number, floor: () => Promise<number[]>, paths: Record<string, () => Promise<unknown>>) => {
  const samples: Record<string, number[]> = { floor: [] };
  for (const name of Object.keys(paths)) samples[name] = [];
  for (let round = 0; round < rounds; round++) {
    samples.floor!.push(...(await floor()));
    for (const [name, once] of Object.entries(paths)) samples[name]!.push(...(await timeEach(perRound, once, 3, CALL_GAP_MS)));
  }
  return samples;
};

/** Host memory of one container: its cgroup's working set plus its containerd shim. */
const hostMemoryMb = async (containerId: string) => {
  const cgroup = `/sys/fs/cgroup/memory/docker/${containerId}`;
  const usage = Number(await readFile(`${cgroup}/memory.usage_in_bytes`, "utf8"));
  const stat = await readFile(`${cgroup}/memory.stat`, "utf8");
  const inactiveFile = Number(/^total_inactive_file (\d+)$/m.exec(stat)?.[1] ?? 0);
  return (usage - inactiveFile) / 1024 / 1024;
};

/** Proportional share of each containerd shim's memory (PSS), keyed by container id. */
const shimMemoryMb = async () => {
  const shims = new Map<string, number>();
  const { readdir } = await import("node:fs/promises");
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (!cmdline.startsWith("/usr/bin/containerd-shim")) continue;
    const id = /-id\0([0-9a-f]{64})/.exec(cmdline)?.[1];
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, "utf8").catch(() => "");
    const pss = Number(/^Pss:\s+(\d+) kB$/m.exec(rollup)?.[1] ?? 0);
    if (id) shims.set(id, pss / 1024);
  }
  return shims;
};

const removeBenchContainers = async (docker: Dockerode) => {
  const containers = await docker.listContainers({ all: true, filters: { label: [`${PREFIX}.managed=true`] } });
  for (let i = 0; i < containers.length; i += 8) {
    await Promise.all(containers.slice(i, i + 8).map((container) => docker.getContainer(container.Id).remove({ force: true }).catch(() => undefined)));
  }
};

export async function run(): Promise<Figure[]> {
  const docker = new Dockerode();
  await removeBenchContainers(docker);
  const root = await mkdtemp(path.join(tmpdir(), "pincer-bench-"));
  const workspaces = path.join(root, "workspaces");
  let counter = 0;
  const newSpec = async (init: boolean): Promise<SandboxSpec> => {
    const sessionId = `b${process.pid}x${counter++}`;
    const workspaceDir = path.join(workspaces, sessionId);
    if (init) await initWorkspace(workspaceDir, { kind: "empty" });
    else await mkdir(workspaceDir, { recursive: true });
    return { ...defaults, sessionId, ownerId: "bench", workspaceDir };
  };
  const drivers: DockerSandboxDriver[] = [];
  const figures: Figure[] = [];
  try {
    // As the server has them: exec servers reached over their direct sockets (exec-socket.ts).
    const execSocketDir = path.join(root, "exec");
    const coldDriver = createDockerDriver({ labelPrefix: PREFIX, execSocketDir });
    const fallbackDriver = createDockerDriver({ labelPrefix: PREFIX, execPath: "docker-exec" });
    drivers.push(coldDriver, fallbackDriver);

    // --- per-call overhead on one container ---------------------------------------------------
    const mainSpec = await newSpec(true);
    const main = await coldDriver.create(mainSpec);
    const mainContext = toolContext(main);
    await bashCall(mainContext, "true");
    const shell = await openShell(docker, main.id);
    const sessionCall = sessionToolPath(main, mainContext);
    const bashTrue = () => sessionCall("Bash", { command: "true" });
    const paced = await interleavedRounds(4, 75, () => inContainerShellFloor(main, CALL_GAP_MS, 75), {
      toolCall: bashTrue,
      bashRun: () => bashCall(mainContext, "true"),
      sandboxExec: () => main.exec({ cmd: ["true"] }),
      persistentShell: shell.run,
    });
    shell.close();
    const [shellFloor, toolCall, bashRun, sandboxExec, persistentShell] = ["floor", "toolCall", "bashRun", "sandboxExec", "persistentShell"].map((name) => percentile(paced[name]!, 50));
    const shellFloorBackToBack = percentile(await inContainerShellFloor(main, 0), 50);
    const toolCallBackToBack = percentile(await timeEach(300, bashTrue), 50);
    const dockerExecTrue = percentile(await timeEach(40, () => dockerExec(docker, main.id, ["true"]), 3, CALL_GAP_MS), 50);
    const fallback = await fallbackDriver.ensure(mainSpec);
    const fallbackContext = toolContext(fallback.sandbox);
    const toolCallFallback = percentile(await timeEach(40, () => bashCall(fallbackContext, "true"), 3, CALL_GAP_MS), 50);
    figures.push(
      figure("shell_floor_true_ms_p50", shellFloor, "ms"),
      figure("persistent_shell_true_ms_p50", persistentShell, "ms"),
      figure("tool_call_true_ms_p50", toolCall, "ms", "shell_floor_true_ms_p50"),
      figure("bash_tool_run_true_ms_p50", bashRun, "ms", "shell_floor_true_ms_p50"),
      figure("exec_server_true_ms_p50", sandboxExec, "ms", "shell_floor_true_ms_p50"),
      figure("docker_exec_true_ms_p50", dockerExecTrue, "ms", "shell_floor_true_ms_p50"),
      figure("tool_call_true_via_docker_exec_ms_p50", toolCallFallback, "ms", "docker_exec_true_ms_p50"),
      figure("shell_floor_true_back_to_back_ms_p50", shellFloorBackToBack, "ms"),
      figure("tool_call_true_back_to_back_ms_p50", toolCallBackToBack, "ms", "shell_floor_true_back_to_back_ms_p50"),
    );

    // --- 1 MiB Read: the Read tool against a plain host read of the same file -----------------
    const line = `${"x".repeat(1023)}\n`;
    await writeFile(path.join(mainSpec.workspaceDir, "big.txt"), line.repeat(1024));
    const hostReadOnce = () => readFile(path.join(mainSpec.workspaceDir, "big.txt"));
    const reads = await interleavedRounds(4, 50, () => timeEach(50, hostReadOnce, 3, CALL_GAP_MS), {
      toolRead: () => sessionCall("Read", { file_path: "big.txt" }),
      readRun: () => readTool.run({ file_path: "big.txt" }, mainContext),
    });
    const [hostRead, toolRead, readRun] = ["floor", "toolRead", "readRun"].map((name) => percentile(reads[name]!, 50));
    figures.push(
      figure("host_read_1mib_ms_p50", hostRead, "ms"),
      figure("read_1mib_ms_p50", toolRead, "ms", "host_read_1mib_ms_p50"),
      figure("read_tool_run_1mib_ms_p50", readRun, "ms", "host_read_1mib_ms_p50"),
    );

    // --- session start: create to first command output ----------------------------------------
    const firstOutput = async (driver: DockerSandboxDriver) => {
      const started = performance.now();
      const spec = await newSpec(true);
      const { sandbox } = await driver.ensure(spec);
      let firstChunkAt = 0;
      await bashTool.run({ command: "echo ready" }, { ...toolContext(sandbox), onOutput: () => (firstChunkAt ||= performance.now()) });
      return { ms: firstChunkAt - started, sessionId: spec.sessionId };
    };
    // Made only now: its pool filling in the background would disturb the per-call figures above.
    const warmDriver = createDockerDriver({ labelPrefix: PREFIX, execSocketDir, pool: { size: 2, dir: path.join(workspaces, ".pool"), spec: defaults } });
    drivers.push(warmDriver);
    const warmTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      await warmDriver.pool?.full();
      const { ms, sessionId } = await firstOutput(warmDriver);
      warmTimes.push(ms);
      await warmDriver.destroy(sessionId);
    }
    const coldTimes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const { ms, sessionId } = await firstOutput(coldDriver);
      coldTimes.push(ms);
      await coldDriver.destroy(sessionId);
    }
    const rawTimes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const spec = await newSpec(false);
      const started = performance.now();
      const container = await docker.createContainer({
        name: `${PREFIX}-raw-${i}-${process.pid}`,
        Image: spec.image,
        Cmd: ["sleep", "infinity"],
        User: "1000:1000",
        Labels: { [`${PREFIX}.managed`]: "true" },
        NetworkDisabled: true,
        HostConfig: {
          Init: true,
          NetworkMode: "none",
          CapDrop: ["ALL"],
          SecurityOpt: ["no-new-privileges"],
          ReadonlyRootfs: true,
          Mounts: [{ Type: "bind", Source: spec.workspaceDir, Target: "/workspace" }],
          Memory: spec.memoryBytes,
          PidsLimit: spec.pidsLimit,
        },
      });
      await container.start();
      await dockerExec(docker, container.id, ["echo", "ready"]);
      rawTimes.push(performance.now() - started);
      await container.remove({ force: true });
    }
    const initTimes = await timeEach(10, async () => newSpec(true), 0);
    const warm = percentile(warmTimes, 50);
    figures.push(
      figure("docker_create_start_exec_ms_p50", percentile(rawTimes, 50), "ms"),
      figure("session_start_warm_ms_p50", warm, "ms", "docker_create_start_exec_ms_p50"),
      figure("session_first_output_ms_p50", warm, "ms", "docker_create_start_exec_ms_p50"),
      figure("session_start_cold_ms_p50", percentile(coldTimes, 50), "ms", "docker_create_start_exec_ms_p50"),
      // The host-side part of both start figures: git init + empty commit of the workspace.
      figure("workspace_init_empty_ms_p50", percentile(initTimes, 50), "ms"),
    );
    await warmDriver.pool?.dispose();

    // --- 8 parallel tool calls in 8 sessions ---------------------------------------------------
    const eight: Sandbox[] = [main];
    for (let i = 1; i < 8; i++) eight.push(await coldDriver.create(await newSpec(false)));
    const contexts = eight.map(toolContext);
    await Promise.all(contexts.map((context) => bashCall(context, "true")));
    const parallelTimes: number[] = [];
    const parallelDockerTimes: number[] = [];
    for (let r = 0; r < 15; r++) {
      await Promise.all(
        contexts.map(async (context) => {
          const started = performance.now();
          await bashCall(context, "true");
          parallelTimes.push(performance.now() - started);
        }),
      );
      await Promise.all(
        eight.map(async (sandbox) => {
          const started = performance.now();
          await dockerExec(docker, sandbox.id, ["true"]);
          parallelDockerTimes.push(performance.now() - started);
        }),
      );
    }
    figures.push(
      figure("parallel8_docker_exec_ms_p95", percentile(parallelDockerTimes, 95), "ms"),
      figure("parallel8_tool_call_ms_p50", percentile(parallelTimes, 50), "ms"),
      figure("parallel8_tool_call_ms_p95", percentile(parallelTimes, 95), "ms", "parallel8_docker_exec_ms_p95"),
    );

    // --- host memory per session: idle, then active ---------------------------------------------
    const fleet: Sandbox[] = [...eight];
    const queue = Array.from({ length: MEMORY_SESSIONS - fleet.length }, () => null);
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        while (queue.pop() !== undefined) {
          const sandbox = await coldDriver.create(await newSpec(false));
          await sandbox.exec({ cmd: ["true"] });
          fleet.push(sandbox);
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const measure = async () => {
      const shims = await shimMemoryMb();
      const each = await Promise.all(fleet.map(async (sandbox) => (await hostMemoryMb(sandbox.id)) + (shims.get(sandbox.id) ?? 0)));
      return each.reduce((sum, value) => sum + value, 0) / each.length;
    };
    const idle = await measure();
    // Active: each session has run a small batch (git, python) and has a command in flight.
    const inFlight = new AbortController();
    for (let i = 0; i < fleet.length; i += 4) {
      await Promise.all(fleet.slice(i, i + 4).map((sandbox) => sandbox.exec({ cmd: ["bash", "-c", "git init -q /tmp/r && git -C /tmp/r status >/dev/null && python3 -c 'print(sum(range(10**5)))' >/dev/null && ls -R /usr/lib >/dev/null"] })));
    }
    const running = fleet.map((sandbox) => sandbox.exec({ cmd: ["bash", "-c", "sleep 60"], signal: inFlight.signal }));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const active = await measure();
    inFlight.abort();
    await Promise.all(running);
    figures.push(figure(`idle_session_host_mb`, idle, "MB"), figure(`active_session_host_mb`, active, "MB"));
    console.error(`(memory figures: mean over ${fleet.length} concurrent sessions; cgroup working set + containerd shim PSS)`);
  } finally {
    for (const driver of drivers) await driver.dispose().catch(() => undefined);
    await removeBenchContainers(docker);
    await rm(root, { recursive: true, force: true });
  }
  return figures;
}
