// Text out of a PDF with unpdf (pdf.js in pure JavaScript, no native parts), for Read and WebFetch.
import { extractText, getDocumentProxy } from "unpdf";

export type PdfText = { pages: number; text: string };

/** The PDF's text, page by page; throws when the bytes are not a PDF pdf.js can open. */
export const extractPdfText = async (bytes: Buffer): Promise<PdfText> => {
  // verbosity 0: pdf.js would otherwise print warnings about damaged files on the server's console.
  const document = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  const { totalPages, text } = await extractText(document, { mergePages: false });
  const pages = text.map((page, index) => `--- page ${index + 1} ---\n${page.trim()}`);
  return { pages: totalPages, text: pages.join("\n\n") };
};

/** "PDF, 3 pages" plus the text, or a note when the PDF has no extractable text or will not open. */
export const describePdf = async (bytes: Buffer, name: string): Promise<{ text: string; pages: number | null; extracted: boolean }> => {
  try {
    const { pages, text } = await extractPdfText(bytes);
    const hasText = text.replace(/--- page \d+ ---/g, "").trim() !== "";
    if (!hasText) return { text: `${name}: PDF, ${pages} page${pages === 1 ? "" : "s"}, no extractable text (scanned images?).`, pages, extracted: false };
    return { text: `${name}: PDF, ${pages} page${pages === 1 ? "" : "s"}\n\n${text}`, pages, extracted: true };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { text: `${name}: PDF, ${bytes.length} bytes; text extraction failed (${reason}).`, pages: null, extracted: false };
  }
};
