// The NotebookEdit tool's description for the model.
export const notebookEditDescription = `Edits one cell of a Jupyter notebook (.ipynb) in the workspace.

- Read the notebook first in this session; the edit fails if it changed since.
- edit_mode "replace" (default) sets the cell's source (a code cell's outputs are cleared); "insert" adds a new cell after \`cell_id\` (at the top without one) and needs \`cell_type\`; "delete" removes the cell.
- cell_id is the cell's id as stored in the notebook; for notebooks without ids use "cell-N" (0-based position).
- new_source is the whole source of the cell.`;
