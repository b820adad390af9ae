// The WebSearch tool's description for the model.
export const webSearchDescription = `Searches the web and returns up to 10 results (title, URL, snippet). Use it for information newer than your training data or that you cannot find in the workspace; then read promising pages with WebFetch.

- \`allowed_domains\` keeps only results from those domains; \`blocked_domains\` drops results from them (subdomains included).
- Runs on the Pincer server through the search backend its administrator configured; if none is configured, the call says so.
- Cite the URLs you used when you answer from search results.`;
