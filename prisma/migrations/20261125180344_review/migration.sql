-- AlterTable
ALTER TABLE "Session" ADD COLUMN "pullRequestNumber" INTEGER;
ALTER TABLE "Session" ADD COLUMN "pullRequestUrl" TEXT;
ALTER TABLE "Session" ADD COLUMN "pushBranch" TEXT;
ALTER TABLE "Session" ADD COLUMN "pushRemoteUrl" TEXT;

-- CreateTable
CREATE TABLE "GitCredential" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "ownerId" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "secretEncrypted" TEXT NOT NULL,
    "forge" TEXT NOT NULL DEFAULT 'none',
    "apiBaseUrl" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "GitCredential_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReviewComment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "side" TEXT NOT NULL DEFAULT 'new',
    "line" INTEGER NOT NULL,
    "endLine" INTEGER,
    "excerpt" TEXT,
    "body" TEXT NOT NULL,
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReviewComment_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "GitCredential_ownerId_host_key" ON "GitCredential"("ownerId", "host");

-- CreateIndex
CREATE INDEX "ReviewComment_sessionId_sentAt_idx" ON "ReviewComment"("sessionId", "sentAt");
