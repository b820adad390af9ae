// Sign-in through another identity provider, when the environment configures one: any OpenID
// Connect issuer (discovery, ID tokens verified against its JWKS) and GitHub or GitHub
// Enterprise. Both go through better-auth's genericOAuth plugin: its built-in GitHub provider
// hard-codes github.com, which rules out Enterprise servers.
import type { GenericOAuthConfig } from "better-auth/plugins";
import type { Env } from "../env";

/** What the sign-in page shows: one "Continue with <name>" button per provider. */
export type SignInProvider = { id: string; name: string };

export type ExternalProvider = SignInProvider & { config: GenericOAuthConfig };

export const oidcProvider = (settings: { issuer: string; clientId: string; clientSecret: string; name: string }): ExternalProvider => ({
  id: "oidc",
  name: settings.name,
  config: {
    providerId: "oidc",
    name: settings.name,
    discoveryUrl: `${settings.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`,
    // Identity comes from the id_token: refuse a provider whose tokens cannot be verified.
    requireIdTokenVerification: true,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    scopes: ["openid", "email", "profile"],
  },
});

type GithubUser = { id: number; login: string; name: string | null; email: string | null; avatar_url: string | null };
type GithubEmail = { email: string; primary: boolean; verified: boolean };

const githubGet = async <T>(apiUrl: string, path: string, accessToken: string): Promise<T | null> => {
  const response = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${accessToken}`, accept: "application/vnd.github+json", "user-agent": "Pincer" } });
  return response.ok ? ((await response.json()) as T) : null;
};

export const githubProvider = (settings: { clientId: string; clientSecret: string; url: string; apiUrl: string }): ExternalProvider => {
  const web = settings.url.replace(/\/+$/, "");
  const api = settings.apiUrl.replace(/\/+$/, "");
  return {
    id: "github",
    name: "GitHub",
    config: {
      providerId: "github",
      name: "GitHub",
      authorizationUrl: `${web}/login/oauth/authorize`,
      tokenUrl: `${web}/login/oauth/access_token`,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      scopes: ["read:user", "user:email"],
      // The profile's email is only the public one: the primary address comes from /user/emails.
      getUserInfo: async (tokens) => {
        if (!tokens.accessToken) return null;
        const profile = await githubGet<GithubUser>(api, "/user", tokens.accessToken);
        if (!profile) return null;
        const emails = (await githubGet<GithubEmail[]>(api, "/user/emails", tokens.accessToken)) ?? [];
        const primary = emails.find((entry) => entry.primary) ?? emails.find((entry) => entry.email === profile.email);
        return {
          id: String(profile.id),
          name: profile.name || profile.login,
          email: primary?.email ?? profile.email,
          emailVerified: primary?.verified ?? false,
          image: profile.avatar_url ?? undefined,
        };
      },
    },
  };
};

/** The providers the environment configures, in the order the sign-in page shows them. */
export const externalProvidersFromEnv = (env: Env): ExternalProvider[] => [
  ...(env.PINCER_OIDC_ISSUER && env.PINCER_OIDC_CLIENT_ID && env.PINCER_OIDC_CLIENT_SECRET
    ? [oidcProvider({ issuer: env.PINCER_OIDC_ISSUER, clientId: env.PINCER_OIDC_CLIENT_ID, clientSecret: env.PINCER_OIDC_CLIENT_SECRET, name: env.PINCER_OIDC_NAME })]
    : []),
  ...(env.PINCER_GITHUB_CLIENT_ID && env.PINCER_GITHUB_CLIENT_SECRET
    ? [githubProvider({ clientId: env.PINCER_GITHUB_CLIENT_ID, clientSecret: env.PINCER_GITHUB_CLIENT_SECRET, url: env.PINCER_GITHUB_URL, apiUrl: env.PINCER_GITHUB_API_URL })]
    : []),
];
