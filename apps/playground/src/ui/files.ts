import type { PickedFile } from '../engine/checkpoint-files.js';

const bytesOf = (file: File) => async () => new Uint8Array(await file.arrayBuffer());

/** The files of an `<input type=file>` (a folder keeps its relative paths). */
export function pickedFromInput(files: FileList): PickedFile[] {
  return [...files].map((f) => ({ path: f.webkitRelativePath || f.name, bytes: bytesOf(f) }));
}

/** The files of a drop, folders walked (Chromium, Firefox and Safari all have `webkitGetAsEntry`). */
export async function pickedFromDrop(data: DataTransfer): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) =>
        (entry as FileSystemFileEntry).file(resolve, reject),
      );
      out.push({ path: entry.fullPath.replace(/^\//, ''), bytes: bytesOf(file) });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
          reader.readEntries(resolve, reject),
        );
        if (batch.length === 0) break;
        for (const child of batch) await walk(child);
      }
    }
  };
  const entries = [...data.items].map((item) => item.webkitGetAsEntry()).filter((e) => e !== null);
  for (const entry of entries) await walk(entry);
  return out;
}

/** Offers `bytes` as a download named `name`. */
export function download(name: string, bytes: Uint8Array): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart]));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
