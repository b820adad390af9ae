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

export const modelRequests = async (request: APIRequestContext): Promise<Array<{ path: string; body: Record<string, unknown> }>> => {
  const response = await request.get(`${modelUrl}/__requests`);
  return ((await response.json()) as { requests: Array<{ path: string; body: Record<string, unknown> }> }).requests;
};
