// Page objects: the UI as a user sees it, by data-testid.
import { expect, type Page } from "@playwright/test";

export class SettingsPage {
  constructor(private readonly page: Page) {}

  async addProvider(options: { kind: "anthropic" | "openai" | "openai-compatible"; baseUrl: string; apiKey: string; model: string }) {
    await this.page.goto("/settings");
    await this.page.getByTestId("provider-kind").selectOption(options.kind);
    await this.page.getByTestId("provider-base-url").fill(options.baseUrl);
    await this.page.getByTestId("provider-api-key").fill(options.apiKey);
    await this.page.getByTestId("provider-model").fill(options.model);
    await this.page.getByTestId("provider-save").click();
    await expect(this.page.getByTestId("provider-saved")).toBeVisible();
  }
}

export class HomePage {
  constructor(private readonly page: Page) {}

  async createEmptySession(title: string) {
    await this.page.goto("/");
    await this.page.getByTestId("source-empty").check();
    await this.page.getByTestId("session-title-input").fill(title);
    await this.page.getByTestId("create-session").click();
    await this.page.waitForURL(/\/sessions\/[A-Za-z0-9_-]+$/);
    const session = new SessionPage(this.page);
    await session.waitForSandbox();
    return session;
  }
}

export class SessionPage {
  constructor(readonly page: Page) {}

  get id() {
    return new URL(this.page.url()).pathname.split("/").at(-1) ?? "";
  }

  async waitForSandbox() {
    await expect(this.page.getByTestId("info-notice").filter({ hasText: "Sandbox ready" })).toBeVisible({ timeout: 60_000 });
  }

  async send(text: string) {
    await this.page.getByTestId("composer-input").fill(text);
    await this.page.getByTestId("send-button").click();
  }

  toolCards() {
    return this.page.getByTestId("tool-call");
  }

  /** Opens a finished tool card (done cards start collapsed) and returns its output element. */
  async toolOutput(index: number) {
    const card = this.toolCards().nth(index);
    const header = card.locator("button[aria-expanded]").first();
    if ((await header.getAttribute("aria-expanded")) !== "true") await header.click();
    return card.getByTestId("tool-call-output");
  }

  turnEnds() {
    return this.page.getByTestId("turn-end");
  }

  async waitForTurnEnd(count: number) {
    await expect(this.turnEnds()).toHaveCount(count, { timeout: 60_000 });
  }

  async terminalText(): Promise<string> {
    return this.page.getByTestId("terminal").evaluate((el) => (el as HTMLElement & { pincerTerminalText?: () => string }).pincerTerminalText?.() ?? "");
  }

  async typeInTerminal(text: string) {
    await this.page.getByTestId("terminal").click();
    await this.page.keyboard.type(text);
  }

  async openChanges() {
    await this.page.getByTestId("tab-changes").click();
    await expect(this.page.getByTestId("diff-panel")).toBeVisible();
  }
}
