// Drives the scripted model server the e2e run started (see playwright.config.ts).
import { expect, type APIRequestContext } from "@playwright/test";

export const modelUrl = `http://127.0.0.1:${process.env.PINCER_E2E_MODEL_PORT ?? 3299}`;

export type ScriptStep = Record<string, unknown>;

export const scriptModel = async (request: APIRequestContext, steps: ScriptStep[]) => {
  const response = await request.post(`${modelUrl}/__script`, { data: { steps } });
  expect(response.ok()).toBeTruthy();
};

/** Fails the test when the model server saw a request it did not expect. */
export const expectNoModelFailures = async (request: APIRequestContext) => {
  const response = await request.get(`${modelUrl}/__failures`);
  expect(((await response.json()) as { failures: unknown[] }).failures).toEqual([]);
};

/** stepIndex: the script step that answered; responderIndex: the content responder that did. */
export type ModelRequest = { path: string; body: Record<string, unknown>; stepIndex?: number; responderIndex?: number };

export const modelRequests = async (request: APIRequestContext): Promise<ModelRequest[]> => {
  const response = await request.get(`${modelUrl}/__requests`);
  return ((await response.json()) as { requests: ModelRequest[] }).requests;
};

/** Answers requests by content (parallel subagents, summaries): see ContentResponder in test-support/scripted-model/server.ts. */
export const respondByContent = async (request: APIRequestContext, responders: Array<{ match: Record<string, unknown>; steps: ScriptStep[] }>) => {
  const response = await request.post(`${modelUrl}/__responders`, { data: { responders } });
  expect(response.ok()).toBeTruthy();
};

/** Forgets the script, responders, recorded requests and failures (a test's own view of /__requests). */
export const resetModel = async (request: APIRequestContext) => {
  const response = await request.post(`${modelUrl}/__reset`, { data: {} });
  expect(response.ok()).toBeTruthy();
};
