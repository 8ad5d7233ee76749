import type { AgentLesson, LessonQuery } from '@ballast/db';

/** Where lessons live; `AgentLessonRepository` is the real one. */
export interface LessonStore {
  add(lesson: AgentLesson): Promise<void>;
  recent(query: LessonQuery): Promise<AgentLesson[]>;
}

export interface LessonConfig {
  /** Off: no lessons are read into prompts and the reflector writes none. */
  readonly enabled: boolean;
  readonly maxCount: number;
  /** Total characters of lessons in one prompt. */
  readonly maxChars: number;
}

export const DEFAULT_LESSONS: LessonConfig = { enabled: true, maxCount: 5, maxChars: 1_200 };

/** A single lesson is cut to this length when written, so one long lesson cannot crowd out the rest. */
export const MAX_LESSON_CHARS = 280;

/** Newest first, as many whole lessons as fit in both bounds. */
export function selectLessons(lessons: readonly AgentLesson[], config: LessonConfig): string[] {
  const chosen: string[] = [];
  let chars = 0;
  const newestFirst = [...lessons].sort((a, b) => b.createdAt - a.createdAt);
  for (const { lesson } of newestFirst) {
    if (chosen.length === config.maxCount || chars + lesson.length > config.maxChars) break;
    chosen.push(lesson);
    chars += lesson.length;
  }
  return chosen;
}

/** The lessons to inject for one symbol and setup; none when switched off. */
export async function lessonsFor(
  store: LessonStore,
  key: { symbol: string; setup: string },
  config: LessonConfig,
): Promise<string[]> {
  if (!config.enabled) return [];
  const recent = await store.recent({ ...key, limit: config.maxCount });
  return selectLessons(recent, config);
}
