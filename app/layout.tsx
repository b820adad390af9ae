import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { TrpcReactProvider } from "@/lib/trpc/react";
import { AccountMenu } from "./_components/account-menu";
import "./globals.css";

export const metadata: Metadata = { title: "Pincer", description: "AI coding sessions in your browser, on your machines" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-background text-foreground antialiased">
        <TrpcReactProvider>
          <header className="flex h-12 items-center gap-6 border-b border-border px-4">
            <Link href="/" className="font-semibold tracking-tight">
              Pincer
            </Link>
            <nav className="flex gap-4 text-sm text-muted-foreground">
              <Link href="/" className="hover:text-foreground">
                Sessions
              </Link>
              <Link href="/settings" className="hover:text-foreground" data-testid="nav-settings">
                Settings
              </Link>
            </nav>
            <AccountMenu />
          </header>
          {children}
        </TrpcReactProvider>
      </body>
    </html>
  );
}
