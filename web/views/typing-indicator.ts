import { typingText } from '../format.js';

/** Forget a typist whose "stopped typing" never arrived (a dropped connection, a closed tab). */
const STALE_MS = 8000;

/** `#typing`: "Kevin is typing…", from text:typing:on/off. */
export class TypingIndicator {
  private readonly typists = new Map<string, { name: string; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly root: HTMLElement) {}

  start(memberId: string, name: string): void {
    const existing = this.typists.get(memberId);
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => this.stop(memberId), STALE_MS);
    this.typists.set(memberId, { name, timer });
    this.draw();
  }

  stop(memberId: string): void {
    const existing = this.typists.get(memberId);
    if (!existing) return;
    clearTimeout(existing.timer);
    this.typists.delete(memberId);
    this.draw();
  }

  clear(): void {
    for (const { timer } of this.typists.values()) clearTimeout(timer);
    this.typists.clear();
    this.draw();
  }

  private draw(): void {
    this.root.textContent = typingText([...this.typists.values()].map((t) => t.name));
  }
}
