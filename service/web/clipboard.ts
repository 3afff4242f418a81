// Copying a value to the clipboard from a button, with a fallback where the Clipboard API is
// missing (plain-HTTP origins other than localhost): the value is shown whole and selected.

/** Copies `text`; `button` says "Copied" for a moment, or `display` shows the whole value selected. */
export async function copyText(text: string, button: HTMLButtonElement, display: HTMLElement): Promise<void> {
  const label = button.textContent;
  try {
    if (!navigator.clipboard) throw new Error('no Clipboard API');
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch {
    display.textContent = text;
    const range = document.createRange();
    range.selectNodeContents(display);
    const selection = getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    button.textContent = 'Selected: press Ctrl+C';
  }
  setTimeout(() => {
    button.textContent = label;
  }, 1500);
}
