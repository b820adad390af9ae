// The sandbox images a new session can run in: the default (SANDBOX_IMAGE), the variants built from
// sandbox-images/ by scripts/build-sandbox-image.sh, and an operator's own (SANDBOX_IMAGES). A
// session may only ask for one of these: an image is code that runs on the host's engine.
import { z } from "zod";

export type SandboxImageOption = { image: string; label: string };

/** What scripts/build-sandbox-image.sh builds (sandbox-images/base and sandbox-images/<variant>). */
export const BUILT_IN_IMAGES: readonly SandboxImageOption[] = [
  { image: "pincer-sandbox:latest", label: "Base (Debian, git, Python 3)" },
  { image: "pincer-sandbox-node-python:latest", label: "Node.js + Python" },
];

/** A Docker image reference: [registry[:port]/]name[:tag][@digest]. */
const IMAGE_REFERENCE = /^[a-z0-9][a-z0-9._\-/]*(:[0-9]+\/[a-z0-9._\-/]+)?(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

/**
 * SANDBOX_IMAGES: comma-separated `image` or `Label=image`, e.g.
 * `Rust=registry.example.com/rust-sandbox:1.80, my-go:latest`.
 */
export const imageListSchema = z.string().transform((text, context) => {
  const options: SandboxImageOption[] = [];
  for (const entry of text.split(",").map((part) => part.trim()).filter(Boolean)) {
    const separator = entry.lastIndexOf("=");
    const image = entry.slice(separator + 1).trim();
    const label = separator >= 0 ? entry.slice(0, separator).trim() : image;
    if (!IMAGE_REFERENCE.test(image) || !label) {
      context.addIssue({ code: "custom", message: `"${entry}" is not an image reference (or Label=image)` });
      return z.NEVER;
    }
    options.push({ image, label });
  }
  return options;
});

/** The default first, then the built-in variants and the operator's images, each image once. */
export const sandboxImageOptions = (defaultImage: string, extra: readonly SandboxImageOption[] = []): SandboxImageOption[] => {
  const builtIn = BUILT_IN_IMAGES.find((option) => option.image === defaultImage);
  const all = [builtIn ?? { image: defaultImage, label: defaultImage }, ...BUILT_IN_IMAGES, ...extra];
  return all.filter((option, index) => all.findIndex((other) => other.image === option.image) === index);
};

export class UnknownImageError extends Error {
  constructor(image: string, options: readonly SandboxImageOption[]) {
    super(`"${image}" is not one of this server's sandbox images (${options.map((option) => option.image).join(", ")}). An operator can add images with SANDBOX_IMAGES.`);
    this.name = "UnknownImageError";
  }
}
