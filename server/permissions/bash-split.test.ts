import { beforeAll, describe, expect, it } from "vitest";
import { loadBashParser, MAX_COMMAND_CHARS, splitBashCommand, unwrapCommand } from "./bash-split";

beforeAll(async () => {
  await loadBashParser();
});

const argvOf = (command: string) => splitBashCommand(command).subcommands.map((sub) => sub.argv);

describe("splitBashCommand", () => {
  it("splits at every operator, subshell and substitution", () => {
    expect(argvOf("a && b || c; d | e |& f & g\nh")).toEqual([["a"], ["b"], ["c"], ["d"], ["e"], ["f"], ["g"], ["h"]]);
    expect(argvOf("(a; (b)) && { c; }")).toEqual([["a"], ["b"], ["c"]]);
    expect(argvOf("a $(b `c`) <(d) >(e)")).toEqual([["c"], ["b", "`c`"], ["d"], ["e"], ["a", "$(b `c`)", "<(d)", ">(e)"]]);
    expect(argvOf("if a; then b; elif c; then d; else e; fi")).toEqual([["a"], ["b"], ["c"], ["d"], ["e"]]);
    expect(argvOf("for x in $(a); do b; done; while c; do d; done")).toEqual([["a"], ["b"], ["c"], ["d"]]);
  });

  it("removes quotes and escapes", () => {
    const [sub] = splitBashCommand(`echo 'a b' "c \\"d\\" \\$e" f\\ g $'h\\ti' "$x"`).subcommands;
    expect(sub?.argv).toEqual(["echo", "a b", 'c "d" $e', "f g", "h\ti", '"$x"']);
    expect(sub?.literal).toEqual([true, true, true, true, true, false]);
  });

  it("records redirections with their kind", () => {
    const [sub] = splitBashCommand("cmd > out 2>&1 < in >> log &> both 3>&-").subcommands;
    expect(sub?.redirects.map((redirect) => [redirect.kind, redirect.target])).toEqual([
      ["write", "out"],
      ["dup", "1"],
      ["read", "in"],
      ["write", "log"],
      ["write", "both"],
      ["dup", "-"],
    ]);
  });

  it("gives statement redirections to every command in the statement", () => {
    const subs = splitBashCommand("{ a; b; } > out").subcommands;
    expect(subs.map((sub) => sub.redirects.map((redirect) => redirect.target))).toEqual([["out"], ["out"]]);
  });

  it("walks heredoc bodies that expand, and flags heredocs fed to interpreters", () => {
    expect(argvOf("cat <<EOF\n$(rm x)\nEOF")).toEqual([["rm", "x"], ["cat"]]);
    expect(argvOf("cat <<'EOF'\n$(rm x)\nEOF")).toEqual([["cat"]]);
    expect(splitBashCommand("python3 <<EOF\nprint(1)\nEOF").subcommands[0]?.uncertain).toHaveLength(1);
    expect(splitBashCommand("cat <<EOF | sh\nls\nEOF").subcommands.map((sub) => sub.uncertain.length)).toEqual([0, 1]);
  });

  it("splits sh -c strings recursively", () => {
    expect(argvOf("bash -c 'a && b'")).toEqual([["a"], ["b"], ["bash", "-c", "a && b"]]);
    expect(splitBashCommand('sh -c "$X"').subcommands[0]?.uncertain[0]).toMatch(/run time/);
  });

  it("flags what it cannot judge", () => {
    expect(splitBashCommand("$CMD arg").subcommands[0]?.uncertain[0]).toMatch(/command name/);
    expect(splitBashCommand("eval x").subcommands[0]?.uncertain[0]).toMatch(/eval/);
    expect(splitBashCommand("echo 'x")).toMatchObject({ parsed: false, reason: expect.stringMatching(/syntax error/) });
    expect(splitBashCommand("x".repeat(MAX_COMMAND_CHARS + 1))).toMatchObject({ parsed: false, reason: expect.stringMatching(/longer than/) });
    // Arithmetic runs nothing; substitutions inside it still do.
    expect(argvOf("((x++))")).toEqual([]);
    expect(argvOf("(( $(rm x) ))")).toEqual([["rm", "x"]]);
  });

  it("ignores comments and bare assignments", () => {
    expect(argvOf("# just a comment")).toEqual([]);
    expect(argvOf("a=1 b=2")).toEqual([]);
    expect(splitBashCommand("A=1 cmd").subcommands[0]?.assignments).toEqual([{ name: "A", value: "1", literal: true }]);
  });
});

describe("unwrapCommand", () => {
  it.each([
    [["timeout", "5", "npm", "test"], ["npm", "test"]],
    [["timeout", "-s", "KILL", "5", "ls"], ["ls"]],
    [["nice", "-n", "10", "ls"], ["ls"]],
    [["nohup", "ls"], ["ls"]],
    [["env", "A=1", "B=2", "ls"], ["ls"]],
    [["env", "-i", "ls"], ["ls"]],
    [["command", "ls"], ["ls"]],
    [["command", "-v", "ls"], ["command", "-v", "ls"]],
    [["time", "-p", "ls"], ["ls"]],
    [["xargs", "-0", "-n", "1", "rm"], ["rm"]],
    [["xargs"], ["echo"]],
    [["timeout", "5", "nice", "nohup", "ls"], ["ls"]],
    [["stdbuf", "-o0", "ls"], ["ls"]],
  ])("%j -> %j", (argv, core) => {
    expect(unwrapCommand(argv).core).toEqual(core);
  });

  it("reports env assignments, xargs and unknown options", () => {
    expect(unwrapCommand(["env", "LD_PRELOAD=x", "ls"]).env).toEqual([{ name: "LD_PRELOAD", value: "x" }]);
    expect(unwrapCommand(["xargs", "rm"]).appendsArgs).toBe(true);
    expect(unwrapCommand(["timeout", "--weird", "5", "ls"]).unknownOption).toBe("timeout --weird");
  });
});
