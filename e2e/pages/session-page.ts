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

  /** `image`: one of the sandbox images in the form's select (default: the server's default). */
  async createEmptySession(title: string, options: { image?: string } = {}) {
    await this.page.goto("/");
    await this.page.getByTestId("source-empty").check();
    if (options.image) await this.page.getByTestId("session-image-select").selectOption(options.image);
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

  /** The header's avatars of who is watching; `label` is the hover text ("Name · role[ · you]"). */
  watchers(label?: string) {
    const all = this.page.getByTestId("session-watchers").getByTestId("watcher");
    return label ? all.and(this.page.getByTitle(label, { exact: true })) : all;
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
