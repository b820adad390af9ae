import { SessionsHome } from "./_components/sessions-home";

export default function HomePage() {
  return <SessionsHome />;
}
