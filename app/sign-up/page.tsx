import { AuthForm } from "../_components/auth-form";

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ invite?: string }> }) {
  const { invite } = await searchParams;
  return <AuthForm mode="sign-up" invite={invite} next="/" />;
}
