import { AuthForm } from "../_components/auth-form";
import { providerErrorMessage } from "../_components/provider-error";

type Params = { invite?: string; error?: string; error_description?: string };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<Params> }) {
  const { invite, error, error_description } = await searchParams;
  return <AuthForm mode="sign-up" invite={invite} next="/" providerError={providerErrorMessage(error, error_description)} />;
}
