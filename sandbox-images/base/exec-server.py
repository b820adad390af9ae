#!/usr/bin/env python3
# Pincer's exec server: runs inside a session container, started once per container with
# `docker exec -i`, and carries many concurrent commands over that one stdin/stdout stream
# (server/sandbox/exec-channel.ts is the other end). Saves a docker exec round trip (~50 ms,
# queueing under load) per command; without this file the server falls back to docker exec.
#
# Frames both ways: type (u8), command id (u32 BE), payload length (u32 BE), payload.
#   client -> server: SPAWN json {cmd, cwd, env, stdin}, STDIN bytes, STDIN_EOF, SIGNAL json {signal}
#   server -> client: HELLO json, STDOUT bytes, STDERR bytes, EXIT json {code, signal, oom, pids}, ERROR json
import errno
import json
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time

VERSION = 1
HEADER = struct.Struct(">BII")
SPAWN, STDIN, STDIN_EOF, SIGNAL = 1, 2, 3, 4
HELLO, STDOUT, STDERR, EXIT, ERROR = 10, 11, 12, 13, 14
READ_SIZE = 64 * 1024
# Background jobs (`cmd &`) inherit the command's pipes; once the command itself has exited, its
# result is sent after this long even if they still hold them (their later output is dropped).
DRAIN_AFTER_EXIT_S = 0.1
# Output is held this long (or until READ_SIZE of it is waiting) before it is sent, so the last
# output of a command leaves in one write with its exit report: each write crosses the docker
# stream (shim, engine, server) on its own (~0.1 ms a Bash call, which always prints its cwd marker).
HOLD_OUTPUT_S = 0.002


class Counter:
    """A cgroup event counter (v1 or v2 path), read with pread on a descriptor kept open: it is read
    at the start and end of every command, and open+read+close cost more than the rest of the
    server's work for a short command."""

    def __init__(self, paths, key):
        self.key = key.encode()
        self.fd = None
        for path in paths:
            try:
                self.fd = os.open(path, os.O_RDONLY)
                return
            except OSError:
                continue

    def read(self):
        """The value, or None when the file is not there or cannot be read."""
        if self.fd is None:
            return None
        try:
            text = os.pread(self.fd, 4096, 0)
        except OSError:
            return None
        for line in text.splitlines():
            name, _, value = line.partition(b" ")
            if name == self.key:
                return int(value)
        return None


oom_counter = Counter(["/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"], "oom_kill")
pids_counter = Counter(["/sys/fs/cgroup/pids/pids.events", "/sys/fs/cgroup/pids.events"], "max")


def oom_kills():
    return oom_counter.read()


def pids_max_hits():
    return pids_counter.read()


# Frames go to the server's direct socket when it offers one (server/sandbox/exec-socket.ts), else
# to stdout; stdin stays open either way, and its end is the server's word to stop.
out_fd = sys.stdout.fileno()
server_cwd = os.getcwd()


def frame(kind, ident, payload=b""):
    return HEADER.pack(kind, ident, len(payload)) + payload


def send(kind, ident, payload=b"", held=b""):
    write_all(held + frame(kind, ident, payload))


def write_all(data):
    write_all_to(out_fd, data)


def write_all_to(fd, data):
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view):]
        except InterruptedError:
            continue


def send_json(kind, ident, value):
    send(kind, ident, json.dumps(value).encode())


class Command:
    def __init__(self, ident, proc, has_stdin):
        self.ident = ident
        self.proc = proc
        self.open_streams = 2
        self.exit_status = None
        self.exited_at = None
        self.stdin_buffer = bytearray()
        self.stdin_eof = not has_stdin
        self.stdin_registered = False
        self.streams_done = set()
        # Output frames not sent yet, and when they must go at the latest.
        self.held = bytearray()
        self.send_by = None
        self.oom_before = oom_kills()
        self.pids_before = pids_max_hits()


selector = selectors.DefaultSelector()
commands = {}
in_buffer = bytearray()


def close_stdin(command):
    stdin = command.proc.stdin
    if stdin is None:
        return
    command.proc.stdin = None
    if command.stdin_registered:
        selector.unregister(stdin)
        command.stdin_registered = False
    try:
        os.close(stdin)
    except OSError:
        pass


def flush_stdin(command):
    stdin = command.proc.stdin
    if stdin is None:
        return
    while command.stdin_buffer:
        try:
            written = os.write(stdin, command.stdin_buffer)
        except BlockingIOError:
            break
        except OSError:
            # The command closed its stdin or exited: what it did not read is dropped.
            command.stdin_buffer.clear()
            close_stdin(command)
            return
        del command.stdin_buffer[:written]
    if not command.stdin_buffer and command.stdin_eof:
        close_stdin(command)
        return
    wants_write = bool(command.stdin_buffer)
    if wants_write and not command.stdin_registered:
        selector.register(stdin, selectors.EVENT_WRITE, ("stdin", command))
    elif not wants_write and command.stdin_registered:
        selector.unregister(stdin)
    command.stdin_registered = wants_write


