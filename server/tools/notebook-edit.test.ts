import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeFileToolContext } from "./file-tools.test-helpers";
import { notebookEditTool } from "./notebook-edit";
import { readTool } from "./read";

const notebook = {
  cells: [
    { cell_type: "markdown", id: "intro", metadata: {}, source: ["# Title\n", "text"] },
    { cell_type: "code", id: "calc", metadata: {}, source: ["x = 1\n", "x"], execution_count: 3, outputs: [{ output_type: "execute_result", data: { "text/plain": ["1"] } }] },
  ],
  metadata: { kernelspec: { name: "python3" } },
  nbformat: 4,
  nbformat_minor: 5,
};

const setup = async () => {
  const { workspaceDir, context } = await makeFileToolContext();
  const file = path.join(workspaceDir, "nb.ipynb");
  await writeFile(file, `${JSON.stringify(notebook, null, 1)}\n`);
  const load = async () => JSON.parse(await readFile(file, "utf8")) as typeof notebook & { cells: Array<Record<string, unknown>> };
  return { context, file, load };
};

describe("NotebookEdit tool", () => {
  it("requires a Read, then replaces a code cell's source and clears its outputs", async () => {
    const { context, load } = await setup();
    await expect(notebookEditTool.run({ notebook_path: "nb.ipynb", cell_id: "calc", new_source: "y = 2" }, context)).rejects.toThrow(/Read it first/);
    await readTool.run({ file_path: "nb.ipynb" }, context);
    const result = await notebookEditTool.run({ notebook_path: "nb.ipynb", cell_id: "calc", new_source: "y = 2\ny" }, context);
    expect(result.output).toBe("Updated cell calc of /workspace/nb.ipynb (2 cells now).");
    const saved = await load();
    expect(saved.cells[1]).toEqual({ cell_type: "code", id: "calc", metadata: {}, source: ["y = 2\n", "y"], execution_count: null, outputs: [] });
    expect(saved.metadata).toEqual(notebook.metadata);
  });

  it("inserts after a cell (or at the top) and deletes cells", async () => {
    const { context, load } = await setup();
    await readTool.run({ file_path: "nb.ipynb" }, context);
    await expect(notebookEditTool.run({ notebook_path: "nb.ipynb", new_source: "z", edit_mode: "insert" }, context)).rejects.toThrow(/cell_type/);
    await notebookEditTool.run({ notebook_path: "nb.ipynb", cell_id: "intro", new_source: "import os", cell_type: "code", edit_mode: "insert" }, context);
    await notebookEditTool.run({ notebook_path: "nb.ipynb", new_source: "Top", cell_type: "markdown", edit_mode: "insert" }, context);
    let saved = await load();
    expect(saved.cells.map((cell) => cell.source)).toEqual([["Top"], ["# Title\n", "text"], ["import os"], ["x = 1\n", "x"]]);
    expect(saved.cells[2]).toMatchObject({ cell_type: "code", outputs: [], execution_count: null });
    expect(saved.cells[2]!.id).toMatch(/^[0-9a-f]{8}$/);
    await notebookEditTool.run({ notebook_path: "nb.ipynb", cell_id: "intro", new_source: "", edit_mode: "delete" }, context);
    saved = await load();
    expect(saved.cells).toHaveLength(3);
    await notebookEditTool.run({ notebook_path: "nb.ipynb", cell_id: "cell-0", new_source: "print(1)", cell_type: "code" }, context);
    expect((await load()).cells[0]).toMatchObject({ cell_type: "code", source: ["print(1)"] });
  });

  it("reports unknown cells, non-notebooks and broken JSON", async () => {
    const { context, file } = await setup();
    await readTool.run({ file_path: "nb.ipynb" }, context);
    await expect(notebookEditTool.run({ notebook_path: "nb.ipynb", cell_id: "nope", new_source: "" }, context)).rejects.toThrow(
      "No cell nope in /workspace/nb.ipynb. Its cells are: intro, calc.",
    );
    await expect(notebookEditTool.run({ notebook_path: "a.py", new_source: "" }, context)).rejects.toThrow(/not a Jupyter notebook/);
    await writeFile(file, "{broken");
    await readTool.run({ file_path: "nb.ipynb" }, context);
    await expect(notebookEditTool.run({ notebook_path: "nb.ipynb", cell_id: "calc", new_source: "" }, context)).rejects.toThrow(/not valid notebook JSON/);
    await expect(notebookEditTool.run({ notebook_path: "/etc/x.ipynb", new_source: "" }, context)).rejects.toThrow(/outside the workspace/);
  });
});
