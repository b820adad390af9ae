-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "pullRequestNumber" INTEGER,
ADD COLUMN     "pullRequestUrl" TEXT,
ADD COLUMN     "pushBranch" TEXT,
ADD COLUMN     "pushRemoteUrl" TEXT;

-- CreateTable
CREATE TABLE "GitCredential" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "secretEncrypted" TEXT NOT NULL,
    "forge" TEXT NOT NULL DEFAULT 'none',
    "apiBaseUrl" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GitCredential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReviewComment" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "side" TEXT NOT NULL DEFAULT 'new',
    "line" INTEGER NOT NULL,
    "endLine" INTEGER,
    "excerpt" TEXT,
    "body" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReviewComment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "GitCredential_ownerId_host_key" ON "GitCredential"("ownerId", "host");

-- CreateIndex
CREATE INDEX "ReviewComment_sessionId_sentAt_idx" ON "ReviewComment"("sessionId", "sentAt");

-- AddForeignKey
ALTER TABLE "GitCredential" ADD CONSTRAINT "GitCredential_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewComment" ADD CONSTRAINT "ReviewComment_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;
