/** Saves bytes or text as a file through a temporary object URL. */
export function saveFile(content: string | Uint8Array, type: string, name: string): void {
  const url = URL.createObjectURL(new Blob([typeof content === 'string' ? content : (content.slice() as Uint8Array<ArrayBuffer>)], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}
