/**
 * Text as text filters compare it: Unicode-normalised (NFC) and lower-cased by JavaScript, the
 * same on every database. Stored next to the searchable column and applied to the query text.
 */
export function searchText(text: string): string {
  return text.normalize('NFC').toLowerCase();
}
