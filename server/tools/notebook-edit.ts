// NotebookEdit: replaces, inserts or deletes one cell of a Jupyter notebook (.ipynb JSON) in the
// workspace, host-side, under the same read-before-write rule as Edit.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { resolveWorkspacePath } from "../workspace/paths";
import { assertFreshRead, recordRead, statOrNull, writeWorkspaceFile } from "./file-state";
import { notebookEditDescription } from "./notebook-edit.description";
import { defineTool, ToolError } from "./tool";

type Cell = { cell_type: string; id?: string; source: string | string[]; metadata?: unknown; outputs?: unknown[]; execution_count?: number | null };
type Notebook = { cells: Cell[]; nbformat?: number; nbformat_minor?: number; [key: string]: unknown };

/** Jupyter stores source as lines that keep their "\n". */
const toSourceLines = (source: string) => source.split(/(?<=\n)/).filter((line) => line !== "");

const makeCell = (cellType: "code" | "markdown", source: string, withId: boolean): Cell => ({
  cell_type: cellType,
  ...(withId ? { id: randomBytes(4).toString("hex") } : {}),
  metadata: {},
  source: toSourceLines(source),
  ...(cellType === "code" ? { execution_count: null, outputs: [] } : {}),
});

/** The index of the cell with this id, or of "cell-N" / "N" (0-based) when no id matches. */
const findCell = (cells: Cell[], cellId: string): number => {
  const byId = cells.findIndex((cell) => cell.id === cellId);
  if (byId !== -1) return byId;
  const numbered = /^(?:cell-)?(\d+)$/.exec(cellId);
  if (numbered && Number(numbered[1]) < cells.length) return Number(numbered[1]);
  return -1;
};

/** The indentation the file already uses (Jupyter writes 1 space), so a save makes a small diff. */
const indentOf = (text: string) => /^\{\s*\n([ \t]+)"/.exec(text)?.[1] ?? " ";

export const notebookEditTool = defineTool({
  name: "NotebookEdit",
  description: notebookEditDescription,
  inputSchema: z.object({
    notebook_path: z.string().min(1).describe("Path of the .ipynb file, absolute under /workspace or relative to it"),
    cell_id: z.string().optional().describe("Id of the cell to edit (or, for insert, to insert after); \"cell-N\" for the N-th cell (0-based) when cells have no ids"),
    new_source: z.string().describe("The new source of the cell (ignored for delete)"),
    cell_type: z.enum(["code", "markdown"]).optional().describe("The cell's type; required for insert"),
    edit_mode: z.enum(["replace", "insert", "delete"]).optional().describe("replace (default), insert (a new cell after cell_id, or at the top without one), or delete"),
  }),
  readOnly: false,
  permissionKey: (input) => input.notebook_path,
  run: async (input, context) => {
    const { hostPath, sandboxPath } = await resolveWorkspacePath(context.sandbox.hostWorkspaceDir, input.notebook_path).catch(
      (error: Error) => {
        throw new ToolError(error.message);
      },
    );
    if (!sandboxPath.endsWith(".ipynb")) throw new ToolError(`${sandboxPath} is not a Jupyter notebook (.ipynb); use Edit for other files.`);
    const existing = await statOrNull(hostPath);
    if (!existing) throw new ToolError(`Notebook ${sandboxPath} does not exist.`);
    if (!existing.isFile()) throw new ToolError(`${sandboxPath} is not a regular file.`);
    assertFreshRead(context.readFiles, hostPath, sandboxPath, existing);

    const text = await readFile(hostPath, "utf8");
    const notebook = (() => {
      try {
        return JSON.parse(text) as Notebook;
      } catch (error) {
        throw new ToolError(`${sandboxPath} is not valid notebook JSON (${(error as Error).message}).`);
      }
    })();
    if (!Array.isArray(notebook.cells)) throw new ToolError(`${sandboxPath} has no "cells" list; it is not a Jupyter notebook in nbformat 4.`);
    const mode = input.edit_mode ?? "replace";
    const cells = notebook.cells;
    const index = input.cell_id === undefined ? -1 : findCell(cells, input.cell_id);
    if (input.cell_id !== undefined && index === -1) {
      const ids = cells.map((cell, i) => cell.id ?? `cell-${i}`).slice(0, 50).join(", ");
      throw new ToolError(`No cell ${input.cell_id} in ${sandboxPath}. Its cells are: ${ids || "(none)"}.`);
    }
    const withIds = (notebook.nbformat ?? 4) > 4 || ((notebook.nbformat ?? 4) === 4 && (notebook.nbformat_minor ?? 0) >= 5);

    const summary = (() => {
      if (mode === "insert") {
        if (!input.cell_type) throw new ToolError("cell_type (code or markdown) is required to insert a cell.");
        const cell = makeCell(input.cell_type, input.new_source, withIds);
        cells.splice(index + 1, 0, cell);
        return `Inserted a ${input.cell_type} cell${cell.id ? ` (id ${cell.id})` : ""} at position ${index + 1}`;
      }
      if (input.cell_id === undefined) throw new ToolError(`cell_id is required to ${mode} a cell.`);
      const target = cells[index]!;
      if (mode === "delete") {
        cells.splice(index, 1);
        return `Deleted cell ${input.cell_id}`;
      }
      const cellType = input.cell_type ?? (target.cell_type === "markdown" ? "markdown" : "code");
      if (cellType !== target.cell_type) {
        cells[index] = { ...makeCell(cellType, input.new_source, false), ...(target.id ? { id: target.id } : {}), metadata: target.metadata ?? {} };
        return `Replaced cell ${input.cell_id} with a ${cellType} cell`;
      }
      target.source = toSourceLines(input.new_source);
      // The old outputs belong to the old code.
      if (target.cell_type === "code") {
        target.outputs = [];
        target.execution_count = null;
      }
      return `Updated cell ${input.cell_id}`;
    })();

    const written = await writeWorkspaceFile(hostPath, `${JSON.stringify(notebook, null, indentOf(text))}\n`);
    recordRead(context.readFiles, hostPath, written);
    return {
      output: `${summary} of ${sandboxPath} (${cells.length} cell${cells.length === 1 ? "" : "s"} now).`,
      isError: false,
      metadata: { path: sandboxPath, mode, cells: cells.length },
    };
  },
});
