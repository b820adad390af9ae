import { describe, expect, it } from "vitest";
import { builtinTools, toolSchemas } from "./registry";

describe("tool registry", () => {
  it("converts every tool's zod schema to a JSON Schema object", () => {
    const schemas = toolSchemas();
    expect(schemas.map((schema) => schema.name)).toEqual(builtinTools.map((tool) => tool.name));
    const bash = schemas.find((schema) => schema.name === "Bash")!;
    expect(bash.inputSchema).toMatchObject({ type: "object", required: ["command"] });
    expect(bash.inputSchema).not.toHaveProperty("$schema");
    expect(bash.description.length).toBeGreaterThan(100);
  });
});
