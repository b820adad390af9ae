// What a failed provider sign-in came back with (better-auth redirects to the page with
// ?error=<code>&error_description=…), said as a sentence for the sign-in and sign-up forms.

export const providerErrorMessage = (code: string | undefined, description: string | undefined): string | null => {
  if (!code) return null;
  if (code === "account_not_linked") return "An account with this email already exists: sign in with your password.";
  if (code === "access_denied") return `The provider did not sign you in${description ? `: ${description}` : "."}`;
  return description || `Sign-in with the provider failed (${code.replaceAll("_", " ")}).`;
};
