import { AuthForm } from "../_components/auth-form";
import { providerErrorMessage } from "../_components/provider-error";

type Params = { next?: string; error?: string; error_description?: string };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Params> }) {
  const { next, error, error_description } = await searchParams;
  return <AuthForm mode="sign-in" next={next} providerError={providerErrorMessage(error, error_description)} />;
}
