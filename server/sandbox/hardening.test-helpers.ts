// Test helper: a sandbox's hardening as seen from inside it, asked the same way under every runtime
// (docker.test.ts checks runc with it, gvisor.test.ts gVisor).
import { expect } from "vitest";
import type { Sandbox } from "./sandbox";

/** One shell line per fact; each answers with a short value (gVisor has no cgroup files or /sys/class/net). */
const hardeningProbes = {
  uid: "id -u",
  capabilities: "grep -E '^Cap(Prm|Eff|Bnd):' /proc/self/status",
  // PR_GET_NO_NEW_PRIVS (39), asked of the kernel itself: gVisor's /proc/self/status has no NoNewPrivs line.
  noNewPrivs: `python3 -c 'import ctypes; print(ctypes.CDLL(None).prctl(39, 0, 0, 0, 0))'`,
  interfaces: "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' '",
  egress: `python3 -c 'import errno, socket
s = socket.socket()
s.settimeout(5)
try:
    s.connect(("1.1.1.1", 443))
    print("connected")
except OSError as e:
    print("unreachable" if e.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH) else repr(e))'`,
  rootfs: "touch /usr/x 2>/dev/null && echo writable || echo read-only",
  scratch: "touch /tmp/x /home/pincer/x /workspace/x && echo writable",
  dockerSocket: "test -e /var/run/docker.sock && echo present || echo absent",
  rootProcesses: "ps -eo user=,args= | grep -v grep | grep -c '^root' || true",
  workspaceMount: "mount | grep ' /workspace ' | grep -c rw, || true",
};

/** The bash fork bomb: it goes on in the background while the leader waits a little. */
// The foreground sleeps so the command is still running when the bomb reaches the limit: a bomb
// that returns at once is only watched for the server's short drain after exit, which a loaded
// machine can pass before 256 processes exist.
export const FORK_BOMB = ["bash", "-c", "bomb() { bomb | bomb & }; bomb; sleep 3"];

/** A command that holds `mebibytes` of memory at once. */
export const memoryHog = (mebibytes: number) => ["python3", "-c", `x = bytearray(${mebibytes} * 1024 * 1024); print('survived')`];

/**
 * Runs the hardening probes (and any extra named shell lines) in one command; returns each one's
 * output, trimmed, by name.
 */
export const lookInside = async <Extra extends string = never>(sandbox: Sandbox, extra: Record<Extra, string> = {} as Record<Extra, string>) => {
  const probes: Record<string, string> = { ...hardeningProbes, ...extra };
  const script = Object.entries(probes)
    .map(([name, line]) => `printf '\\n@@%s\\n' ${name}; { ${line}; } 2>&1`)
    .join("\n");
  const result = await sandbox.exec({ cmd: ["sh", "-c", script], timeoutMs: 30_000 });
  expect(result.stderr.toString()).toBe("");
  const view: Record<string, string> = {};
  for (const part of result.stdout.toString().split(/^@@/m).slice(1)) {
    const newline = part.indexOf("\n");
    view[part.slice(0, newline)] = part.slice(newline + 1).trim();
  }
  return view as Record<keyof typeof hardeningProbes | Extra, string>;
};

/** What every sandbox must show from inside, whatever its runtime. */
export const expectHardened = (view: Awaited<ReturnType<typeof lookInside>>) => {
  expect(view.uid).toBe("1000");
  const capabilities = view.capabilities.split("\n");
  expect(capabilities).toHaveLength(3);
  for (const line of capabilities) expect(line).toMatch(/^Cap(Prm|Eff|Bnd):\s+0+$/);
  expect(view.noNewPrivs).toBe("1");
  expect(view.interfaces).toBe("lo");
  expect(view.egress).toBe("unreachable");
  expect(view.rootfs).toBe("read-only");
  expect(view.scratch).toBe("writable");
  expect(view.dockerSocket).toBe("absent");
  // Nothing in the container runs as root, the exec server included.
  expect(view.rootProcesses).toBe("0");
  expect(view.workspaceMount).toBe("1");
};
