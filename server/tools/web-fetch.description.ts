// The WebFetch tool's description for the model.
export const webFetchDescription = `Fetches a web page or file over http(s) and returns its content: HTML converted to markdown, PDFs as text, JSON and plain text as they are.

- Runs on the Pincer server, not in the sandbox. Only public http and https URLs; the user's rules decide which domains are allowed.
- Pages up to 5 MB; the result is bounded (long content keeps its beginning and end).
- \`prompt\`: say what you are looking for; it is kept with the result to focus your reading.
- A redirect to another host is reported instead of followed: fetch the new URL if you want it.
- Prefer a more specific tool when one exists (e.g. an MCP tool for a service). Do not fetch URLs you made up; use URLs from the user, from files, or from WebSearch results.`;