class Process:
    """A started command: its pid and our ends of its pipes (raw descriptors). The Popen object is
    kept so that subprocess never reaps the pid behind our back (we reap with waitpid)."""

    def __init__(self, popen, stdout, stderr, stdin=None):
        self.popen = popen
        self.pid = popen.pid
        self.stdout = stdout
        self.stderr = stderr
        self.stdin = stdin


def start_process(argv, env, has_stdin, cwd=None, pass_fds=()):
    """Popen of argv in its own session (setsid), on pipes of our own. Not os.posix_spawn, though
    it is ~0.2 ms faster: glibc leaves its two internal signals (32, 33) ignored in the child, and
    ignored signals stay ignored in every program the command runs."""
    ours = []
    theirs = []
    try:
        stdin_read, stdin_write = os.pipe() if has_stdin else (subprocess.DEVNULL, None)
        if has_stdin:
            ours.append(stdin_write)
            theirs.append(stdin_read)
        stdout_read, stdout_write = os.pipe()
        stderr_read, stderr_write = os.pipe()
        ours += [stdout_read, stderr_read]
        theirs += [stdout_write, stderr_write]
        popen = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=stdin_read,
            stdout=stdout_write,
            stderr=stderr_write,
            start_new_session=True,
            pass_fds=pass_fds,
        )
    except BaseException:
        for fd in ours:
            os.close(fd)
        raise
    finally:
        for fd in theirs:
            os.close(fd)
    for fd in ours:
        os.set_blocking(fd, False)
    return Process(popen, stdout_read, stderr_read, stdin_write)


# A spare shell: `bash -c` started ahead and blocked reading its command, so a Bash call does not
# wait for bash to start (about 1 ms of the 1.5-2.5 ms a `bash -c true` takes here). It sources
# what we write to its control pipe, which sets the positional parameters, $0 and the script, then
# closes the pipe; the script is eval'ed at the top level, so errors read "<$0>: line N: ..." as
# under `bash -c`. Used for `bash -c` requests with no stdin, no extra environment and the
# server's own working directory; everything else is spawned as asked.
SPARE_LOADER = '. /dev/fd/{fd}; exec {fd}<&-; eval "unset __pincer_script;$__pincer_script"'
# Larger programs would not fit the pipe in one write.
SPARE_MAX_PROGRAM = 60 * 1024
spare = None
spare_usable = os.path.isdir("/proc/self/fd")


def shell_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def make_spare():
    global spare
    if spare is not None or not spare_usable:
        return
    control_read, control_write = os.pipe()
    try:
        process = start_process(["bash", "-c", SPARE_LOADER.format(fd=control_read)], os.environ, False, pass_fds=(control_read,))
    except OSError:
        os.close(control_write)
        return  # No bash, or the process limit is used up: spawned as asked until it works again.
    finally:
        os.close(control_read)
    process.control = control_write
    spare = process


