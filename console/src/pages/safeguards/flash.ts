/** A message carried from a form to the overview it returns to after saving (read once). */
export interface Flash {
  message: string;
  warnings?: string[];
}

let pending: Flash | undefined;

export function setFlash(f: Flash): void {
  pending = f;
}

export function peekFlash(): Flash | undefined {
  return pending;
}

export function clearFlash(): void {
  pending = undefined;
}
