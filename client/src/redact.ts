// The LSP trace ("crosswire.trace.server": "verbose") prints every message with its parameters:
// document texts (didOpen/didChange, which hold the workspace's secrets) and the text edits of
// quick fixes (which hold freshly generated secrets). The trace channel shows them redacted.
// Pure (no `vscode` import), so that it is tested outside VS Code.

/** JSON string fields that carry file contents. */
const CONTENT_FIELDS = ['text', 'newText', 'insertText'];
const FIELD = new RegExp(`("(?:${CONTENT_FIELDS.join('|')})"\\s*:\\s*)"((?:[^"\\\\]|\\\\.)*)"`, 'g');

/** Replaces the content of `"text"`, `"newText"` and `"insertText"` JSON strings by their length. */
export function redactTrace(message: string): string {
  if (typeof message !== 'string' || !message.includes('"')) return message;
  return message.replace(FIELD, (_m, key: string, value: string) => `${key}"<${value.length} characters not shown>"`);
}
