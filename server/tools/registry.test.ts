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

describe("built-in tools", () => {
  it("have unique names, descriptions, and read-only flags that match what they do", () => {
    const names = builtinTools.map((tool) => tool.name);
    expect(new Set(names).size).toBe(names.length);
    for (const tool of builtinTools) expect(tool.description.length, tool.name).toBeGreaterThan(80);
    const readOnly = builtinTools.filter((tool) => tool.readOnly).map((tool) => tool.name).sort();
    expect(readOnly).toEqual(["AskUserQuestion", "BashOutput", "ExitPlanMode", "Glob", "Grep", "LS", "Read", "Skill", "TodoWrite", "WebFetch", "WebSearch"]);
  });

  it("describe every input field for the model", () => {
    for (const schema of toolSchemas()) {
      const properties = (schema.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
      for (const [field, property] of Object.entries(properties)) expect(property.description, `${schema.name}.${field}`).toBeTruthy();
    }
  });
});
