import type { Clock, IdGenerator } from '@ballast/contracts';
import { z } from 'zod';
import type { AgentRunner } from '../agent-runner';
import { REFLECTOR_SYSTEM, reflectorPrompt } from '../prompts/reflector-prompt';
import { cutText } from '../providers/storable-text';
import { rulesReflection } from '../rules/rules-reflection';
import { type LessonConfig, type LessonStore, MAX_LESSON_CHARS } from './lessons';
import { ReflectionInput } from './reflection-input';

const LessonsReply = z.object({ lessons: z.array(z.string().min(1).max(MAX_LESSON_CHARS)).max(3) });
const LESSONS_JSON_SCHEMA = (() => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(LessonsReply);
  return rest;
})();

export interface ReflectDeps {
  readonly reflector: AgentRunner;
  readonly lessons: LessonStore;
  readonly lessonConfig: LessonConfig;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** Writes short lessons from one outcome; returns them. Does nothing when reflection is switched off. */
export async function reflect(input: ReflectionInput, deps: ReflectDeps): Promise<string[]> {
  if (!deps.lessonConfig.enabled) return [];
  const checked = ReflectionInput.parse(input);
  const result = await deps.reflector.run({
    agent: 'reflector',
    correlationId: checked.correlationId,
    system: REFLECTOR_SYSTEM,
    prompt: reflectorPrompt(checked),
    schemaName: 'lessons',
    schema: LESSONS_JSON_SCHEMA,
    maxOutputTokens: 512,
    parse: (value) => LessonsReply.parse(value).lessons,
    fallback: () => rulesReflection(checked),
  });
  const lessons = result.verdict.map((l) => cutText(l, MAX_LESSON_CHARS));
  for (const lesson of lessons) {
    await deps.lessons.add({
      id: deps.ids(),
      symbol: checked.symbol,
      setup: checked.setup,
      lesson,
      source: result.fallbackUsed ? 'rules' : result.provider,
      correlationId: checked.correlationId,
      createdAt: deps.clock.now(),
    });
  }
  return lessons;
}
