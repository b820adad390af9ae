import { describe, expect, it } from "vitest";
import { providerErrorMessage } from "./provider-error";

describe("providerErrorMessage", () => {
  it("is nothing without an error", () => {
    expect(providerErrorMessage(undefined, undefined)).toBeNull();
  });

  it("says the server's reason, else names the code", () => {
    expect(providerErrorMessage("signup_closed", "Sign-up is closed on this server.")).toBe("Sign-up is closed on this server.");
    expect(providerErrorMessage("unable_to_get_user_info", undefined)).toBe("Sign-in with the provider failed (unable to get user info).");
  });

  it("explains an email that already has a password account, and a refusal at the provider", () => {
    expect(providerErrorMessage("account_not_linked", undefined)).toMatch(/sign in with your password/);
    expect(providerErrorMessage("access_denied", "user cancelled")).toBe("The provider did not sign you in: user cancelled");
  });
});
