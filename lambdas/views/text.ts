/** Escaping for the plain-text parts of what the views write: mail headers. */

/** Subjects end up in a mail header: no line breaks or control characters, bounded length. */
export function headerSafe(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const controls = /[\u0000-\u001f\u007f]+/g;
  return value.replace(controls, ' ').trim().slice(0, 180);
}
