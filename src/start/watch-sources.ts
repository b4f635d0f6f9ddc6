import fs from 'node:fs';

/** Files whose change means new code: editors' swap, backup and probe files are not. */
const sourceFile = /\.(?:[cm]?[jt]sx?|json)$/;

export interface WatchOptions {
  /** The changed source files, relative to the watched folder, once per burst of changes. */
  onChange(files: string[]): void;
  /** The watch failed (say, out of inotify watches) and has stopped. */
  onError(error: Error): void;
  /** Quiet time (ms) after the last change before `onChange` is called; default 300. */
  debounceMs?: number;
}

/**
 * Watches every file under `dir`, new folders included (fs.watch's recursive
 * mode, on Linux since Node 20), and reports each burst of changes once: an
 * editor's save, or a `git checkout`, is one call. Returns a function that
 * stops watching.
 * @example const unwatch = watchSources('src', { onChange: (files) => restart(files), onError: log });
 */
export function watchSources(dir: string, { onChange, onError, debounceMs = 300 }: WatchOptions): () => void {
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const watcher = fs.watch(dir, { recursive: true }, (_event, file) => {
    if (file && !sourceFile.test(file)) return;
    changed.add(file ?? '.');
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...changed].sort();
      changed.clear();
      onChange(files);
    }, debounceMs);
  });
  const unwatch = () => {
    clearTimeout(timer);
    watcher.close();
  };
  watcher.on('error', (error) => {
    unwatch();
    onError(error);
  });
  return unwatch;
}