def discard_spare():
    """Drops the spare shell (it died, or we are stopping): kills it and closes our ends."""
    global spare
    if spare is None:
        return
    try:
        os.kill(spare.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(spare.pid, 0)
    except ChildProcessError:
        pass
    forget_spare()


def reap_spare():
    """Forgets the spare shell when it died waiting (killed by a command, or out of memory)."""
    global spare
    if spare is None:
        return
    try:
        pid, _ = os.waitpid(spare.pid, os.WNOHANG)
    except ChildProcessError:
        pid = spare.pid
    if pid == 0:
        return
    forget_spare()


def forget_spare():
    """After the spare was reaped: subprocess must not reap it again; our pipe ends close."""
    global spare
    spare.popen.returncode = -1
    for fd in (spare.control, spare.stdout, spare.stderr):
        os.close(fd)
    spare = None


def spare_program(argv):
    lines = ["SECONDS=0"]
    if len(argv) > 3:
        lines.append("BASH_ARGV0=" + shell_quote(argv[3]))
    lines.append("set -- " + " ".join(shell_quote(arg) for arg in argv[4:]))
    lines.append("__pincer_script=" + shell_quote(argv[2]))
    return ("\n".join(lines) + "\n").encode()


def start_in_spare(argv, request, has_stdin):
    """The request run by the spare shell, or None when it does not qualify or there is none."""
    global spare
    if spare is None or has_stdin or request.get("env") or len(argv) < 3 or argv[:2] != ["bash", "-c"]:
        return None
    if request.get("cwd") not in (None, server_cwd) or any("\0" in arg for arg in argv):
        return None
    program = spare_program(argv)
    if len(program) > SPARE_MAX_PROGRAM:
        return None
    reap_spare()
    if spare is None:
        return None
    try:
        write_all_to(spare.control, program)
    except OSError:
        discard_spare()
        return None
    process = spare
    os.close(process.control)
    spare = None
    return process


def spawn(ident, request):
    env = dict(os.environ)
    env.update(request.get("env") or {})
    has_stdin = bool(request.get("stdin"))
    argv = request["cmd"]
    cwd = request.get("cwd") or None
    try:
        process = start_in_spare(argv, request, has_stdin) or start_process(argv, env, has_stdin, cwd)
    except FileNotFoundError as error:
        if cwd is not None and error.filename == cwd:
            send_json(ERROR, ident, {"message": f"the working directory {cwd} does not exist"})
            return
        send(STDERR, ident, f"pincer-exec: {argv[0]}: not found\n".encode())
        send_json(EXIT, ident, {"code": 127, "signal": None, "oom": False, "pids": False})
        return
    except NotADirectoryError:
        send_json(ERROR, ident, {"message": f"the working directory {cwd} is not a directory"})
        return
    except PermissionError as error:
        if cwd is not None and error.filename == cwd:
            send_json(ERROR, ident, {"message": f"the working directory {cwd} cannot be entered: {error.strerror}"})
            return
        send(STDERR, ident, f"pincer-exec: {argv[0]}: {error.strerror}\n".encode())
        send_json(EXIT, ident, {"code": 126, "signal": None, "oom": False, "pids": False})
        return
    except ValueError:
        send_json(ERROR, ident, {"message": f"cannot start {argv[0]!r}: an argument or variable contains a NUL byte"})
        return
    except OSError as error:
        if error.errno == errno.EAGAIN:
            # The pids limit is used up (a fork bomb): report it like a shell would.
            send(STDERR, ident, b"pincer-exec: cannot start the command: the sandbox's process limit is used up\n")
            send_json(EXIT, ident, {"code": 126, "signal": None, "oom": False, "pids": True})
            return
        send_json(ERROR, ident, {"message": f"cannot start {argv[0]}: {error.strerror}"})
        return
    command = Command(ident, process, has_stdin)
    commands[ident] = command
    for fd, kind in ((process.stdout, STDOUT), (process.stderr, STDERR)):
        selector.register(fd, selectors.EVENT_READ, ("out", command, kind))


def group_members(leader):
    """Processes in the command's process group or session (its children, however deep)."""
    members = []
    leader_id = str(leader).encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # fields[1] is the state, fields[2] the process group, fields[3] the session.
        if fields[1] != b"Z" and (fields[2] == leader_id or fields[3] == leader_id):
            members.append(int(entry))
    return members


def signal_group(command, signum):
    """Signals the command's process group and every process in its session. For SIGKILL, again
    until none is left: a fork bomb makes new processes between one scan and the next."""
    for _ in range(50 if signum == signal.SIGKILL else 1):
        members = group_members(command.proc.pid)
        if not members:
            return
        for pid in members:
            try:
                os.kill(pid, signum)
            except OSError:
                pass


def hold_output(command, kind, data):
    command.held += frame(kind, command.ident, data)
    if len(command.held) >= READ_SIZE:
        send_held(command)
    elif command.send_by is None:
        command.send_by = now() + HOLD_OUTPUT_S


def send_held(command):
    if command.held:
        write_all(bytes(command.held))
        command.held.clear()
    command.send_by = None


def finish(command):
    for stream in (command.proc.stdout, command.proc.stderr):
        if stream in command.streams_done:
            continue
        # A background job still holds this pipe: keep reading (and dropping) what it writes, so
        # it does not die of SIGPIPE when the call that started it has returned.
        selector.modify(stream, selectors.EVENT_READ, ("drain",))
    close_stdin(command)
    status = command.exit_status
    signum = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    code = 128 + signum if signum is not None else os.WEXITSTATUS(status)
    oom_after = oom_kills()
    pids_after = pids_max_hits()
    oom = signum == signal.SIGKILL and None not in (command.oom_before, oom_after) and oom_after > command.oom_before
    pids = None not in (command.pids_before, pids_after) and pids_after > command.pids_before
    if pids:
        # It ran into the process limit (a fork bomb, most likely): whatever it left running in
        # the background goes too, so the sandbox has processes to spare for the next command.
        signal_group(command, signal.SIGKILL)
    del commands[command.ident]
    send(EXIT, command.ident, json.dumps({"code": code, "signal": signum, "oom": oom, "pids": pids}).encode(), bytes(command.held))
    # After the report, not while the command runs: its start (about 1 ms of CPU) would slow the
    # command down in a sandbox limited to one CPU. The model's next answer takes far longer.
    make_spare()


def reap():
    for command in list(commands.values()):
        if command.exit_status is not None:
            continue
        try:
            pid, status = os.waitpid(command.proc.pid, os.WNOHANG)
        except ChildProcessError:
            pid, status = command.proc.pid, 0
        if pid == 0:
            continue
        command.exit_status = status
        # Reaped by us: subprocess must not try again (it would take another process's status).
        command.proc.popen.returncode = status
        command.exited_at = now()
        if command.open_streams == 0:
            finish(command)


now = time.monotonic


def handle_frame(kind, ident, payload):
    if kind == SPAWN:
        spawn(ident, json.loads(payload))
        return
    command = commands.get(ident)
    if command is None:
        return
    if kind == STDIN:
        command.stdin_buffer += payload
        flush_stdin(command)
    elif kind == STDIN_EOF:
        command.stdin_eof = True
        flush_stdin(command)
    elif kind == SIGNAL:
        signal_group(command, getattr(signal, "SIG" + json.loads(payload)["signal"]))


def read_requests(fd):
    try:
        data = os.read(fd, READ_SIZE)
    except BlockingIOError:
        return True
    except OSError:
        return False  # The server's socket was reset: as good as closed.
    if not data:
        return False
    in_buffer.extend(data)
    while len(in_buffer) >= HEADER.size:
        kind, ident, length = HEADER.unpack_from(in_buffer)
        if len(in_buffer) < HEADER.size + length:
            break
        payload = bytes(in_buffer[HEADER.size:HEADER.size + length])
        del in_buffer[:HEADER.size + length]
        handle_frame(kind, ident, payload)
    return True


def connect_direct():
    """The server's direct socket, after presenting the token; None when not offered or unreachable
    (gVisor without --host-uds, say): then frames use stdin and stdout. The variables are removed
    so the commands do not inherit them."""
    path = os.environ.pop("PINCER_EXEC_SOCKET", None)
    token = os.environ.pop("PINCER_EXEC_TOKEN", None)
    if not path or not token:
        return None
    direct = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        direct.settimeout(2)
        direct.connect(path)
        direct.sendall(token.encode() + b"\n")
        direct.settimeout(None)
    except OSError:
        direct.close()
        return None
    return direct


def main():
    global out_fd
    direct = connect_direct()
    # SIGCHLD wakes the select loop through this pipe.
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write, warn_on_full_buffer=False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector.register(wake_read, selectors.EVENT_READ, ("wake",))
    stdin_fd = sys.stdin.fileno()
    os.set_blocking(stdin_fd, False)
    if direct is None:
        in_fd = stdin_fd
    else:
        # Blocking, for whole writes; reads happen only when select says there is data.
        in_fd = out_fd = direct.fileno()
        selector.register(stdin_fd, selectors.EVENT_READ, ("lifeline",))
    selector.register(in_fd, selectors.EVENT_READ, ("in",))
    send_json(HELLO, 0, {"version": VERSION, "pid": os.getpid(), "transport": "stream" if direct is None else "socket"})
    make_spare()
    running = True
    while running:
        deadlines = [c.exited_at + DRAIN_AFTER_EXIT_S for c in commands.values() if c.exited_at is not None]
        deadlines += [c.send_by for c in commands.values() if c.send_by is not None]
        timeout = max(0.0, min(deadlines) - now()) if deadlines else None
        for key, events in selector.select(timeout):
            tag = key.data[0]
            if tag == "wake":
                try:
                    os.read(wake_read, 4096)
                except BlockingIOError:
                    pass
            elif tag == "in":
                running = read_requests(in_fd)
            elif tag == "lifeline":
                try:
                    running = bool(os.read(stdin_fd, READ_SIZE))
                except BlockingIOError:
                    pass
            elif tag == "drain":
                try:
                    if not os.read(key.fd, READ_SIZE):
                        selector.unregister(key.fd)
                        os.close(key.fd)
                except BlockingIOError:
                    pass
            elif tag == "stdin":
                flush_stdin(key.data[1])
            elif tag == "out":
                command, kind = key.data[1], key.data[2]
                try:
                    data = os.read(key.fd, READ_SIZE)
                except BlockingIOError:
                    continue
                if data:
                    hold_output(command, kind, data)
                    continue
                selector.unregister(key.fd)
                os.close(key.fd)
                command.streams_done.add(key.fd)
                command.open_streams -= 1
                if command.open_streams == 0 and command.exit_status is not None and command.ident in commands:
                    finish(command)
        reap()
        reap_spare()
        for command in list(commands.values()):
            if command.exited_at is not None and now() - command.exited_at >= DRAIN_AFTER_EXIT_S:
                finish(command)
            elif command.send_by is not None and now() >= command.send_by:
                send_held(command)
    # The server went away: nothing is left to report to, so stop every command it started.
    discard_spare()
    for command in list(commands.values()):
        signal_group(command, signal.SIGKILL)


if __name__ == "__main__":
    main()
