/** Lessons from earlier trades, or nothing when there are none (reflection off or no history). */
export function lessonsSection(lessons: readonly string[]): string {
  if (lessons.length === 0) return '';
  return `Lessons from earlier trades of this setup (newest first):\n${lessons.map((l) => `- ${l}`).join('\n')}`;
}
